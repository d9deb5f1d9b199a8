/**
 * Review 7 U9 (confirmed by this test, which failed before the fix: no admin route deactivated an account, and a
 * deactivation written to the database was never pulled): an admin deactivates a staff account with
 * PUT /admin/staff/:staffId/active; the change is a 'staff' change every console pulls (active: false), audited
 * on the server, and the person's changes are refused from then on (DESIGN §5: trust lives on the server).
 * Reactivation is pulled the same way. Real server on loopback, SQLite and PostgreSQL; expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../src-shared/domain';
import { PushResponse } from '../src-shared/sync';
import { outcomeOf, useServerDesk } from './test/desk';
import { call, pullAll, signInStaff } from './test/helpers';

// The clinician's PC; the admin signs in on a second PC.
const desk = useServerDesk({ username: 'clinician1' });

const setActive = (token: string, staffId: string, active: boolean) =>
  call(desk.run.url, 'PUT', `/admin/staff/${staffId}/active`, { token, body: { active } });

describe('deactivating a staff account', () => {
  it('is pulled by every console, audited, and refuses the person until reactivated', async () => {
    const admin = await signInStaff(desk.run, 'admin1');
    const { cursor } = await pullAll(desk.run.url, admin.accessToken);

    // Only an admin may (the refusal is recorded as the attempted update of that account).
    const refused = await setActive(desk.login.accessToken, 'stf-reception1', false);
    expect(refused.status).toBe(403);
    // Nobody deactivates their own account (the clinic would lose its last admin that way).
    expect((await setActive(admin.accessToken, 'stf-admin1', false)).status).toBe(409);
    expect((await setActive(admin.accessToken, 'stf-nobody', false)).status).toBe(404);
    expect((await setActive(admin.accessToken, 'stf-clinician1', 'no' as never)).status).toBe(400);

    // The clinician holds an open thread.
    const open = (await pullAll(desk.run.url, desk.login.accessToken)).changes
      .map((c) => (c.entity === 'thread' ? (c.data as ThreadRecord | null) : null))
      .find((t) => t !== null && t.status !== 'done' && t.assigneeId === null)!;
    const claim = await desk.pushOne(
      open.id,
      { op: 'thread.assign', assigneeId: 'stf-clinician1' },
      { baseVersion: open.version },
    );
    expect(outcomeOf(claim)).toBe('applied');

    const off = await setActive(admin.accessToken, 'stf-clinician1', false);
    expect(off.status, JSON.stringify(off.json)).toBe(200);
    expect(off.json.staff).toMatchObject({ id: 'stf-clinician1', active: false });

    const pulled = (await pullAll(desk.run.url, admin.accessToken, cursor)).changes.filter(
      (c) => c.entity === 'staff',
    );
    expect(pulled.map((c) => [c.id, (c.data as { active?: boolean } | null)?.active])).toEqual([
      ['stf-clinician1', false],
    ]);

    // The person's token ends, and a change made on their PC before is refused (pushed on the PC's credential).
    const mutation = desk.mutation('thr-x', { op: 'thread.setStatus', status: 'done' });
    const push = await call(desk.run.url, 'POST', '/sync/push', {
      device: desk.login.deviceId,
      body: { deviceId: desk.login.deviceId, mutations: [mutation] },
    });
    expect(push.status).toBe(200);
    const [result] = PushResponse.parse(push.json).results;
    expect(result).toMatchObject({
      status: 'rejected',
      reason: 'The account of the person who made this change is no longer active.',
    });
    const pull = await call(desk.run.url, 'GET', '/sync/pull?limit=1', { token: desk.login.accessToken });
    expect(pull.status).toBe(401);
    // Their open thread went back to the queue (as R10's pool change does), audited.
    expect((await desk.run.server.store.thread(open.id))?.assigneeId).toBeNull();
    const released = await desk.run.server.store.auditForEntity('thread', open.id, 5);
    expect(released[0]).toMatchObject({ staffId: 'stf-admin1', action: 'update', fields: ['assigneeId'] });

    // Audited on the server: who deactivated whom, the field name only.
    const events = await desk.run.server.store.auditForEntity('staff', 'stf-clinician1', 10);
    expect(events.map((e) => [e.staffId, e.action, e.fields, e.outcome])).toContainEqual([
      'stf-admin1',
      'update',
      ['active'],
      'success',
    ]);

    // Reactivated: pulled again, and the person signs in online again.
    const on = await setActive(admin.accessToken, 'stf-clinician1', true);
    expect(on.status).toBe(200);
    const again = (await pullAll(desk.run.url, admin.accessToken, cursor)).changes.filter(
      (c) => c.entity === 'staff',
    );
    expect(again.map((c) => [c.id, (c.data as { active?: boolean } | null)?.active])).toEqual([
      ['stf-clinician1', true],
    ]);
    // The session from before the deactivation does not come back with the account: its tokens ended.
    const refresh = await call(desk.run.url, 'POST', '/auth/refresh', {
      body: { refreshToken: desk.login.refreshToken },
    });
    expect(refresh.status).toBe(401);
    await desk.signInAgain();
    expect(desk.login.staff).toMatchObject({ id: 'stf-clinician1', active: true });
  });
});
