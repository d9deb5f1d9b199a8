/**
 * Availability rules (issue 13 §3, §5), with expected instants written out by hand from the published zone rules:
 * New York EST = UTC−5, EDT = UTC−4; in 2027 the clocks go forward on Sunday 14 March at 02:00 (02:00–03:00 does
 * not exist) and back on Sunday 7 November.
 */
import { describe, expect, it } from 'vitest';
import { addLocalDays } from './clinic-time';
import {
  bookableProblem,
  dayPlan,
  exceptionProblem,
  nextFreeSlots,
  planSlots,
  templateProblem,
  type AvailabilityBlock,
  type AvailabilityExceptionRecord,
  type ProviderAvailability,
} from './availability';
import type { ProviderRecord } from './domain';

const NY = { id: 'loc-ny', timeZone: 'America/New_York' };
const provider: ProviderRecord = {
  id: 'prv-1',
  name: 'Dr. Test',
  specialty: 'GP',
  locationId: 'loc-ny',
  slotMinutes: 30,
  dayStartMinute: 8 * 60,
  dayEndMinute: 17 * 60,
  version: 1,
};

/** 08:00–17:00 every day with lunch 12:00–13:00, and an admin hour 16:00–17:00 on Fridays. */
const blocks: AvailabilityBlock[] = [];
for (let weekday = 1; weekday <= 7; weekday++) {
  blocks.push({ weekday, startMinute: 480, endMinute: 1020, kind: 'work' });
  blocks.push({ weekday, startMinute: 720, endMinute: 780, kind: 'lunch' });
}
blocks.push({ weekday: 5, startMinute: 960, endMinute: 1020, kind: 'admin' });
const weekly: ProviderAvailability = { template: { blocks }, exceptions: [] };

let n = 0;
const exception = (e: Partial<AvailabilityExceptionRecord>): AvailabilityExceptionRecord => ({
  id: `avx-${++n}`,
  kind: 'holiday',
  locationId: 'loc-ny',
  providerId: null,
  fromDate: '2027-07-05',
  toDate: '2027-07-05',
  startMinute: null,
  endMinute: null,
  label: '',
  version: 1,
  ...e,
});

describe('weekly template', () => {
  it('offers no slot in lunch and refuses a booking there, at the right instant across the spring change', () => {
    // Saturday 13 March 2027 (EST): lunch 12:00 = 17:00Z. Sunday 14 March (EDT, the change day): 12:00 = 16:00Z.
    const sat = planSlots(provider, NY, dayPlan(provider, weekly, '2027-03-13'));
    const sun = planSlots(provider, NY, dayPlan(provider, weekly, '2027-03-14'));
    expect(sat.find((s) => s.startMinute === 720)).toMatchObject({
      start: '2027-03-13T17:00:00.000Z',
      off: { kind: 'lunch', label: 'Lunch' },
    });
    expect(sun.find((s) => s.startMinute === 720)).toMatchObject({
      start: '2027-03-14T16:00:00.000Z',
      off: { kind: 'lunch' },
    });
    expect(sun.find((s) => s.startMinute === 540)).toMatchObject({
      start: '2027-03-14T13:00:00.000Z',
      off: null,
    });
    expect(sun.filter((s) => s.off === null)).toHaveLength(16);

    expect(
      bookableProblem(provider, NY, weekly, '2027-03-14T16:00:00.000Z', '2027-03-14T16:30:00.000Z'),
    ).toBe('Lunch (12:00–13:00 America/New_York) is not bookable.');
    // 16:00Z was lunch on the change day; 17:00Z is 13:00 EDT, the first slot after it.
    expect(
      bookableProblem(provider, NY, weekly, '2027-03-14T17:00:00.000Z', '2027-03-14T17:30:00.000Z'),
    ).toBeNull();
    // A visit running from 11:30 into lunch is refused too.
    expect(
      bookableProblem(provider, NY, weekly, '2027-03-14T15:30:00.000Z', '2027-03-14T16:30:00.000Z'),
    ).toMatch(/^Lunch/);
    // Friday 19 March (EDT): the admin hour 16:00–17:00 = 20:00Z–21:00Z.
    expect(
      bookableProblem(provider, NY, weekly, '2027-03-19T20:00:00.000Z', '2027-03-19T20:30:00.000Z'),
    ).toBe('Admin time (16:00–17:00 America/New_York) is not bookable.');
  });

  it('keeps lunch at 12:00 wall clock on the autumn change day, and at Lord Howe Island (a 30-minute shift)', () => {
    // New York, Sunday 7 November 2027: EDT until 02:00, then EST. 12:00 EST = 17:00Z; the day before 16:00Z.
    const lunchAt = (date: string, zone: { timeZone: string }) =>
      planSlots(provider, zone, dayPlan(provider, weekly, date)).find((s) => s.startMinute === 720)?.start;
    expect(lunchAt('2027-11-06', NY)).toBe('2027-11-06T16:00:00.000Z');
    expect(lunchAt('2027-11-07', NY)).toBe('2027-11-07T17:00:00.000Z');
    // Lord Howe Island, Sunday 4 April 2027: +11 until 02:00, then +10:30. 12:00 = 01:30Z; the day before 01:00Z.
    const LHI = { timeZone: 'Australia/Lord_Howe' };
    expect(lunchAt('2027-04-03', LHI)).toBe('2027-04-03T01:00:00.000Z');
    expect(lunchAt('2027-04-04', LHI)).toBe('2027-04-04T01:30:00.000Z');
    expect(
      bookableProblem(provider, LHI, weekly, '2027-04-04T01:30:00.000Z', '2027-04-04T02:00:00.000Z'),
    ).toBe('Lunch (12:00–13:00 Australia/Lord_Howe) is not bookable.');
    // 13:00 local on the change day = 02:30Z, bookable
    expect(
      bookableProblem(provider, LHI, weekly, '2027-04-04T02:30:00.000Z', '2027-04-04T03:00:00.000Z'),
    ).toBeNull();
  });

  it('never offers a wall time the change day skips, and keeps the working hours of a day without a template', () => {
    const night: ProviderAvailability = {
      template: { blocks: [{ weekday: 7, startMinute: 60, endMinute: 240, kind: 'work' }] },
      exceptions: [],
    };
    const slots = planSlots(provider, NY, dayPlan(provider, night, '2027-03-14'));
    // 01:30–02:00 ends at a wall time the day does not have, 02:00 and 02:30 do not exist (as slotGrid).
    expect(slots.map((s) => s.startMinute)).toEqual([60, 180, 210]);
    expect(slots.map((s) => s.start)).toEqual([
      '2027-03-14T06:00:00.000Z',
      '2027-03-14T07:00:00.000Z',
      '2027-03-14T07:30:00.000Z',
    ]);
    // A weekday the template does not list is not worked.
    expect(dayPlan(provider, night, '2027-03-15').work).toEqual([]);
    expect(bookableProblem(provider, NY, night, '2027-03-15T13:00:00.000Z', '2027-03-15T13:30:00.000Z')).toBe(
      'Dr. Test does not work on 2027-03-15.',
    );
    // No template: the provider's default hours, with the messages of before.
    const none: ProviderAvailability = { template: null, exceptions: [] };
    expect(bookableProblem(provider, NY, none, '2027-03-15T11:30:00.000Z', '2027-03-15T12:00:00.000Z')).toBe(
      "Outside Dr. Test's working hours (08:00–17:00 America/New_York).",
    );
    expect(bookableProblem(provider, NY, none, '2027-03-15T13:15:00.000Z', '2027-03-15T13:45:00.000Z')).toBe(
      "Not on Dr. Test's 30-minute slot grid.",
    );
    expect(
      bookableProblem(provider, NY, none, '2027-03-15T16:00:00.000Z', '2027-03-15T16:30:00.000Z'),
    ).toBeNull();
  });

  it('checks templates and exceptions for shape', () => {
    expect(templateProblem(blocks)).toBeNull();
    expect(templateProblem([{ weekday: 1, startMinute: 600, endMinute: 600, kind: 'work' }])).toMatch(
      /end after/,
    );
    expect(
      templateProblem([
        { weekday: 1, startMinute: 480, endMinute: 720, kind: 'work' },
        { weekday: 1, startMinute: 700, endMinute: 900, kind: 'work' },
      ]),
    ).toMatch(/overlap/);
    const ok = exception({});
    expect(exceptionProblem(ok)).toBeNull();
    expect(exceptionProblem({ ...ok, toDate: '2027-07-04' })).toMatch(/before the first/);
    expect(exceptionProblem({ ...ok, kind: 'leave' })).toMatch(/one provider/);
    expect(exceptionProblem({ ...ok, kind: 'session', providerId: 'prv-1' })).toMatch(/start and end/);
    expect(exceptionProblem({ ...ok, startMinute: 600, endMinute: null })).toMatch(/both/);
    expect(exceptionProblem({ ...ok, toDate: '2028-07-06' })).toMatch(/at most 366/);
  });
});

describe('exceptions', () => {
  it('a holiday closes the location for everyone there, and nowhere else', () => {
    const holiday = exception({ label: 'Independence Day (observed)' });
    const withHoliday: ProviderAvailability = { template: { blocks }, exceptions: [holiday] };
    const plan = dayPlan(provider, withHoliday, '2027-07-05');
    expect(plan.closed).toEqual({
      startMinute: 480,
      endMinute: 1020,
      kind: 'holiday',
      label: 'Holiday: Independence Day (observed)',
    });
    expect(planSlots(provider, NY, plan)).toEqual([]);
    // 10:00 EDT on 5 July = 14:00Z
    expect(
      bookableProblem(provider, NY, withHoliday, '2027-07-05T14:00:00.000Z', '2027-07-05T14:30:00.000Z'),
    ).toBe(
      'Holiday: Independence Day (observed): the clinic is closed on 2027-07-05; nothing can be booked that day.',
    );
    // The next day, and another location's provider, are untouched.
    expect(
      bookableProblem(provider, NY, withHoliday, '2027-07-06T14:00:00.000Z', '2027-07-06T14:30:00.000Z'),
    ).toBeNull();
    const elsewhere = { ...provider, id: 'prv-2', locationId: 'loc-other' };
    expect(dayPlan(elsewhere, withHoliday, '2027-07-05').closed).toBeNull();
  });

  it('leave closes one provider for a date range; a one-off session adds a working block; partial leave blocks minutes', () => {
    const leave = exception({
      kind: 'leave',
      providerId: 'prv-1',
      fromDate: '2027-08-02',
      toDate: '2027-08-06',
    });
    const other = { ...provider, id: 'prv-2' };
    const a: ProviderAvailability = { template: { blocks }, exceptions: [leave] };
    for (const day of ['2027-08-02', '2027-08-04', '2027-08-06'])
      expect(dayPlan(provider, a, day).closed?.kind).toBe('leave');
    expect(dayPlan(provider, a, '2027-08-07').closed).toBeNull();
    expect(dayPlan(other, a, '2027-08-04').closed).toBeNull();
    expect(bookableProblem(provider, NY, a, '2027-08-04T13:00:00.000Z', '2027-08-04T13:30:00.000Z')).toBe(
      'Dr. Test is on leave on 2027-08-04 (Leave); nothing can be booked with them that day.',
    );

    // Saturday 10 July 2027: the template of this test works every day 08:00–17:00; a session 18:00–20:00 adds to it.
    const session = exception({
      kind: 'session',
      providerId: 'prv-1',
      fromDate: '2027-07-10',
      toDate: '2027-07-10',
      startMinute: 1080,
      endMinute: 1200,
      label: 'Evening clinic',
    });
    const b: ProviderAvailability = { template: { blocks }, exceptions: [session] };
    const plan = dayPlan(provider, b, '2027-07-10');
    expect(plan.work).toEqual([
      { startMinute: 480, endMinute: 1020 },
      { startMinute: 1080, endMinute: 1200 },
    ]);
    // 18:30 EDT = 22:30Z
    expect(
      bookableProblem(provider, NY, b, '2027-07-10T22:30:00.000Z', '2027-07-10T23:00:00.000Z'),
    ).toBeNull();
    expect(bookableProblem(provider, NY, b, '2027-07-11T22:30:00.000Z', '2027-07-11T23:00:00.000Z')).toMatch(
      /^Outside Dr\. Test's working hours \(08:00–17:00 America\/New_York\)/,
    );
    // A holiday that day wins over the session.
    const c: ProviderAvailability = {
      template: { blocks },
      exceptions: [session, exception({ fromDate: '2027-07-10', toDate: '2027-07-10' })],
    };
    expect(dayPlan(provider, c, '2027-07-10').closed?.kind).toBe('holiday');

    const afternoonOff = exception({
      kind: 'leave',
      providerId: 'prv-1',
      fromDate: '2027-07-12',
      toDate: '2027-07-12',
      startMinute: 840,
      endMinute: 1020,
      label: 'Dentist',
    });
    const d: ProviderAvailability = { template: { blocks }, exceptions: [afternoonOff] };
    // 14:00 EDT = 18:00Z
    expect(bookableProblem(provider, NY, d, '2027-07-12T18:00:00.000Z', '2027-07-12T18:30:00.000Z')).toBe(
      'Leave: Dentist (14:00–17:00 America/New_York) is not bookable.',
    );
    expect(
      bookableProblem(provider, NY, d, '2027-07-12T13:00:00.000Z', '2027-07-12T13:30:00.000Z'),
    ).toBeNull();
  });
});

describe('next free slot', () => {
  const second = { ...provider, id: 'prv-2', name: 'Dr. Second', slotMinutes: 15 };
  const source = (
    p: ProviderRecord,
    availability: ProviderAvailability,
    busy: { start: string; end: string }[] = [],
  ) => ({
    provider: p,
    location: NY,
    availability,
    busy,
  });
  const find = (
    sources: ReturnType<typeof source>[],
    extra: Partial<Parameters<typeof nextFreeSlots>[0]> = {},
  ) =>
    nextFreeSlots({
      sources,
      minutes: 30,
      fromDate: '2027-07-05',
      toDate: '2027-07-09',
      windowStart: 480,
      windowEnd: 720,
      limit: 3,
      isPast: () => false,
      addDays: addLocalDays,
      ...extra,
    });

  it('returns the earliest free starts across providers, skipping holidays, bookings, lunch and the past', () => {
    const holiday = exception({});
    // 5 July is a holiday; on 6 July Dr. Test is booked 08:00–09:00 EDT (12:00Z–13:00Z), Dr. Second 08:00–08:30.
    const found = find(
      [
        source(provider, { template: { blocks }, exceptions: [holiday] }, [
          { start: '2027-07-06T12:00:00.000Z', end: '2027-07-06T13:00:00.000Z' },
        ]),
        source(second, { template: { blocks }, exceptions: [holiday] }, [
          { start: '2027-07-06T12:00:00.000Z', end: '2027-07-06T12:30:00.000Z' },
        ]),
      ],
      { limit: 4 },
    );
    expect(found.map((f) => [f.providerId, f.start])).toEqual([
      ['prv-2', '2027-07-06T12:30:00.000Z'],
      ['prv-2', '2027-07-06T12:45:00.000Z'],
      // same instant: by provider name (Dr. Second before Dr. Test)
      ['prv-2', '2027-07-06T13:00:00.000Z'],
      ['prv-1', '2027-07-06T13:00:00.000Z'],
    ]);
    expect(found[0]).toMatchObject({ date: '2027-07-06', startMinute: 510, end: '2027-07-06T13:00:00.000Z' });

    // Afternoons only (13:00–17:00): the first starts after lunch, never inside it; a 30-minute visit at 11:45
    // would run into lunch and is not offered in a morning search either.
    const afternoon = find([source(second, weekly)], { windowStart: 720, windowEnd: 1020, limit: 1 });
    expect(afternoon[0]?.start).toBe('2027-07-05T17:00:00.000Z');
    const mornings = find([source(second, weekly)], { limit: 20 });
    expect(mornings.some((f) => f.startMinute === 705)).toBe(false);
    expect(mornings.filter((f) => f.date === '2027-07-05').at(-1)?.startMinute).toBe(690);

    // The past is left out (the guardrail decides).
    const later = find([source(provider, weekly)], {
      limit: 1,
      isPast: (start) => start < '2027-07-07T00:00:00.000Z',
    });
    expect(later[0]?.start).toBe('2027-07-07T12:00:00.000Z');
    // A length the provider's grid cannot take is not offered by that provider.
    expect(find([source(provider, weekly)], { minutes: 45 })).toEqual([]);
  });
});
