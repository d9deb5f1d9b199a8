/**
 * Recurring appointments across two desks (issue 13 §4): a weekly series booked at one desk in a New York clinic
 * across the March 2027 daylight-saving change (every visit at 09:00 local: 14:00Z before 14 March, 13:00Z after),
 * with one occurrence already taken at the other desk (shown before booking, booked only when the person agrees,
 * left out as an EXDATE); then one visit cancelled (EXDATE), this-and-following cancelled (UNTIL), and the whole
 * rest moved to 10:00 (a new series), each synced to the other desk through the real backend. Expected instants
 * are written by hand. Real cores, routers, encrypted stores and keychain; backend on loopback.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderView, SeriesBooked, SeriesPreview } from '../../src-shared/views';
import { type TestConsole } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const clinic = useSyncedConsoles(['reception1', 'reception2'], {
  portal: { timeZone: 'America/New_York' },
  sync: false,
});
let a: TestConsole;
let b: TestConsole;
let provider: ProviderView;
let patientId: string;
let seriesId: string;
let ids: string[];

// Mondays at 09:00 in New York (EST = UTC−5 until 14 March 2027, EDT = UTC−4 after), written out by hand.
const MONDAYS_0900 = [
  '2027-03-08T14:00:00.000Z',
  '2027-03-15T13:00:00.000Z',
  '2027-03-22T13:00:00.000Z',
  '2027-03-29T13:00:00.000Z',
  '2027-04-05T13:00:00.000Z',
  '2027-04-12T13:00:00.000Z',
];
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

async function syncBoth(): Promise<void> {
  await a.ok('sync.now');
  await b.ok('sync.now');
  await a.ok('sync.now');
}
const ruleAt = (c: TestConsole, id: string) => c.core.store.series.byId(id)?.rule;
const visits = (c: TestConsole, id: string) =>
  c.core.store.appointments.ofSeries(id).map((x) => [x.start, x.status, x.version > 0]);

beforeAll(async () => {
  [a, b] = clinic.consoles;
  await syncBoth();
  provider = (await a.ok<ProviderView[]>('providers.list'))[0]!;
  expect(provider.dayStartMinute).toBeLessThanOrEqual(9 * 60);
  patientId = a.core.store.patients.search('o', 1)[0]!.id;
});

const weekly = () => ({
  patientId,
  providerId: provider.id,
  start: MONDAYS_0900[0],
  end: plus(MONDAYS_0900[0]!, provider.slotMinutes),
  freq: 'WEEKLY',
  interval: 1,
  count: 6,
});

describe('a weekly series across a daylight-saving change, edited at two desks', () => {
  it('shows the occurrence taken at another desk before booking, and books the rest only when agreed', async () => {
    const other = b.core.store.patients.search('a', 3).find((p) => p.id !== patientId)!;
    await b.ok('appointment.book', {
      patientId: other.id,
      providerId: provider.id,
      start: MONDAYS_0900[2],
      end: plus(MONDAYS_0900[2]!, provider.slotMinutes),
      reason: 'Check-up',
      virtual: false,
    });
    await syncBoth();

    const preview = await a.ok<SeriesPreview>('series.preview', weekly());
    expect(preview.rule).toBe(
      'DTSTART;TZID=America/New_York:20270308T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=6',
    );
    expect(preview.occurrences.map((o) => [o.start, o.problem === null])).toEqual(
      MONDAYS_0900.map((s, i) => [s, i !== 2]),
    );
    expect(preview.occurrences[2]!.problem).toMatch(/already has a visit/);

    const refused = await a.call('series.book', {
      ...weekly(),
      reason: 'Physio',
      virtual: false,
      skipConflicts: false,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(
      a.core.store.appointments.range(MONDAYS_0900[0]!, '2027-05-01T00:00:00.000Z', provider.id),
    ).toHaveLength(1);

    const booked = await a.ok<SeriesBooked>('series.book', {
      ...weekly(),
      reason: 'Physio',
      virtual: false,
      skipConflicts: true,
    });
    seriesId = booked.seriesId;
    ids = booked.appointmentIds;
    expect(booked.skipped.map((s) => s.start)).toEqual([MONDAYS_0900[2]]);
    expect(ids).toHaveLength(5);
    await syncBoth();
    const withExdate =
      'DTSTART;TZID=America/New_York:20270308T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=6\nEXDATE:20270322T130000Z';
    for (const desk of [a, b]) {
      expect(ruleAt(desk, seriesId)).toBe(withExdate);
      expect(visits(desk, seriesId)).toEqual([0, 1, 3, 4, 5].map((i) => [MONDAYS_0900[i], 'booked', true]));
    }
  });

  it('cancels one visit at the other desk: an EXDATE, synced back', async () => {
    const second = b.core.store.appointments.ofSeries(seriesId)[1]!;
    expect(second.start).toBe(MONDAYS_0900[1]);
    expect(
      await b.ok('series.cancel', { appointmentId: second.id, scope: 'one', code: 'patient-unwell' }),
    ).toEqual({
      cancelled: 1,
    });
    await syncBoth();
    for (const desk of [a, b]) {
      expect(ruleAt(desk, seriesId)).toBe(
        'DTSTART;TZID=America/New_York:20270308T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=6\nEXDATE:20270315T130000Z\nEXDATE:20270322T130000Z',
      );
      expect(desk.core.store.appointments.byId(second.id)).toMatchObject({
        status: 'cancelled',
        cancelCode: 'patient-unwell',
      });
    }
  });

  it('cancels this and the following visits: the rule ends with UNTIL before them', async () => {
    const fifth = a.core.store.appointments.ofSeries(seriesId).find((x) => x.start === MONDAYS_0900[4])!;
    expect(
      await a.ok('series.cancel', { appointmentId: fifth.id, scope: 'following', code: 'patient-request' }),
    ).toEqual({ cancelled: 2 });
    await syncBoth();
    for (const desk of [a, b]) {
      expect(ruleAt(desk, seriesId)).toBe(
        'DTSTART;TZID=America/New_York:20270308T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20270405T125959Z\nEXDATE:20270315T130000Z\nEXDATE:20270322T130000Z',
      );
      expect(visits(desk, seriesId)).toEqual([
        [MONDAYS_0900[0], 'booked', true],
        [MONDAYS_0900[1], 'cancelled', true],
        [MONDAYS_0900[3], 'booked', true],
        [MONDAYS_0900[4], 'cancelled', true],
        [MONDAYS_0900[5], 'cancelled', true],
      ]);
    }
  });

  it('moves the whole rest of the series to 10:00: a new series, still 10:00 local after the change', async () => {
    const first = b.core.store.appointments.ofSeries(seriesId)[0]!;
    const start = '2027-03-08T15:00:00.000Z'; // 10:00 EST
    const moved = await b.ok<SeriesBooked>('series.reschedule', {
      appointmentId: first.id,
      scope: 'all',
      providerId: provider.id,
      start,
      end: plus(start, provider.slotMinutes),
      skipConflicts: false,
    });
    expect(moved.skipped).toEqual([]);
    await syncBoth();
    for (const desk of [a, b]) {
      // the old series ends before its first visit; its two remaining visits are cancelled as rescheduled
      expect(ruleAt(desk, seriesId)).toBe(
        'DTSTART;TZID=America/New_York:20270308T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20270308T135959Z',
      );
      expect(desk.core.store.appointments.byId(first.id)).toMatchObject({
        status: 'cancelled',
        cancelCode: 'rescheduled',
      });
      // the same two Mondays at 10:00 (the weeks between excluded): 10:00 EST, then 10:00 EDT
      expect(ruleAt(desk, moved.seriesId)).toBe(
        'DTSTART;TZID=America/New_York:20270308T100000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4\nEXDATE:20270315T140000Z\nEXDATE:20270322T140000Z',
      );
      expect(visits(desk, moved.seriesId)).toEqual([
        ['2027-03-08T15:00:00.000Z', 'booked', true],
        ['2027-03-29T14:00:00.000Z', 'booked', true],
      ]);
    }
    expect(a.core.store.outbox.countWork()).toBe(0);
    expect(b.core.store.syncProblems.list()).toEqual([]);
  });

  it('moving one visit on its own keeps it in the series and excludes its old time from the rule', async () => {
    const movedSeries = b.core.store.series.byId(
      b.core.store.appointments
        .range('2027-03-29T00:00:00.000Z', '2027-03-30T00:00:00.000Z', provider.id)
        .find((x) => x.patient_id === patientId && x.status === 'booked')!.series_id!,
    )!;
    const last = b.core.store.appointments
      .ofSeries(movedSeries.id)
      .find((x) => x.start === '2027-03-29T14:00:00.000Z')!;
    // Tuesday 30 March, 10:00 EDT
    await b.ok('appointment.reschedule', {
      appointmentId: last.id,
      providerId: provider.id,
      start: '2027-03-30T14:00:00.000Z',
      end: plus('2027-03-30T14:00:00.000Z', provider.slotMinutes),
    });
    await syncBoth();
    for (const desk of [a, b]) {
      expect(ruleAt(desk, movedSeries.id)).toBe(
        'DTSTART;TZID=America/New_York:20270308T100000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4\nEXDATE:20270315T140000Z\nEXDATE:20270322T140000Z\nEXDATE:20270329T140000Z',
      );
      expect(desk.core.store.appointments.byId(last.id)).toMatchObject({
        start: '2027-03-30T14:00:00.000Z',
        seriesId: movedSeries.id,
        status: 'booked',
      });
    }
  });

  it('refuses a series beyond 52 visits, or beyond the days this PC holds, with a clear error', async () => {
    const result = await a.call('series.preview', { ...weekly(), count: 53 });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'A series may have at most 52 visits: end it sooner or repeat less often.',
      },
    });
    // Thirty Mondays from 8 March 2027 end on 27 September, past the 180 days ahead this PC holds (to 22 May 2027)
    const farther = await a.call('series.preview', { ...weekly(), count: 30 });
    expect(farther).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'A series must end within the 180 days ahead this PC holds the schedule: end it sooner.',
      },
    });
    // Twelve end on 24 May 2027 (past 22 May): refused; eleven end on 17 May: checked visit by visit
    expect(await a.call('series.preview', { ...weekly(), count: 12 })).toMatchObject({ ok: false });
    expect(await a.call('series.preview', { ...weekly(), count: 11 })).toMatchObject({ ok: true });
  });
});
