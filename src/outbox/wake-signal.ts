import { systemTimers, type TimerHandle, type Timers } from '../timers';

/**
 * Lets the dispatcher sleep between rounds yet wake at once when work arrives
 * in this process, or at the moment a known message falls due.
 */
export interface WakeSignal {
  /** Wake the sleeper now (or make its next sleep return at once). */
  wake(): void;
  /** Wake the sleeper no later than `atMs` (ms since the epoch); the earliest request wins. */
  wakeAt(atMs: number): void;
  /** Sleep until woken, until a requested time, or at most `maxMs`. */
  wait(maxMs: number): Promise<void>;
}

// Timers may fire a hair before a stored due time compares as passed; this much later is safe.
const DUE_SLACK_MS = 5;

/** A {@link WakeSignal} on the given clock (ms since the epoch) and timers (tests pass manual ones and move the clock). */
export function createWakeSignal(nowMs: () => number, timers: Timers = systemTimers): WakeSignal {
  let signalled = false;
  let earliest: number | undefined;
  let waiter: { resolve: () => void; timer: TimerHandle; until: number } | undefined;

  function finish(): void {
    const w = waiter;
    if (!w) return;
    waiter = undefined;
    timers.clearTimeout(w.timer);
    if (earliest !== undefined && earliest <= nowMs()) earliest = undefined;
    w.resolve();
  }

  function arm(resolve: () => void, maxMs: number): void {
    const now = nowMs();
    const until = Math.min(now + maxMs, earliest !== undefined ? earliest + DUE_SLACK_MS : Infinity);
    waiter = { resolve, until, timer: timers.setTimeout(finish, Math.max(0, until - now)) };
  }

  return {
    wake() {
      if (waiter) finish();
      else signalled = true;
    },
    wakeAt(atMs: number) {
      if (earliest !== undefined && earliest <= atMs) return;
      earliest = atMs;
      if (waiter && atMs + DUE_SLACK_MS < waiter.until) {
        // Re-arm for the earlier time, keeping the sleeper's promise.
        timers.clearTimeout(waiter.timer);
        const until = atMs + DUE_SLACK_MS;
        waiter = { resolve: waiter.resolve, until, timer: timers.setTimeout(finish, Math.max(0, until - nowMs())) };
      }
    },
    wait(maxMs: number) {
      if (signalled) {
        signalled = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => arm(resolve, maxMs));
    },
  };
}
