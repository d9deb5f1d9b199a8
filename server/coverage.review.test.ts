/**
 * Review 6 (adversarial), issue 14 §3 coverage on the server: a server clock that steps back. Runs on SQLite and
 * (CLINIC_TEST_STORE=postgres) PostgreSQL. Expectations written by hand.
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, ThreadRecord } from '../src-shared/domain';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInStaff, type StaffLogin } from './test/helpers';

// clinician1's PC; the clock starts Monday 2 March 2026, 09:00 UTC (the demo clinic is in UTC).
const desk = useServerDesk({ username: 'clinician1', scale: 0.2 });

async function threadNow(id: string): Promise<ThreadRecord> {
  const res = await call(desk.run.url, 'GET', `/sync/record?entity=thread&id=${id}`, {
    token: desk.login.accessToken,
  });
  return (res.json as { change: { data: ThreadRecord } }).change.data;
}

async function trailFields(admin: StaffLogin, id: string): Promise<string[][]> {
  const res = await call(desk.run.url, 'GET', `/audit/entity?entityType=thread&entityId=${id}`, {
    token: admin.accessToken,
  });
  return (res.json as { events: AuditRecord[] }).events.map((e) => e.fields);
}

describe('coverage: the server clock steps back', () => {
  it('an absence ended after a backward clock step (NTP, or an instance a few seconds behind) still hands back', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const thread = changes.find(
      (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'clinical',
    )!.data as ThreadRecord;
    expect(
      (
        await desk.pushOne(
          thread.id,
          { op: 'thread.assign', assigneeId: 'stf-clinician1' },
          { baseVersion: thread.version },
        )
      ).status,
    ).toBe('applied');
    const marked = await call(desk.run.url, 'PUT', '/coverage/absences/abs-step', {
      token: desk.login.accessToken,
      body: {
        staffId: 'stf-clinician1',
        coverId: 'stf-clinician2',
        startDate: '2026-03-03',
        endDate: '2026-03-05',
      },
    });
    expect(marked.status).toBe(200);

    // 00:00:05 on the first day away: a pull's sweep hands the thread to clinician2.
    desk.run.clock.ms = Date.parse('2026-03-03T00:00:05.000Z');
    await desk.signInAgain();
    await pullAll(desk.run.url, desk.login.accessToken);
    expect((await threadNow(thread.id)).assigneeId).toBe('stf-clinician2');

    // The server's clock is corrected 10 s back (an NTP step; or the request reaches a second instance whose
    // clock is 10 s behind). clinician1 calls the absence off.
    // (The access token from 00:00:05 is still good; a fresh TOTP sign-in would reuse a step.)
    desk.run.clock.ms = Date.parse('2026-03-02T23:59:55.000Z');
    const ended = await call(desk.run.url, 'POST', '/coverage/absences/abs-step/end', {
      token: desk.login.accessToken,
    });
    expect(ended.status).toBe(200);
    expect((ended.json as { absence: { phase: string } }).absence.phase).toBe('ended');

    // Days later, after any number of sweeps: the thread handed over must have come back, with its audited move.
    desk.run.clock.ms = Date.parse('2026-03-07T09:00:00.000Z');
    await desk.signInAgain();
    await pullAll(desk.run.url, desk.login.accessToken);
    expect((await threadNow(thread.id)).assigneeId).toBe('stf-clinician1');
    const admin = await signInStaff(desk.run, 'admin1');
    const fields = await trailFields(admin, thread.id);
    expect(fields.filter((f) => f.includes('coverage.hand-over'))).toHaveLength(1);
    expect(fields.filter((f) => f.includes('coverage.hand-back'))).toHaveLength(1);
  });
});

describe('coverage: a covering colleague whose account is deactivated before the absence begins', () => {
  // The account is switched off in the server's SQLite file, as server/audit-chain.test.ts does (no route does it).
  it.skipIf(process.env.CLINIC_TEST_STORE === 'postgres')(
    'gets no threads: they stay with someone who can still sign in',
    async () => {
      desk.run.clock.ms = Date.parse('2026-03-07T10:00:00.000Z');
      await desk.signInAgain();
      const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
      const thread = changes.find(
        (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'clinical',
      )!.data as ThreadRecord;
      if (thread.assigneeId !== 'stf-clinician1') {
        const assigned = await desk.pushOne(
          thread.id,
          { op: 'thread.assign', assigneeId: 'stf-clinician1' },
          { baseVersion: thread.version },
        );
        expect(assigned.status).toBe('applied');
      }
      const marked = await call(desk.run.url, 'PUT', '/coverage/absences/abs-gone', {
        token: desk.login.accessToken,
        body: {
          staffId: 'stf-clinician1',
          coverId: 'stf-clinician2',
          startDate: '2026-03-09',
          endDate: '2026-03-10',
        },
      });
      expect(marked.status).toBe(200);
      // clinician2 leaves the clinic on Sunday: their account is deactivated.
      const db = new Database(path.join(desk.run.dataDir, 'portal.sqlite'));
      try {
        db.prepare('UPDATE staff SET active = 0 WHERE username = ?').run('clinician2');
      } finally {
        db.close();
      }
      desk.run.clock.ms = Date.parse('2026-03-09T00:00:05.000Z');
      await desk.signInAgain();
      await pullAll(desk.run.url, desk.login.accessToken);
      // Handed to an account nobody can sign in to, the patient's thread would sit unseen for two days.
      expect((await threadNow(thread.id)).assigneeId).not.toBe('stf-clinician2');
    },
  );
});
