/**
 * Review 5 (issue 13 §4/§5 as merged from 13d): failing tests. Pushes written by hand, as a console sends them.
 * Clock: Monday 2 March 2026 09:00 UTC; demo clinic in UTC; prv-001 has 15-minute slots.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withExdates } from '../src-shared/recurrence';
import { PushResponse, type MutationOp, type MutationResult } from '../src-shared/sync';
import { call, pullAll, signInStaff, type StaffLogin } from './test/helpers';
import { outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();
const PATIENT = 'pat-000003';

async function pushAs(who: StaffLogin, entityId: string, op: MutationOp, baseVersion: number | null) {
  const res = await call(desk.run.url, 'POST', '/sync/push', {
    token: who.accessToken,
    body: {
      deviceId: who.deviceId,
      mutations: [
        {
          id: randomUUID(),
          entityId,
          baseVersion,
          createdAt: new Date(desk.run.clock.ms).toISOString(),
          staffId: who.staff.id,
          mutation: op,
        },
      ],
    },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results[0]! as MutationResult;
}

const createSeries = (rule: string): MutationOp => ({
  op: 'series.create',
  patientId: PATIENT,
  providerId: 'prv-001',
  rule,
  minutes: 15,
  reason: 'Physio',
  visitTypeId: null,
  virtual: false,
});

describe('review 5: recurring series', () => {
  it('two desks each cancelling ONE different visit of a series at the same time: both visits leave the rule', async () => {
    // Desk A (reception1) and desk B (reception2, another PC) both hold the series at version 1. A cancels the
    // 13 April visit, B the 20 April one, each as the console does (series-service cancel scope 'one':
    // withExdates(series.rule, [at]) pushed as series.setRule). Neither adds a visit: both only shrink it.
    const rule = 'DTSTART;TZID=UTC:20260406T140000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4';
    const seriesId = randomUUID();
    expect(outcomeOf(await desk.pushOne(seriesId, createSeries(rule)))).toBe('applied');
    const deskB = await signInStaff(desk.run, 'reception2');
    const fromA = withExdates(rule, ['2026-04-13T14:00:00.000Z']);
    const fromB = withExdates(rule, ['2026-04-20T14:00:00.000Z']);
    expect(
      outcomeOf(await desk.pushOne(seriesId, { op: 'series.setRule', rule: fromA }, { baseVersion: 1 })),
    ).toBe('applied');
    // Failed on main 2a98b2e (review 5): refused "A series can only lose visits: book the new ones as a new series." The console then puts
    // the server's rule back, so 20 April stays an occurrence of the series although its visit was cancelled.
    expect(outcomeOf(await pushAs(deskB, seriesId, { op: 'series.setRule', rule: fromB }, 1))).toBe(
      'applied',
    );
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const stored = changes.find((c) => c.entity === 'series' && c.id === seriesId)?.data as { rule: string };
    expect(stored.rule).toContain('EXDATE:20260413T140000Z');
    expect(stored.rule).toContain('EXDATE:20260420T140000Z');
  });

  it('a series rule with an impossible start (31 February, 24:00) is refused with a reason, not a server failure', async () => {
    for (const start of ['20260231T140000', '20260406T240000']) {
      const r = await desk.pushOne(
        randomUUID(),
        createSeries(`DTSTART;TZID=UTC:${start}\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=2`),
      );
      // Failed on main 2a98b2e (review 5): Temporal's RangeError escapes parseSeriesRule's checks (Date.parse is lenient), the apply throws
      // and the answer is 'The server could not apply this change.', which an honest console retries.
      expect(outcomeOf(r)).not.toBe('The server could not apply this change.');
      expect(r.status).toBe('rejected');
    }
  });

  it('a series whose UNTIL is before its start (no visit at all) is refused', async () => {
    const r = await desk.pushOne(
      randomUUID(),
      createSeries('DTSTART;TZID=UTC:20260406T140000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20260101T000000Z'),
    );
    // Failed on main 2a98b2e (review 5): applied; an empty series is stored and pulled by every PC.
    expect(r.status).toBe('rejected');
  });
});
