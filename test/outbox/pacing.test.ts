import { chatInterval, createRateGate, DEFAULT_PACING, resolvePacing } from '../../src/outbox/pacing';

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
});
