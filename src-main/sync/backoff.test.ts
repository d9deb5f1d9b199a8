import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff';

describe('backoffDelay (full jitter)', () => {
  it('stays within [floor, min(cap, base·2^attempt)] for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const d = backoffDelay(attempt, DEFAULT_BACKOFF, () => r);
          const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** attempt);
          return d >= DEFAULT_BACKOFF.floorMs && d <= ceiling;
        },
      ),
    );
  });

  it('grows exponentially from 1 s and stops at 60 s', () => {
    const top = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(top)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('never returns less than the floor, so a run of zero draws is not a busy loop', () => {
    for (let attempt = 0; attempt < 20; attempt++)
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(100);
  });

  it('spreads retries (jitter): many desks do not retry at the same instant', () => {
    const draws = Array.from({ length: 200 }, () => backoffDelay(5));
    expect(new Set(draws).size).toBeGreaterThan(150);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...draws)).toBeLessThanOrEqual(32_000);
  });

  it('tolerates odd inputs (negative or fractional attempts, out-of-range draws)', () => {
    expect(backoffDelay(-3, DEFAULT_BACKOFF, () => 1)).toBe(1_000);
    expect(backoffDelay(1.7, DEFAULT_BACKOFF, () => 1)).toBe(2_000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 7)).toBe(4_000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => -1)).toBe(100);
  });
});
