/**
 * Issue 13 §4/§5 on the server: a modified console cannot create a conflicting or off-rule occurrence of a
 * recurring series, nor an unbounded series, nor grow a series afterwards; a booking from the waitlist takes the
 * entry off the list once. Pushes are written by hand, as a console that skips its own checks would send them.
 * Clock: Monday 2 March 2026 09:00 UTC; the demo clinic is in UTC; prv-001 has 15-minute slots, prv-002 30-minute.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERLAP_NEEDS_REASON } from '../src-shared/schedule-rules';
import { PushResponse, type MutationOp, type MutationResult } from '../src-shared/sync';
import { call, pullAll, signInStaff, startServer, type Running, type StaffLogin } from './test/helpers';

let run: Running;
let desk: StaffLogin;

beforeAll(async () => {
  run = await startServer({ scale: 0.05 });
  desk = await signInStaff(run, 'reception1');
});
afterAll(async () => run?.stop());

async function push(
  entityId: string,
  op: MutationOp,
  baseVersion: number | null = null,
  who: StaffLogin = desk,
): Promise<MutationResult> {
  const res = await call(run.url, 'POST', '/sync/push', {
    token: who.accessToken,
    body: {
      deviceId: who.deviceId,
      mutations: [
        {
          id: randomUUID(),
          entityId,
          baseVersion,
          createdAt: new Date(run.clock.ms).toISOString(),
          staffId: who.staff.id,
          mutation: op,
        },
      ],
    },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results[0]!;
}
const outcome = (r: MutationResult): string => (r.status === 'applied' ? 'applied' : r.reason);

const PATIENT = 'pat-000003';
// Four Mondays at 14:00 UTC (the clinic's zone), written out by hand.
const RULE = 'DTSTART;TZID=UTC:20260406T140000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4';
const createSeries = (rule = RULE, patientId = PATIENT): MutationOp => ({
  op: 'series.create',
  patientId,
  providerId: 'prv-001',
  rule,
  minutes: 15,
  reason: 'Physio',
  visitTypeId: null,
  virtual: false,
});
const occurrence = (seriesId: string, start: string, patientId = PATIENT): MutationOp => ({
  op: 'appointment.book',
  patientId,
  providerId: 'prv-001',
  start,
  end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
  reason: 'Physio',
  virtualLink: null,
  seriesId,
});

describe('recurring series from a modified console (issue 13 §4)', () => {
  it('books occurrences on the rule and refuses off-rule, conflicting and overlapping ones', async () => {
    const seriesId = randomUUID();
    expect(outcome(await push(seriesId, createSeries()))).toBe('applied');
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-04-06T14:00:00.000Z')))).toBe(
      'applied',
    );
    // a Tuesday is not an occurrence of the Monday rule, nor is 14:15
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-04-07T14:00:00.000Z')))).toBe(
      'This time is not an occurrence of the series.',
    );
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-04-13T14:15:00.000Z')))).toBe(
      'This time is not an occurrence of the series.',
    );
    // the fifth Monday is past COUNT=4
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-05-04T14:00:00.000Z')))).toBe(
      'This time is not an occurrence of the series.',
    );
    // another patient already holds the provider's slot on 13 April: a conflict, as any booking
    const other = await push(randomUUID(), {
      op: 'appointment.book',
      patientId: 'pat-000004',
      providerId: 'prv-001',
      start: '2026-04-13T14:00:00.000Z',
      end: '2026-04-13T14:15:00.000Z',
      reason: 'Check-up',
      virtualLink: null,
    });
    expect(outcome(other)).toBe('applied');
    const taken = await push(randomUUID(), occurrence(seriesId, '2026-04-13T14:00:00.000Z'));
    expect(taken.status).toBe('conflict');
    // the patient has another visit (other provider) on 20 April at that time: needs a reason, as any booking
    expect(
      outcome(
        await push(randomUUID(), {
          op: 'appointment.book',
          patientId: PATIENT,
          providerId: 'prv-002',
          start: '2026-04-20T14:00:00.000Z',
          end: '2026-04-20T14:30:00.000Z',
          reason: 'Check-up',
          virtualLink: null,
        }),
      ),
    ).toBe('applied');
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-04-20T14:00:00.000Z')))).toBe(
      OVERLAP_NEEDS_REASON,
    );
    // a wrong length, another patient on this series
    expect(
      outcome(
        await push(randomUUID(), {
          ...(occurrence(seriesId, '2026-04-27T14:00:00.000Z') as Extract<
            MutationOp,
            { op: 'appointment.book' }
          >),
          end: '2026-04-27T14:30:00.000Z',
        }),
      ),
    ).toBe('A visit of this series takes 15 minutes.');
    expect(
      outcome(await push(randomUUID(), occurrence(seriesId, '2026-04-27T14:00:00.000Z', 'pat-000005'))),
    ).toBe('This visit is not of that series: another patient or provider.');
    expect(outcome(await push(randomUUID(), occurrence(randomUUID(), '2026-04-27T14:00:00.000Z')))).toBe(
      'Unknown series.',
    );
    // the pulled occurrence names its series
    const { changes } = await pullAll(run.url, desk.accessToken);
    const series = changes.find((c) => c.entity === 'series' && c.id === seriesId);
    expect(series?.data).toMatchObject({ rule: RULE, patientId: PATIENT, version: 1 });
    const booked = changes.filter(
      (c) => c.entity === 'appointment' && (c.data as { seriesId?: string } | null)?.seriesId === seriesId,
    );
    expect(booked.map((c) => (c.data as { start: string }).start)).toEqual(['2026-04-06T14:00:00.000Z']);
  });

  it('refuses unbounded, malformed and other-zone rules, with the reason', async () => {
    const start = 'DTSTART;TZID=UTC:20260406T140000\nRRULE:FREQ=WEEKLY;';
    expect(outcome(await push(randomUUID(), createSeries(`${start}COUNT=53`)))).toBe(
      'A series may have at most 52 visits: end it sooner or repeat less often.',
    );
    expect(outcome(await push(randomUUID(), createSeries(`${start}UNTIL=20300101T000000Z`)))).toBe(
      'A series may have at most 52 visits: end it sooner or repeat less often.',
    );
    expect(outcome(await push(randomUUID(), createSeries(`${start}INTERVAL=1`)))).toBe(
      'A series ends after a number of visits or on a date (one of the two).',
    );
    expect(
      outcome(
        await push(randomUUID(), createSeries('DTSTART;TZID=UTC:20260406T140000\nRRULE:FREQ=DAILY;COUNT=3')),
      ),
    ).toBe('The repeat rule may only say FREQ (weekly or monthly), INTERVAL, COUNT or UNTIL.');
    expect(
      outcome(
        await push(
          randomUUID(),
          createSeries('DTSTART;TZID=America/New_York:20260406T100000\nRRULE:FREQ=WEEKLY;COUNT=3'),
        ),
      ),
    ).toBe('A series with this provider repeats in UTC.');
  });

  it('a series only shrinks: an EXDATE is kept and its occurrence refused; a longer rule is refused', async () => {
    const seriesId = randomUUID();
    const rule = 'DTSTART;TZID=UTC:20260608T150000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3';
    expect(outcome(await push(seriesId, createSeries(rule)))).toBe('applied');
    const longer = 'DTSTART;TZID=UTC:20260608T150000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4';
    const grown = await push(seriesId, { op: 'series.setRule', rule: longer }, 1);
    expect(outcome(grown)).toBe('A series can only lose visits: book the new ones as a new series.');
    // the refusal carries the server's series, so the console shows it again
    expect(grown.status === 'rejected' && grown.current?.entity).toBe('series');
    const without22 = `${rule}\nEXDATE:20260622T150000Z`;
    expect(outcome(await push(seriesId, { op: 'series.setRule', rule: without22 }, 1))).toBe('applied');
    // 8 June, (22 June excluded), 6 July: every second Monday at 15:00 UTC
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-06-08T15:00:00.000Z')))).toBe(
      'applied',
    );
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-06-22T15:00:00.000Z')))).toBe(
      'This time is not an occurrence of the series.',
    );
    expect(outcome(await push(randomUUID(), occurrence(seriesId, '2026-07-06T15:00:00.000Z')))).toBe(
      'applied',
    );
  });

  it('a clinician may not create a series (the contract role, repeated by the server)', async () => {
    const doctor = await signInStaff(run, 'clinician1');
    expect(outcome(await push(randomUUID(), createSeries(), null, doctor))).toBe(
      'A clinician may not do series.create.',
    );
  });
});

describe('waitlist (issue 13 §5)', () => {
  it('a booking from the waitlist takes the entry off once; another patient’s entry is refused', async () => {
    const entryId = randomUUID();
    const add: MutationOp = {
      op: 'waitlist.add',
      patientId: 'pat-000006',
      visitTypeId: null,
      providerIds: ['prv-001'],
      timeOfDay: 'morning',
      fromDate: '2026-03-02',
      toDate: '2026-03-31',
    };
    expect(outcome(await push(entryId, add))).toBe('applied');
    const bookFrom = (patientId: string, start: string): MutationOp => ({
      op: 'appointment.book',
      patientId,
      providerId: 'prv-001',
      start,
      end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
      reason: 'From the waitlist',
      virtualLink: null,
      waitlistEntryId: entryId,
    });
    expect(outcome(await push(randomUUID(), bookFrom('pat-000007', '2026-03-10T09:00:00.000Z')))).toBe(
      'That waitlist entry is for another patient.',
    );
    const appointmentId = randomUUID();
    expect(outcome(await push(appointmentId, bookFrom('pat-000006', '2026-03-10T09:00:00.000Z')))).toBe(
      'applied',
    );
    expect(outcome(await push(randomUUID(), bookFrom('pat-000006', '2026-03-11T09:00:00.000Z')))).toBe(
      'This patient is no longer on the waitlist.',
    );
    const { changes } = await pullAll(run.url, desk.accessToken);
    expect(changes.find((c) => c.entity === 'waitlist' && c.id === entryId)?.data).toMatchObject({
      status: 'booked',
      appointmentId,
      version: 2,
    });
    expect(outcome(await push(entryId, { op: 'waitlist.remove' }, 2))).toBe(
      'This patient is no longer on the waitlist.',
    );
  });
});
