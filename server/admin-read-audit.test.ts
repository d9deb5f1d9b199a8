/**
 * Review 7 U1 (confirmed by this test, which failed before the fix): an admin's successful reads on the server —
 * the break-glass report (reasons and record ids), the devices, the audit-integrity alerts, the pools, the clinic
 * settings — wrote no server audit event; only refused ones did (R1). Now each answered admin read writes one
 * success 'read' event naming what was read, attributed to the admin and their PC, before the answer leaves
 * (DESIGN §7; HIPAA 164.312(b)); a refused one names the same record. Real server on loopback, SQLite and
 * PostgreSQL; expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import { useServerDesk } from './test/desk';
import { call, signInStaff } from './test/helpers';

const desk = useServerDesk({ username: 'admin1' });

// Each admin read and the record its event names (entity type, id), written out by hand.
const READS = [
  ['/admin/break-glass', 'audit', 'break-glass-report'],
  ['/admin/audit-alerts', 'audit', 'audit-alerts'],
  ['/admin/devices', 'settings', 'devices'],
  ['/admin/pools', 'settings', 'pools'],
  ['/admin/clinic-settings', 'settings', 'clinic-settings'],
] as const;

describe('an admin read on the server', () => {
  it('is recorded as a read by the admin on their PC, before the answer', async () => {
    for (const [route, entityType, entityId] of READS) {
      const before = await desk.run.server.store.auditForEntity(entityType, entityId, 100);
      const res = await call(desk.run.url, 'GET', route, { token: desk.login.accessToken });
      expect(res.status, route).toBe(200);
      const after = await desk.run.server.store.auditForEntity(entityType, entityId, 100);
      expect(after.length, route).toBe(before.length + 1);
      expect(after[0], route).toMatchObject({
        staffId: 'stf-admin1',
        role: 'admin',
        deviceId: desk.login.deviceId,
        action: 'read',
        outcome: 'success',
      });
    }
  });

  it('refused, names the same record; a malformed read is not recorded as answered', async () => {
    const reception = await signInStaff(desk.run, 'reception1');
    for (const [route, entityType, entityId] of READS) {
      const res = await call(desk.run.url, 'GET', route, { token: reception.accessToken });
      expect(res.status, route).toBe(403);
      const [last] = await desk.run.server.store.auditForEntity(entityType, entityId, 1);
      expect(last, route).toMatchObject({ staffId: 'stf-reception1', action: 'read', outcome: 'failure' });
    }
    const before = await desk.run.server.store.auditForEntity('audit', 'break-glass-report', 100);
    const bad = await call(desk.run.url, 'GET', '/admin/break-glass?x=1', { token: desk.login.accessToken });
    expect(bad.status).toBe(400);
    expect(await desk.run.server.store.auditForEntity('audit', 'break-glass-report', 100)).toHaveLength(
      before.length,
    );
  });
});
