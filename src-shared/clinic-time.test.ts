/**
 * Clinic time (issue 13a) with expected instants written out by hand from the published zone rules:
 * New York EST = UTC−5, EDT = UTC−4 (2027: DST from 14 March 02:00 to 7 November 02:00);
 * Lord Howe Island +11 in summer, +10:30 in winter (2027: back on 4 April 02:00, forward on 3 October 02:00).
 * The process TZ is irrelevant by construction; tests/e2e/clinic-time.test.ts varies it for the whole stack.
 */
import { describe, expect, it } from 'vitest';
import {
  instantAtLocal,
  isTimeZone,
  localDateOf,
  localDaysRange,
  localMinuteOf,
  todayAt,
} from './clinic-time';
import { IsoTime } from './domain';
import { slotGrid, slotProblem } from './schedule-rules';
import type { ProviderRecord } from './domain';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const provider: ProviderRecord = {
  id: 'prv-1',
  name: 'Dr. Test',
  specialty: 'GP',
  locationId: 'loc',
  slotMinutes: 30,
  dayStartMinute: 8 * 60,
  dayEndMinute: 17 * 60,
  version: 1,
};

describe('instants at the contract', () => {
  it('normalises an offset-written instant to UTC …Z and refuses days that do not exist', () => {
    expect(IsoTime.parse('2027-04-11T20:00:00-12:00')).toBe('2027-04-12T08:00:00.000Z');
    expect(IsoTime.parse('2027-04-12T20:15:00-12:00')).toBe('2027-04-13T08:15:00.000Z');
    expect(IsoTime.parse('2027-04-12T08:00:00Z')).toBe('2027-04-12T08:00:00.000Z');
    expect(IsoTime.parse('2026-11-23T09:30:00+05:30')).toBe('2026-11-23T04:00:00.000Z');
    expect(IsoTime.safeParse('2026-02-30T10:00:00Z').success).toBe(false);
    expect(IsoTime.safeParse('2026-02-28').success).toBe(false);
  });
});

describe('clinic time', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Australia/Lord_Howe')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it("today is the clinic's: 21:00 in New York on 30 November is 1 December in UTC", () => {
    const now = Date.parse('2026-12-01T02:00:00.000Z');
    expect(todayAt('America/New_York', now)).toBe('2026-11-30');
    expect(todayAt('Asia/Kolkata', now)).toBe('2026-12-01');
  });

  it('a local day spans the location’s midnights, 23 or 25 hours on a DST change', () => {
    expect(localDaysRange('2027-03-14', 1, 'America/New_York')).toEqual({
      from: '2027-03-14T05:00:00.000Z',
      to: '2027-03-15T04:00:00.000Z',
    });
    expect(localDaysRange('2027-11-07', 1, 'America/New_York')).toEqual({
      from: '2027-11-07T04:00:00.000Z',
      to: '2027-11-08T05:00:00.000Z',
    });
    // Lord Howe falls back 30 minutes on 4 April 2027: a 24.5-hour day.
    expect(localDaysRange('2027-04-04', 1, 'Australia/Lord_Howe')).toEqual({
      from: '2027-04-03T13:00:00.000Z',
      to: '2027-04-04T13:30:00.000Z',
    });
  });

  it('wall-clock minutes to instants and back; a skipped wall time does not exist', () => {
    expect(iso(instantAtLocal('2027-01-11', 9 * 60, 'America/New_York'))).toBe('2027-01-11T14:00:00.000Z');
    expect(iso(instantAtLocal('2027-07-12', 9 * 60, 'America/New_York'))).toBe('2027-07-12T13:00:00.000Z');
    expect(instantAtLocal('2027-03-14', 2 * 60 + 30, 'America/New_York')).toBeNull();
    expect(instantAtLocal('2027-10-03', 2 * 60 + 15, 'Australia/Lord_Howe')).toBeNull();
    expect(localMinuteOf('2027-04-04T22:30:00.000Z', 'Australia/Lord_Howe')).toBe(9 * 60);
    expect(localDateOf('2027-04-04T22:30:00.000Z', 'Australia/Lord_Howe')).toBe('2027-04-05');
  });
});

describe('wall-clock slot grids across daylight-saving changes', () => {
  it('a 09:00 slot stays 09:00 in New York on both sides of the March change, and on the day itself', () => {
    const ny = { timeZone: 'America/New_York' };
    const nine = (date: string) => slotGrid(provider, ny, date).find((s) => s.startMinute === 9 * 60)!.start;
    expect(nine('2027-03-12')).toBe('2027-03-12T14:00:00.000Z');
    expect(nine('2027-03-14')).toBe('2027-03-14T13:00:00.000Z');
    expect(nine('2027-03-15')).toBe('2027-03-15T13:00:00.000Z');
    expect(slotGrid(provider, ny, '2027-03-14')).toHaveLength(18);
  });

  it('Lord Howe: 09:00 is 22:00Z before the half-hour change and 22:30Z after; the day keeps all slots', () => {
    const lh = { timeZone: 'Australia/Lord_Howe' };
    const nine = (date: string) => slotGrid(provider, lh, date).find((s) => s.startMinute === 9 * 60)!.start;
    expect(nine('2027-04-02')).toBe('2027-04-01T22:00:00.000Z');
    expect(nine('2027-04-04')).toBe('2027-04-03T22:30:00.000Z');
    expect(nine('2027-04-05')).toBe('2027-04-04T22:30:00.000Z');
    expect(slotGrid(provider, lh, '2027-04-04')).toHaveLength(18);
  });

  it('slotProblem reads working hours in the location’s zone and names it', () => {
    const ny = { timeZone: 'America/New_York' };
    expect(slotProblem(provider, ny, '2027-01-11T13:00:00.000Z', '2027-01-11T13:30:00.000Z')).toBeNull();
    expect(slotProblem(provider, ny, '2027-01-11T08:00:00.000Z', '2027-01-11T08:30:00.000Z')).toBe(
      "Outside Dr. Test's working hours (08:00–17:00 America/New_York).",
    );
    expect(slotProblem(provider, ny, '2027-01-11T13:10:00.000Z', '2027-01-11T13:40:00.000Z')).toBe(
      "Not on Dr. Test's 30-minute slot grid.",
    );
  });
});

describe('a wall-clock hour repeated at a fall-back change is served twice (issue 13 leftover)', () => {
  const night: ProviderRecord = { ...provider, dayStartMinute: 0, dayEndMinute: 4 * 60 };

  it('New York, Sunday 1 November 2026: 01:00 and 01:30 come as EDT (UTC−4) and again as EST (UTC−5)', () => {
    const grid = slotGrid(night, { timeZone: 'America/New_York' }, '2026-11-01');
    expect(grid.map((s) => [s.startMinute, s.start, s.end])).toEqual([
      [0, '2026-11-01T04:00:00.000Z', '2026-11-01T04:30:00.000Z'],
      [30, '2026-11-01T04:30:00.000Z', '2026-11-01T05:00:00.000Z'],
      [60, '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z'],
      [90, '2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z'],
      [60, '2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z'],
      [90, '2026-11-01T06:30:00.000Z', '2026-11-01T07:00:00.000Z'],
      [120, '2026-11-01T07:00:00.000Z', '2026-11-01T07:30:00.000Z'],
      [150, '2026-11-01T07:30:00.000Z', '2026-11-01T08:00:00.000Z'],
      [180, '2026-11-01T08:00:00.000Z', '2026-11-01T08:30:00.000Z'],
      [210, '2026-11-01T08:30:00.000Z', '2026-11-01T09:00:00.000Z'],
    ]);
    const ny = { timeZone: 'America/New_York' };
    // both occurrences of 01:30 are bookable; a span across the two is not one slot
    expect(slotProblem(night, ny, '2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z')).toBeNull();
    expect(slotProblem(night, ny, '2026-11-01T06:30:00.000Z', '2026-11-01T07:00:00.000Z')).toBeNull();
    expect(slotProblem(night, ny, '2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z')).toBeNull();
    expect(instantAtLocal('2026-11-01', 60, 'America/New_York')).toBe(Date.parse('2026-11-01T05:00:00Z'));
  });

  it('Lord Howe, Sunday 4 April 2027: 01:30 comes at +11 and again at +10:30 (a half-hour shift)', () => {
    const grid = slotGrid(night, { timeZone: 'Australia/Lord_Howe' }, '2027-04-04');
    expect(grid.map((s) => [s.startMinute, s.start, s.end])).toEqual([
      [0, '2027-04-03T13:00:00.000Z', '2027-04-03T13:30:00.000Z'],
      [30, '2027-04-03T13:30:00.000Z', '2027-04-03T14:00:00.000Z'],
      [60, '2027-04-03T14:00:00.000Z', '2027-04-03T14:30:00.000Z'],
      [90, '2027-04-03T14:30:00.000Z', '2027-04-03T15:00:00.000Z'],
      [90, '2027-04-03T15:00:00.000Z', '2027-04-03T15:30:00.000Z'],
      [120, '2027-04-03T15:30:00.000Z', '2027-04-03T16:00:00.000Z'],
      [150, '2027-04-03T16:00:00.000Z', '2027-04-03T16:30:00.000Z'],
      [180, '2027-04-03T16:30:00.000Z', '2027-04-03T17:00:00.000Z'],
      [210, '2027-04-03T17:00:00.000Z', '2027-04-03T17:30:00.000Z'],
    ]);
    expect(
      slotProblem(
        night,
        { timeZone: 'Australia/Lord_Howe' },
        '2027-04-03T15:00:00.000Z',
        '2027-04-03T15:30:00.000Z',
      ),
    ).toBeNull();
  });
});
