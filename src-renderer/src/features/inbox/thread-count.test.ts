import { describe, expect, it } from 'vitest';
import { threadCountText } from './thread-count';

describe('threadCountText', () => {
  it('shows an exact count, and a capped search count with a plus', () => {
    expect(threadCountText(0, false)).toBe('0 threads');
    expect(threadCountText(1, false)).toBe('1 thread');
    expect(threadCountText(999, false)).toBe('999 threads');
    expect(threadCountText(1000, false)).toBe('1,000 threads');
    expect(threadCountText(1000, true)).toBe('1,000+ threads');
    expect(threadCountText(1100, true)).toBe('1,100+ threads');
  });
});
