/**
 * Issue 16 §3, "every read stays recorded before its data is returned" (DESIGN.md §7, HIPAA 45 CFR 164.312(b)):
 * every commit that carries an audit event of this PC or an outbox row runs with `synchronous = FULL` (the WAL is
 * fsynced before the commit returns), and only the apply of a pulled batch with its cursor runs with NORMAL
 * (src-main/store/durability.ts says why that is safe).
 *
 * Read through the real connection at the moment of each write: temporary triggers on this connection record
 * `PRAGMA synchronous` (as the table-valued `pragma_synchronous`) whenever an audit event, an outbox row, a
 * thread's seen mark or the pull cursor is written. SQLite refuses to change the setting inside a transaction
 * ("Safety level may not be changed inside a transaction"), so the level at the write is the level of its
 * commit. That the FULL setting really fsyncs the WAL before the call returns is proven with the fsync calls
 * themselves in audit-durable-fsync.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { bookedAppointment } from '../helpers/fixtures';

const NORMAL = 1;
const FULL = 2;

let portal: TestPortal;
let clinic: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  clinic = await startConsole(portal, { autoStart: false });
  expect((await clinic.signIn('clinician1')).ok).toBe(true);
  await clinic.ok('sync.now');
  clinic.core.store.db.exec(`
    CREATE TEMP TABLE durability_seen (what TEXT NOT NULL, detail TEXT, level INTEGER NOT NULL);
    CREATE TEMP TRIGGER durability_audit AFTER INSERT ON main.audit_events BEGIN
      INSERT INTO durability_seen SELECT 'audit', NEW.device_id, synchronous FROM pragma_synchronous; END;
    CREATE TEMP TRIGGER durability_outbox AFTER INSERT ON main.outbox BEGIN
      INSERT INTO durability_seen SELECT 'outbox', NEW.entity, synchronous FROM pragma_synchronous; END;
    CREATE TEMP TRIGGER durability_seen_mark AFTER UPDATE OF seen_at ON main.threads BEGIN
      INSERT INTO durability_seen SELECT 'seen', NULL, synchronous FROM pragma_synchronous; END;
    CREATE TEMP TRIGGER durability_cursor_new AFTER INSERT ON main.sync_state WHEN NEW.key = 'cursor' BEGIN
      INSERT INTO durability_seen SELECT 'cursor', NULL, synchronous FROM pragma_synchronous; END;
    CREATE TEMP TRIGGER durability_cursor AFTER UPDATE ON main.sync_state WHEN NEW.key = 'cursor' BEGIN
      INSERT INTO durability_seen SELECT 'cursor', NULL, synchronous FROM pragma_synchronous; END;
  `);
});
afterAll(async () => {
  await clinic?.close();
  await portal?.close();
});

/** What the triggers saw since the last call, as [what, level] (and the device of audit events). */
function seen(): { what: string; detail: string | null; level: number }[] {
  const db = clinic.core.store.db;
  const rows = db.prepare('SELECT what, detail, level FROM temp.durability_seen ORDER BY rowid').all() as {
    what: string;
    detail: string | null;
    level: number;
  }[];
  db.exec('DELETE FROM temp.durability_seen');
  return rows;
}
const deviceId = (): string => clinic.core.auth.deviceId()!;
const level = (): number => clinic.core.store.db.pragma('synchronous', { simple: true }) as number;

function unseenThread(): string {
  const row = clinic.core.store.db.prepare('SELECT id FROM threads WHERE seen_at IS NULL LIMIT 1').get() as {
    id: string;
  };
  return row.id;
}

describe('durable audit trail: which commits fsync', () => {
  it('the connection is FULL between calls', () => {
    expect(level()).toBe(FULL);
  });

  it('thread.get commits its read events with FULL; its seen mark, derived from them, with NORMAL after', async () => {
    seen();
    await clinic.ok('thread.get', { threadId: unseenThread() });
    // The mark is written in a task after the answer (session 9, src-main/inbox/seen-marks.ts): awaited as such
    // (session 10, review of session 9, M2), then every commit since the call is compared.
    const commits: ReturnType<typeof seen> = [];
    await expect
      .poll(() => {
        commits.push(...seen());
        return commits.some((c) => c.what === 'seen');
      })
      .toBe(true);
    const me = deviceId();
    expect(commits).toEqual([
      { what: 'audit', detail: me, level: FULL },
      { what: 'audit', detail: me, level: FULL },
      { what: 'seen', detail: null, level: NORMAL },
    ]);
  });

  it('inbox.list (a list read, audited too) commits with FULL', async () => {
    seen();
    const page = await clinic.ok<ThreadPage>('inbox.list', { queue: 'all', offset: 0, limit: 5 });
    expect(page.threads.length).toBeGreaterThan(0);
    const events = seen();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.what === 'audit' && e.level === FULL)).toBe(true);
  });

  it('a local change commits its outbox row and its audit event with FULL', async () => {
    const threadId = unseenThread();
    seen();
    await clinic.ok('thread.setPriority', { threadId, priority: 'stat' });
    expect(seen()).toEqual([
      { what: 'outbox', detail: 'thread', level: FULL },
      { what: 'audit', detail: deviceId(), level: FULL },
    ]);
  });

  it('a refused read is recorded with FULL too', async () => {
    seen();
    const refused = await clinic.call('thread.get', { threadId: 'no-such-thread' });
    expect(refused.ok).toBe(false);
    const events = seen();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.what === 'audit' && e.level === FULL)).toBe(true);
  });

  it('a lock and a refused unlock are recorded with FULL', async () => {
    seen();
    await clinic.ok('auth.lock');
    expect((await clinic.call('auth.unlock', { password: 'wrong password, 1' })).ok).toBe(false);
    const events = seen();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.what === 'audit' && e.level === FULL)).toBe(true);
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
  });

  it('a pulled batch and its cursor commit with NORMAL, and the connection is FULL again after', async () => {
    // Another desk's booking, on the server only: the next pull brings it.
    await portal.server.store.insertAppointment(
      bookedAppointment({
        id: 'apt-durability-pull',
        start: '2026-12-14T14:00:00.000Z',
        end: '2026-12-14T14:15:00.000Z',
      }),
      'console',
    );
    seen();
    await clinic.ok('sync.now');
    expect(clinic.core.store.appointments.byId('apt-durability-pull')).not.toBeNull();
    const events = seen();
    const cursor = events.filter((e) => e.what === 'cursor');
    expect(cursor.length).toBeGreaterThan(0);
    expect(cursor.every((e) => e.level === NORMAL)).toBe(true);
    // This PC's own events (e.g. a push settled in the same sync) are never written with NORMAL.
    expect(events.filter((e) => e.what === 'audit' && e.detail === deviceId() && e.level !== FULL)).toEqual(
      [],
    );
    expect(events.filter((e) => e.what === 'outbox')).toEqual([]);
    expect(level()).toBe(FULL);
  });

  it('a pull apply that fails puts FULL back, and one nested in a durable transaction stays durable', () => {
    const store = clinic.core.store;
    expect(() =>
      store.repullableTransaction(() => {
        expect(level()).toBe(NORMAL);
        throw new Error('a batch that fails half-way');
      }),
    ).toThrow('a batch that fails half-way');
    expect(level()).toBe(FULL);
    store.transaction(() => store.repullableTransaction(() => expect(level()).toBe(FULL)));
    expect(level()).toBe(FULL);
  });
});
