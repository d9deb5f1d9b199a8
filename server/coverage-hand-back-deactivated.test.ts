/**
 * Review 8 (U9 with coverage, issue 14 §3): a clinician on leave whose threads a colleague covers is deactivated
 * during the leave. The deactivation releases only the threads assigned to them at that moment (none: the cover
 * holds them); when the absence ends, the hand-back (server/triage/coverage.ts handBack) gives the threads back
 * to the deactivated account, where they sit in a "Mine" queue nobody can work (what U9's release exists to
 * prevent). review 8, failed before the fix: now they stay with the cover. Real server on loopback (SQLite, and PostgreSQL with CLINIC_TEST_STORE=postgres); expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../src-shared/domain';
import { outcomeOf, useServerDesk } from './test/desk';
import { call, pullAll, signInStaff } from './test/helpers';

// clinician1's PC; the demo clinic is in UTC.
const desk = useServerDesk({ username: 'clinician1', scale: 0.2 });

describe('coverage hand-back to a deactivated account', () => {
  it('does not give the covered threads back to someone deactivated during the leave', async () => {
    desk.run.clock.ms = Date.parse('2026-03-16T08:00:00.000Z');
    await desk.signInAgain();
    // clinician1 holds an open thread.
    const open = (await pullAll(desk.run.url, desk.login.accessToken)).changes
      .map((c) => (c.entity === 'thread' ? (c.data as ThreadRecord | null) : null))
      .find((t) => t !== null && t.status !== 'done' && t.assigneeId === null)!;
    const claim = await desk.pushOne(
      open.id,
      { op: 'thread.assign', assigneeId: 'stf-clinician1' },
      { baseVersion: open.version },
    );
    expect(outcomeOf(claim)).toBe('applied');

    // Away today, covered by clinician2: the thread is handed over.
    const marked = await call(desk.run.url, 'PUT', '/coverage/absences/abs-leaver', {
      token: desk.login.accessToken,
      body: {
        staffId: 'stf-clinician1',
        coverId: 'stf-clinician2',
        startDate: '2026-03-16',
        endDate: '2026-03-16',
      },
    });
    expect(marked.status).toBe(200);
    expect((await desk.run.server.store.thread(open.id))?.assigneeId).toBe('stf-clinician2');

    // During the leave an admin deactivates clinician1 (they left the clinic).
    const admin = await signInStaff(desk.run, 'admin1');
    const off = await call(desk.run.url, 'PUT', '/admin/staff/stf-clinician1/active', {
      token: admin.accessToken,
      body: { active: false },
    });
    expect(off.status).toBe(200);
    expect((await desk.run.server.store.thread(open.id))?.assigneeId).toBe('stf-clinician2');

    // The next morning the absence ends (the sweep runs with the next pull).
    desk.run.clock.ms = Date.parse('2026-03-17T09:00:00.000Z');
    const next = await signInStaff(desk.run, 'admin1');
    await pullAll(desk.run.url, next.accessToken);
    const thread = await desk.run.server.store.thread(open.id);
    expect(thread?.status).not.toBe('done');
    // Not back with the deactivated account: it stays with the cover who was working it.
    expect(thread?.assigneeId).toBe('stf-clinician2');
    // The kept hand-back is on the clinician's trail once, for an admin to reassign.
    const kept = (await desk.run.server.store.auditForEntity('staff', 'stf-clinician1', 100)).filter((e) =>
      e.fields?.includes('staff-inactive'),
    );
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ outcome: 'failure', fields: ['coverage.hand-back', 'staff-inactive'] });
  });
});
