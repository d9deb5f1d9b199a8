/**
 * Review 8, unconfirmed suspicion 4 (session 8, sec8): `ServerStore.setStaffActive` makes several writes (the staff
 * record and its change row, the person's access tokens, refresh tokens, and signed-in PCs). Called outside a
 * transaction, a failure between them must leave none applied: an account half deactivated (inactive, but still
 * counted as signed in on a PC) or a staff update no console ever pulls is the fault. The failure is injected by
 * a trigger on the last table written, through a second connection to the same database (a disk-full or a
 * database locked by the admin CLI would stop it the same way). Runs on SQLite and, in the vitest project
 * "postgres", on PostgreSQL. SQLite failed before the fix (the record and the tokens were written; review 8).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseOption } from '../tests/helpers/pg-test-store';
import { call, signInStaff, startServer, type Running, type StaffLogin } from './test/helpers';

let run: Running;
let database = '';
let clinician: StaffLogin;

beforeAll(async () => {
  database = await testDatabaseOption('atomic');
  run = await startServer({ scale: 0.05, database });
  clinician = await signInStaff(run, 'clinician1');
});
afterAll(async () => run?.stop());

/** Runs `sql` on a second connection to the server's database (SQLite file or PostgreSQL). */
async function onSecondConnection(sql: string): Promise<void> {
  if (database) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(path.join(run.dataDir, 'portal.sqlite'));
    try {
      db.pragma('busy_timeout = 5000');
      db.exec(sql);
    } finally {
      db.close();
    }
  }
}

const FAIL_SIGN_OUT = {
  sqlite: `CREATE TRIGGER injected_failure BEFORE UPDATE ON device_staff
           BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
  postgres: `CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
             CREATE TRIGGER injected_failure BEFORE UPDATE ON device_staff
               FOR EACH ROW EXECUTE FUNCTION injected_failure()`,
};
const HEAL = {
  sqlite: 'DROP TRIGGER injected_failure',
  postgres: 'DROP TRIGGER injected_failure ON device_staff; DROP FUNCTION injected_failure()',
};

describe('setStaffActive', () => {
  it('applies none of its writes when one of them fails (called outside any transaction)', async () => {
    const store = run.server.store;
    const kind = database ? 'postgres' : 'sqlite';
    const before = await store.staff('stf-clinician1');
    expect(before).toMatchObject({ active: true });
    const pulled = await call(run.url, 'GET', '/sync/pull?limit=1', { token: clinician.accessToken });
    expect(pulled.status).toBe(200);

    await onSecondConnection(FAIL_SIGN_OUT[kind]);
    try {
      await expect(
        store.setStaffActive('stf-clinician1', false, new Date(run.clock.now()).toISOString()),
      ).rejects.toThrow(/injected failure/);
    } finally {
      await onSecondConnection(HEAL[kind]);
    }

    // Nothing of it stayed: the record as it was, the person's tokens alive, no staff change to pull.
    expect(await store.staff('stf-clinician1')).toEqual(before);
    expect((await store.staffAuthByUsername('clinician1'))?.active).toBe(true);
    const after = await call(run.url, 'GET', '/sync/pull?limit=1', { token: clinician.accessToken });
    expect(after.status).toBe(200);

    // Healed, the same call applies all of it.
    const off = await store.setStaffActive('stf-clinician1', false, new Date(run.clock.now()).toISOString());
    expect(off).toMatchObject({ active: false, version: before!.version + 1 });
    const refused = await call(run.url, 'GET', '/sync/pull?limit=1', { token: clinician.accessToken });
    expect(refused.status).toBe(401);
  });
});
