import type { TimerHandle, Timers } from '../../src/timers';

/**
 * Timers driven by a test's fixed clock: nothing fires until `advance`
 * moves the clock past a timer's due time. Timers fire in due order, each
 * after the work started by the previous one had its turn, so a test reads
 * like the minutes passing.
 */
export interface ManualTimers extends Timers {
  /** Move the clock by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): Promise<void>;
  /** How many timers are waiting. */
  pending(): number;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  handle: TimerHandle;
}

/** Manual timers over a clock that can be moved (e.g. `createFixedClock`). */
export function createManualTimers(clock: { now(): Date; set(d: Date): void }): ManualTimers {
  let entries: Entry[] = [];
  let seq = 0;
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    setTimeout(fn, ms) {
      const handle: TimerHandle = { timer: (seq += 1) };
      entries.push({ at: clock.now().getTime() + Math.max(0, ms), seq, fn, handle });
      return handle;
    },
    clearTimeout(handle) {
      entries = entries.filter((e) => e.handle !== handle);
    },
    async advance(ms) {
      const end = clock.now().getTime() + ms;
      await flush();
      for (;;) {
        const next = entries.filter((e) => e.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!next) break;
        entries = entries.filter((e) => e !== next);
        if (next.at > clock.now().getTime()) clock.set(new Date(next.at));
        next.fn();
        // Let the timer's work (promises, database calls) run before the next one.
        for (let i = 0; i < 5; i += 1) await flush();
      }
      clock.set(new Date(end));
      await flush();
    },
    pending: () => entries.length,
  };
}
