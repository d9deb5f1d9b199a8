/**
 * Found by review 7 (R10, failed before the fix; the rest of R5's kind): an admin turns the Front desk pool clinical (PUT /admin/pools/:id with
 * kind 'clinical'). A Front desk thread a receptionist had claimed stays assigned to them, though they may now
 * neither open nor change it: it sits in their "Mine" and out of every clinician's "Unassigned".
 * Runs on SQLite and PostgreSQL. Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../src-shared/domain';
import type { PoolRecord } from '../src-shared/triage';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInStaff } from './test/helpers';

// reception1's PC.
const desk = useServerDesk();

describe('a pool turned clinical by an admin', () => {
  it('leaves none of its threads with a receptionist', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const thread = changes.find(
      (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'front-desk',
    )!.data as ThreadRecord;
    const pool = changes.filter((c) => c.entity === 'pool' && c.id === 'front-desk').at(-1)!
      .data as PoolRecord;
    const claim = await desk.pushOne(
      thread.id,
      { op: 'thread.assign', assigneeId: 'stf-reception1' },
      { baseVersion: thread.version },
    );
    expect(claim.status).toBe('applied');
    const admin = await signInStaff(desk.run, 'admin1');
    const put = await call(desk.run.url, 'PUT', '/admin/pools/front-desk', {
      token: admin.accessToken,
      body: { name: pool.name, kind: 'clinical', topics: pool.topics, sla: pool.sla },
    });
    expect(put.status).toBe(200);
    const after = (await pullAll(desk.run.url, admin.accessToken)).changes
      .filter((c) => c.entity === 'thread' && c.id === thread.id)
      .at(-1)!.data as ThreadRecord;
    expect(after.assigneeId).toBeNull();
  });
});
