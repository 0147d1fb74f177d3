import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/outbox/backoff';

describe('backoffDelay', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };

  it('doubles its step with each failed attempt, half fixed and half random', () => {
    for (const attempts of [1, 2, 3, 4]) {
      const step = opts.baseMs * 2 ** (attempts - 1);
      expect(backoffDelay(attempts, opts, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempts, opts, () => 0.999999)).toBeCloseTo(step, -1);
    }
  });

  it('never exceeds the cap and never goes below half of it once reached', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, r) => {
          const d = backoffDelay(attempts, DEFAULT_BACKOFF, () => r);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
          expect(d).toBeGreaterThanOrEqual(
            Math.min(DEFAULT_BACKOFF.baseMs * 2 ** (attempts - 1), DEFAULT_BACKOFF.maxMs) / 2 - 1,
          );
        },
      ),
    );
  });
});
