import { createFixedClock } from '../../src/clock';
import { createWakeSignal } from '../../src/outbox/wake-signal';
import { createManualTimers } from '../support/manual-timers';

/** A wake signal on a fixed clock and manual timers: time passes only when the test says. */
function clocked() {
  const clock = createFixedClock(new Date('2026-11-28T04:30:00Z'));
  const timers = createManualTimers(clock);
  return { clock, timers, w: createWakeSignal(() => clock.now().getTime(), timers) };
}

describe('wake signal', () => {
  it('returns at once from a wait after a wake that came while nobody waited', async () => {
    const { w, timers } = clocked();
    w.wake();
    await w.wait(60_000);
    expect(timers.pending()).toBe(0);
  });

  it('ends a wait when woken, before its time is up', async () => {
    const { w, timers } = clocked();
    let done = false;
    const waiting = w.wait(60_000).then(() => (done = true));
    await timers.advance(5);
    expect(done).toBe(false);
    w.wake();
    await waiting;
    expect(timers.pending()).toBe(0);
  });

  it('ends a wait no sooner than a requested wake time, even one requested during the wait', async () => {
    const { w, timers, clock } = clocked();
    const start = clock.now().getTime();
    let endedAt: number | undefined;
    const waiting = w.wait(60_000).then(() => (endedAt = clock.now().getTime()));
    w.wakeAt(start + 30);
    await timers.advance(29);
    expect(endedAt).toBeUndefined();
    await timers.advance(60);
    await waiting;
    expect(endedAt).toBeGreaterThanOrEqual(start + 30);
    expect(endedAt).toBeLessThan(start + 60_000);
  });
});
