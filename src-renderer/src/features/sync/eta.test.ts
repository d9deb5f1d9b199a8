import { describe, expect, it } from 'vitest';
import { secondsLeft, timeLeftLabel } from './eta';

describe('the time left of a long first sync', () => {
  it('is the remaining records at the rate seen since the download began', () => {
    // 50,000 records in 2 s = 25,000/s; 450,000 left -> 18 s
    expect(secondsLeft({ done: 0, at: 10_000 }, { done: 50_000, at: 12_000 }, 500_000)).toBe(18);
    // counted from where this download started, not from zero
    expect(secondsLeft({ done: 100_000, at: 0 }, { done: 110_000, at: 1_000 }, 130_000)).toBe(2);
  });
  it('is not shown before a second and a thousand records, nor when the total went below what is done', () => {
    expect(secondsLeft({ done: 0, at: 0 }, { done: 5_000, at: 999 }, 500_000)).toBeNull();
    expect(secondsLeft({ done: 0, at: 0 }, { done: 999, at: 5_000 }, 500_000)).toBeNull();
    expect(secondsLeft({ done: 0, at: 0 }, { done: 6_000, at: 5_000 }, 5_000)).toBeNull();
    expect(secondsLeft({ done: 0, at: 0 }, { done: 6_000, at: 5_000 }, 6_000)).toBe(0);
  });
  it('reads as seconds up to 90 s, then whole minutes rounded up', () => {
    expect(timeLeftLabel(0)).toBe('about 1 s left');
    expect(timeLeftLabel(42)).toBe('about 42 s left');
    expect(timeLeftLabel(90)).toBe('about 90 s left');
    expect(timeLeftLabel(91)).toBe('about 2 min left');
    expect(timeLeftLabel(600)).toBe('about 10 min left');
  });
});
