/** Session 4, 14c: the absence rules shared by console and server (src-shared/coverage.ts). Hand-written cases. */
import { describe, expect, it } from 'vitest';
import { absenceOverlapProblem, absenceProblem, absenceWindow } from './coverage';

describe('absenceWindow', () => {
  it('runs from local midnight of the first day to local midnight after the last, across a DST change', () => {
    // 2027-03-14 is the day New York moves to EDT: a 23-hour local day.
    expect(absenceWindow('2027-03-14', '2027-03-14', 'America/New_York')).toEqual({
      startsAt: '2027-03-14T05:00:00.000Z',
      endsAt: '2027-03-15T04:00:00.000Z',
    });
    expect(absenceWindow('2026-12-31', '2027-01-01', 'Asia/Tokyo')).toEqual({
      startsAt: '2026-12-30T15:00:00.000Z',
      endsAt: '2027-01-01T15:00:00.000Z',
    });
  });
  it('refuses a day that does not exist', () => {
    expect(() => absenceWindow('2026-02-30', '2026-03-01', 'UTC')).toThrow(RangeError);
  });
});

describe('absenceProblem', () => {
  const clin = (id: string) => ({ id, role: 'clinician' as const, active: true });
  const req = { staffId: 'a', coverId: 'b', startDate: '2026-05-01', endDate: '2026-05-03' };
  it('accepts a clinician marking their own absence with an active clinician as cover', () => {
    expect(absenceProblem(req, { actor: clin('a'), absent: clin('a'), cover: clin('b') }, '2026-04-30')).toBe(
      null,
    );
  });
  it.each([
    [
      'someone else’s, not admin',
      { actor: clin('c') },
      'Only an admin can mark an absence for someone else.',
    ],
    [
      'an inactive cover',
      { cover: { ...clin('b'), active: false } },
      'The covering colleague must be an active clinician.',
    ],
    [
      'an admin as cover',
      { cover: { id: 'b', role: 'admin' as const, active: true } },
      'The covering colleague must be an active clinician.',
    ],
    [
      'a receptionist absent',
      { absent: { id: 'a', role: 'receptionist' as const, active: true } },
      'Only a clinician’s absence can be covered.',
    ],
  ])('refuses %s', (_name, change, message) => {
    const parties = { actor: clin('a'), absent: clin('a'), cover: clin('b'), ...change };
    expect(absenceProblem(req, parties, '2026-04-30')).toBe(message);
  });
  it('lets an admin mark it for the clinician', () => {
    const parties = { actor: { id: 'x', role: 'admin' as const }, absent: clin('a'), cover: clin('b') };
    expect(absenceProblem(req, parties, '2026-04-30')).toBe(null);
  });
  it('refuses more than 366 days and an absence already over', () => {
    const parties = { actor: clin('a'), absent: clin('a'), cover: clin('b') };
    expect(absenceProblem({ ...req, endDate: '2027-05-02' }, parties, '2026-04-30')).toBe(
      'An absence covers at most 366 days.',
    );
    expect(absenceProblem(req, parties, '2026-05-04')).toBe('This absence is already over.');
  });
});

describe('absenceOverlapProblem', () => {
  const at = (d: string) => `2026-05-${d}T00:00:00.000Z`;
  const mine = { id: 'n', staffId: 'a', coverId: 'b', startsAt: at('10'), endsAt: at('12') };
  it('allows back-to-back absences and ignores ended ones', () => {
    expect(
      absenceOverlapProblem(mine, [
        { id: 'o', staffId: 'a', coverId: 'b', startsAt: at('12'), endsAt: at('14'), phase: 'scheduled' },
        { id: 'p', staffId: 'a', coverId: 'b', startsAt: at('09'), endsAt: at('11'), phase: 'ended' },
      ]),
    ).toBe(null);
  });
  it('refuses the same person twice, a cover who is away, an absentee who covers', () => {
    const o = { id: 'o', startsAt: at('11'), endsAt: at('13'), phase: 'scheduled' as const };
    expect(absenceOverlapProblem(mine, [{ ...o, staffId: 'a', coverId: 'c' }])).toMatch(
      /already marked away/,
    );
    expect(absenceOverlapProblem(mine, [{ ...o, staffId: 'b', coverId: 'c' }])).toMatch(/colleague is away/);
    expect(absenceOverlapProblem(mine, [{ ...o, staffId: 'c', coverId: 'a' }])).toMatch(
      /covers for a colleague/,
    );
  });
});
