/**
 * Review 8 (U9 follow-up): a deactivated clinician's earlier online sign-in must not keep giving their PC a
 * clinician's clearance on the device credential alone (server/sync/triage-access.ts servedRole reads
 * ServerStore.deviceStaffRoles, which did not look at staff.active, and PUT /admin/staff/:id/active did not mark
 * the person signed out on their PCs). review 8, failed before the fix. Real server on loopback; expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import { PullResponse, RecordsResponse } from '../src-shared/sync';
import { useServerDesk } from './test/desk';
import { call, signInStaff } from './test/helpers';

// The PC where the clinician signed in online (and never signed out).
const desk = useServerDesk({ username: 'clinician1' });

describe('a deactivated clinician', () => {
  it('leaves their PC no clinical clearance on its device credential alone', async () => {
    const admin = await signInStaff(desk.run, 'admin1');
    // A clinical thread: one whose bodies a receptionist's pull withholds.
    const reception = await signInStaff(desk.run, 'reception1');
    const first = PullResponse.parse(
      (await call(desk.run.url, 'GET', '/sync/pull?limit=5000', { token: reception.accessToken })).json,
    );
    const clinical = first.withheld?.[0];
    expect(clinical, 'the demo clinic has a clinical thread').toBeDefined();

    // Before: the PC's credential alone is served as the clinician signed in there (by design, DESIGN §5).
    const before = await call(desk.run.url, 'POST', '/sync/records', {
      device: desk.login.deviceId,
      body: { entity: 'thread', ids: [clinical] },
    });
    expect(before.status).toBe(200);
    expect(RecordsResponse.parse(before.json).records).toHaveLength(1);

    const off = await call(desk.run.url, 'PUT', '/admin/staff/stf-clinician1/active', {
      token: admin.accessToken,
      body: { active: false },
    });
    expect(off.status).toBe(200);

    // After: nobody active with clinical clearance signed in on that PC: its credential alone gets no body.
    const after = await call(desk.run.url, 'POST', '/sync/records', {
      device: desk.login.deviceId,
      body: { entity: 'thread', ids: [clinical] },
    });
    expect(after.status).toBe(200);
    expect(RecordsResponse.parse(after.json)).toMatchObject({ records: [], refused: [clinical] });
    // Same for a pull on the credential alone: the clinical bodies are withheld.
    const pull = await call(desk.run.url, 'GET', '/sync/pull?limit=5000', { device: desk.login.deviceId });
    expect(pull.status).toBe(200);
    expect(PullResponse.parse(pull.json).withheld ?? []).toContain(clinical);
  });
});
