import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7, uuidv7Time } from './ids';

const LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7, variant 10, the timestamp in the first 48 bits', () => {
    const t = Date.UTC(2026, 10, 23, 9, 30, 0, 123);
    const id = uuidv7(t);
    expect(id).toMatch(LAYOUT);
    expect(uuidv7Time(id)).toBe(t);
    expect(id.slice(0, 13).replace('-', '')).toBe(t.toString(16).padStart(12, '0'));
    // The sync contract validates mutation ids with zod's uuid().
    expect(z.string().uuid().safeParse(id).success).toBe(true);
  });

  it('encodes the extremes of the 48-bit range', () => {
    expect(uuidv7(0).startsWith('00000000-0000-7')).toBe(true);
    expect(uuidv7(0xffff_ffff_ffff).startsWith('ffffffff-ffff-7')).toBe(true);
    expect(() => uuidv7(-1)).toThrow(RangeError);
    expect(() => uuidv7(2 ** 48)).toThrow(RangeError);
    expect(() => uuidv7(Number.NaN)).toThrow(RangeError);
  });

  it('is unique and sorts in creation order, also within one millisecond', () => {
    const t = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(t + Math.floor(i / 1000)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(LAYOUT);
  });

  it('carries randomness in rand_b', () => {
    const t = Date.UTC(2026, 0, 2);
    const tails = new Set(Array.from({ length: 100 }, () => uuidv7(t).slice(19)));
    expect(tails.size).toBe(100);
  });
});
