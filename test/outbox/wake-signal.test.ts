import { createWakeSignal } from '../../src/outbox/wake-signal';

describe('wake signal', () => {
  it('returns at once from a wait after a wake that came while nobody waited', async () => {
    const w = createWakeSignal(Date.now);
    w.wake();
    let done = false;
    const waiting = w.wait(60_000).then(() => (done = true));
    await waiting;
    expect(done).toBe(true);
  });

  it('ends a wait when woken', async () => {
    const w = createWakeSignal(Date.now);
    const waiting = w.wait(60_000);
    setTimeout(() => w.wake(), 5);
    await expect(waiting).resolves.toBeUndefined();
  });

  it('ends a wait no sooner than a requested wake time, even one requested during the wait', async () => {
    const w = createWakeSignal(Date.now);
    const start = Date.now();
    const waiting = w.wait(60_000);
    w.wakeAt(start + 30);
    await waiting;
    expect(Date.now() - start).toBeGreaterThanOrEqual(30);
  });
});
