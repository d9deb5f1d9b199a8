/**
 * Found by review 7 (R1, failed before the fix): a refused admin call is recorded with the action it attempted (DESIGN §7: refused attempts on a
 * record are recorded; the failure event names what was tried). A receptionist's DELETE of a pool template or of an
 * availability exception, and GET of the clinic settings, were recorded as 'update' of the settings.
 * Expectations written by hand. SQLite only (reads the server's own audit table).
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { useServerDesk } from './test/desk';
import { call } from './test/helpers';

const desk = useServerDesk();

function lastFailureBy(staffId: string): { action: string; entity_id: string | null } | undefined {
  const db = new Database(path.join(desk.run.dataDir, 'portal.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT action, entity_id FROM audit_events WHERE staff_id = ? AND outcome = 'failure'
         ORDER BY rowid DESC LIMIT 1`,
      )
      .get(staffId) as { action: string; entity_id: string | null } | undefined;
  } finally {
    db.close();
  }
}

describe.skipIf(process.env.CLINIC_TEST_STORE === 'postgres')(
  'a refused admin call, as a receptionist',
  () => {
    it('is recorded as the action it attempted', async () => {
      const token = desk.login.accessToken;
      const del = await call(desk.run.url, 'DELETE', '/admin/pool-templates/tpl-1', { token });
      expect(del.status).toBe(403);
      expect(lastFailureBy('stf-reception1')?.action).toBe('delete');

      const exc = await call(desk.run.url, 'DELETE', '/admin/availability/exceptions/exc-1', { token });
      expect(exc.status).toBe(403);
      expect(lastFailureBy('stf-reception1')?.action).toBe('delete');

      const read = await call(desk.run.url, 'GET', '/admin/clinic-settings', { token });
      expect(read.status).toBe(403);
      expect(lastFailureBy('stf-reception1')?.action).toBe('read');
    });
  },
);
