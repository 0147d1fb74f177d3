import { chatInterval, createRateGate, DEFAULT_PACING, RATE_WINDOW_MS, resolvePacing } from '../../src/outbox/pacing';

describe('pacing', () => {
  it('keeps defaults for fields a channel does not override', () => {
    expect(resolvePacing('telegram', { perSecond: 20 })).toEqual({ ...DEFAULT_PACING.telegram, perSecond: 20 });
    expect(resolvePacing('whatsapp')).toEqual(DEFAULT_PACING.whatsapp);
  });

  it('refuses a pace that would stop or reverse time', () => {
    expect(() => resolvePacing('telegram', { perSecond: 0 })).toThrow(/perSecond/);
    expect(() => resolvePacing('whatsapp', { jitterMs: -1 })).toThrow(/negative/);
  });

  it('adds up to jitterMs to the per-chat interval', () => {
    const p = { perChatIntervalMs: 3000, perSecond: 5, jitterMs: 2000 };
    expect(chatInterval(p, () => 0)).toBe(3000);
    expect(chatInterval(p, () => 0.5)).toBe(4000);
    expect(chatInterval({ ...p, jitterMs: 0 }, () => 0.9)).toBe(3000);
  });

  it('spaces slots evenly at perSecond, and an idle gate starts from now', () => {
    const gate = createRateGate(4);
    expect(gate.nextSlotAt()).toBe(0);
    gate.take(10_000);
    expect(gate.nextSlotAt()).toBe(10_250);
    // Taken early (before its slot), the next slot still moves on by one spacing.
    gate.take(10_100);
    expect(gate.nextSlotAt()).toBe(10_500);
    gate.take(20_000);
    expect(gate.nextSlotAt()).toBe(20_250);
  });

  it('makes up a late start at up to twice the pace, never more than perSecond within a second', () => {
    const gate = createRateGate(10);
    const starts: number[] = [];
    const send = (now: number, credit = 0) => {
      expect(now).toBeGreaterThanOrEqual(gate.nextSlotAt());
      gate.take(now, credit);
      starts.push(now);
    };
    send(0);
    send(100, 250);
    // The slot at 200 came 230 ms late (the process was busy): the slots after it keep their places.
    send(430, 250);
    expect(gate.nextSlotAt()).toBe(480);
    send(480, 250);
    expect(gate.nextSlotAt()).toBe(530);
    send(530, 250);
    send(580, 250);
    // Caught up: back to one slot per 100 ms.
    expect(gate.nextSlotAt()).toBe(630);
    send(630, 250);
    for (let t = 730; t < 1100; t += 100) send(Math.max(t, gate.nextSlotAt()), 250);
    // Ten sends since 0: the eleventh waits until the first has left the window.
    expect(gate.nextSlotAt()).toBeGreaterThanOrEqual(RATE_WINDOW_MS + 100);
    for (let i = 0, j = 0; j < starts.length; j++) {
      while ((starts[j] as number) - (starts[i] as number) >= 1000) i++;
      expect(j - i + 1).toBeLessThanOrEqual(10);
    }
    // Without credit (nothing was waiting), lateness is not made up.
    const idle = createRateGate(10);
    idle.take(0);
    idle.take(430);
    expect(idle.nextSlotAt()).toBe(530);
  });
});
