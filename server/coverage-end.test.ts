/**
 * Review finding (session 6): ending an absence that has already run out (its last day is over, or it ended) is a
 * change that does not happen. The server refuses it as a 409 CONFLICT naming why, records the refused attempt
 * with its outcome on the clinician's trail (as every refused coverage request is), and writes no successful
 * 'update' (server/triage/coverage.ts endAbsence). Runs on SQLite and PostgreSQL. Expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../src-shared/domain';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInStaff } from './test/helpers';

// clinician1's PC; the clock starts Monday 2 March 2026, 09:00 UTC (the demo clinic is in UTC).
const desk = useServerDesk({ username: 'clinician1', scale: 0.2 });

describe('coverage: ending an absence that has already run out', () => {
  it('is refused as a conflict, and no change is audited for an end that did not happen', async () => {
    desk.run.clock.ms = Date.parse('2026-03-16T08:00:00.000Z');
    await desk.signInAgain();
    const marked = await call(desk.run.url, 'PUT', '/coverage/absences/abs-over', {
      token: desk.login.accessToken,
      body: {
        staffId: 'stf-clinician1',
        coverId: 'stf-clinician2',
        startDate: '2026-03-16',
        endDate: '2026-03-16',
      },
    });
    expect(marked.status).toBe(200);
    expect((marked.json as { absence: { phase: string } }).absence.phase).toBe('active');

    // The next morning, before anyone has pulled (no sweep has run: the stored phase is still 'active').
    desk.run.clock.ms = Date.parse('2026-03-17T09:00:00.000Z');
    await desk.signInAgain();
    const admin = await signInStaff(desk.run, 'admin1');
    const staffTrail = async () =>
      (
        (
          await call(desk.run.url, 'GET', '/audit/entity?entityType=staff&entityId=stf-clinician1', {
            token: admin.accessToken,
          })
        ).json as { events: AuditRecord[] }
      ).events;
    const before = (await staffTrail()).length;

    for (const attempt of [1, 2]) {
      const ended = await call(desk.run.url, 'POST', '/coverage/absences/abs-over/end', {
        token: desk.login.accessToken,
      });
      expect(ended.status, `attempt ${attempt}`).toBe(409);
      expect(ended.json).toEqual({ error: 'CONFLICT', message: 'This absence has already ended.' });
    }
    const after = await staffTrail();
    const added = after.slice(0, after.length - before);
    // Two refused attempts, each recorded with its outcome; no successful 'update' of the absence.
    expect(added.map((e) => [e.action, e.outcome, e.fields])).toEqual([
      ['update', 'failure', ['absence']],
      ['update', 'failure', ['absence']],
    ]);
    // The absence as the sweep ended it: its last day unchanged.
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const absence = changes.find((c) => c.entity === 'absence' && c.id === 'abs-over')!.data as {
      phase: string;
      endDate: string;
    };
    expect(absence).toMatchObject({ phase: 'ended', endDate: '2026-03-16' });
  });
});
