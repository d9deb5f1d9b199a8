/**
 * Review 9 R9-3 (second part): the backend answers 429 THROTTLED to POST /sync/records once a PC's refused reads
 * are spent (server/http/refusal-budget.ts). An honest console meets it only in a race: here the clinician is
 * demoted on the backend after the console's pull and before its withheld-bodies fetch (the backend then serves
 * her as a receptionist and refuses each clinical thread). The console must take the 429 as "try later": the
 * sync ends with a typed OFFLINE error naming the wait (retryAfterSeconds), not a protocol failure or an
 * "unreachable" message; the engine waits at least that long; no sync problem is raised and every withheld mark
 * stays for the next sync. Real backend on loopback with a refusal budget of 1, real console store.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src-shared/views';
import { useSyncedFrontDesk, withRecordsRequests } from '../helpers/synced-front-desk';

const front = useSyncedFrontDesk({ portal: { refusalLimits: { perDevice: 1, windowMs: 60_000 } } });

/**
 * The backend has no route that changes a role (an admin does it in the database); the test does the same on
 * the backend's own SQLite file (a second connection, as an admin's tool would).
 */
function setRoleOnBackend(staffId: string, role: string): void {
  const db = new Database(`${front.portal.dataDir}/portal.sqlite`);
  try {
    db.prepare('UPDATE staff SET role = ? WHERE id = ?').run(role, staffId);
  } finally {
    db.close();
  }
}

describe('a 429 THROTTLED while withheld bodies are fetched', () => {
  it('is "try later": typed OFFLINE with the wait, marks kept, no problem raised', async () => {
    const db = front.desk.core.store.db;
    const marks = () => db.prepare('SELECT count(*) FROM withheld_threads').pluck().get() as number;
    const before = marks();
    expect(before).toBeGreaterThan(100);
    expect((await front.desk.signIn('clinician1')).ok).toBe(true);

    const { result, requests: n } = await withRecordsRequests(
      front.desk,
      (n, send) => {
        if (n === 0) setRoleOnBackend('stf-clinician1', 'receptionist');
        return send();
      },
      () => front.desk.call('sync.now', {}),
    );
    setRoleOnBackend('stf-clinician1', 'clinician');

    expect(n).toBeGreaterThan(1);
    expect(result.ok ? 'ok' : { code: result.error.code, wait: result.error.retryAfterSeconds }).toEqual({
      code: 'OFFLINE',
      wait: expect.any(Number) as number,
    });
    if (!result.ok) {
      expect(result.error.retryAfterSeconds).toBeGreaterThan(0);
      expect(result.error.message).toMatch(/wait/i);
    }
    expect(marks()).toBe(before);
    const status = await front.desk.ok<SyncStatus>('sync.status');
    expect(status.connection).not.toBe('error');
    expect(status.problems).toBe(0);
  });
});
