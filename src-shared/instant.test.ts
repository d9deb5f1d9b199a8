import { describe, expect, it } from 'vitest';
import { normalizeIso } from './instant';

describe('normalizeIso (issue 13 §2; fast path for canonical instants, issue 16)', () => {
  it('keeps canonical instants and converts offsets, by a table written by hand', () => {
    const cases: [string, string | null][] = [
      ['2026-11-29T22:24:00.000Z', '2026-11-29T22:24:00.000Z'],
      ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'], // leap year
      ['2000-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z'], // divisible by 400
      ['1900-02-29T00:00:00.000Z', null], // divisible by 100, not a leap year
      ['2026-02-29T00:00:00.000Z', null],
      ['2026-02-30T10:00:00.000Z', null],
      ['2026-04-31T10:00:00.000Z', null],
      ['2026-13-01T10:00:00.000Z', null],
      ['2026-00-10T10:00:00.000Z', null],
      ['2026-01-00T10:00:00.000Z', null],
      ['2026-01-01T24:00:00.000Z', null],
      ['2026-01-01T10:60:00.000Z', null],
      ['2026-01-01T10:00:60.000Z', null],
      ['2027-04-11T20:00:00-12:00', '2027-04-12T08:00:00.000Z'],
      ['2026-02-28T10:00:00+01:00', '2026-02-28T09:00:00.000Z'],
      ['2026-01-01T10:00:00Z', '2026-01-01T10:00:00.000Z'],
      ['2026-01-01T10:00:00.5Z', '2026-01-01T10:00:00.500Z'],
      ['2026-01-01', null],
      ['not a time', null],
    ];
    for (const [text, want] of cases) expect(normalizeIso(text), text).toBe(want);
  });

  it('agrees with a Date round trip on random canonical-looking texts, real or not', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    // Reference: a real instant is one whose UTC fields survive Date.UTC unchanged.
    const reference = (y: number, mo: number, d: number, h: number, mi: number, s: number): boolean => {
      if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return false;
      const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
      date.setUTCFullYear(y);
      return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
    };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const [y, mo, d, h, mi, s] = [1 + rand(9999), rand(14), rand(33), rand(26), rand(61), rand(61)];
      const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(rand(1000), 3)}Z`;
      expect(normalizeIso(text), text).toBe(reference(y, mo, d, h, mi, s) ? text : null);
    }
  });
});
