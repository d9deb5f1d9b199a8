/**
 * Issue 13 §3, review 6 D8 and D10 (each failed before its fix): every admin route refuses a non-admin (a modified
 * console with a receptionist's token) AND records the attempt (server/auth/admin-auth.ts; DESIGN §7: refused
 * attempts are recorded) — the first describe is SQLite only (it reads the server's own audit table); and an
 * availability exception on a day the calendar does not have is a 400 (SQLite and PostgreSQL). Expectations
 * written by hand.
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { useServerDesk } from './test/desk';
import { call, signInStaff } from './test/helpers';

// reception1's PC (a receptionist's access token).
const desk = useServerDesk();

function failuresBy(staffId: string): number {
  const db = new Database(path.join(desk.run.dataDir, 'portal.sqlite'), { readonly: true });
  try {
    return (
      db
        .prepare("SELECT count(*) AS n FROM audit_events WHERE staff_id = ? AND outcome = 'failure'")
        .get(staffId) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

describe.skipIf(process.env.CLINIC_TEST_STORE === 'postgres')(
  'admin routes (availability, break-glass report, devices), as a receptionist',
  () => {
    it('audit each refused attempt, as the clinic-settings route does', async () => {
      const token = desk.login.accessToken;
      const before = failuresBy('stf-reception1');
      // Control: the clinic-settings route of session 4 audits its refusal.
      const settings = await call(desk.run.url, 'PUT', '/admin/clinic-settings', {
        token,
        body: { breakGlassMinutes: 480 },
      });
      expect(settings.status).toBe(403);
      expect(failuresBy('stf-reception1')).toBe(before + 1);

      const template = await call(desk.run.url, 'PUT', '/admin/availability/templates/prv-001', {
        token,
        body: { blocks: [{ weekday: 1, startMinute: 0, endMinute: 1440, kind: 'work' }] },
      });
      expect(template.status).toBe(403);
      const holiday = await call(desk.run.url, 'POST', '/admin/availability/exceptions', {
        token,
        body: {
          kind: 'holiday',
          locationId: 'loc-main',
          providerId: null,
          fromDate: '2026-03-03',
          toDate: '2026-03-03',
          startMinute: null,
          endMinute: null,
          label: 'Closed',
        },
      });
      expect(holiday.status).toBe(403);
      // The other admin routes: the emergency-access report (stated reasons) and revoking a PC.
      const report = await call(desk.run.url, 'GET', '/admin/break-glass', { token });
      expect(report.status).toBe(403);
      const revoke = await call(desk.run.url, 'POST', `/admin/devices/${desk.login.deviceId}/revoke`, {
        token,
        body: {},
      });
      expect(revoke.status).toBe(403);
      // Four more refused attempts, four more failure events.
      expect(failuresBy('stf-reception1')).toBe(before + 5);
    });
  },
);

describe('availability exceptions on a day the calendar does not have', () => {
  it('are refused with a clear 400, as an absence on 30 February is', async () => {
    const admin = await signInStaff(desk.run, 'admin1');
    const res = await call(desk.run.url, 'POST', '/admin/availability/exceptions', {
      token: admin.accessToken,
      body: {
        kind: 'holiday',
        locationId: 'loc-main',
        providerId: null,
        fromDate: '2026-02-30',
        toDate: '2026-03-03',
        startMinute: null,
        endMinute: null,
        label: 'Closed',
      },
    });
    // 30 February is not a date (Date.parse reads it as 2 March); the record would be stored as written.
    expect(res.status).toBe(400);
  });
});
