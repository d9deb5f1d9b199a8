/**
 * Found by review 7 (R8, failed before the fix): a list read's records are remembered as "recorded" (RecentListReads, src-main/audit/read-records.ts)
 * before the audit events are written. When that write (or its commit) fails, the call fails and the transaction
 * rolls back, but the memory stays: the same list read again within LIST_READ_REPEAT_MS returns the same records
 * with no per-record read event — the patients' trails never show that look-up (DESIGN §7 coverage: "list reads
 * (with the ids of the records returned)"). The failure is a real SQLite error (a temporary trigger aborting the
 * per-record inserts once, as a full disk or an I/O error would). Real backend, store, keychain and router.
 * Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// A clinician signed in and synced once; the engine runs only when a test asks (one test per file).
const desk = useSyncedConsoles(['clinician1'] as const, { console: { autoStart: false } });

describe('a list read whose audit write failed, read again', () => {
  it('records a read on each thread it returns', async () => {
    const [clinic] = desk.consoles;
    const db = clinic.core.store.db;
    db.exec(`CREATE TEMP TRIGGER review_fail_list_audit BEFORE INSERT ON main.audit_events
             WHEN new.entity_id IS NOT NULL AND new.fields LIKE '%inbox.list%'
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const query = { queue: 'all', offset: 0, limit: 5 };
    expect((await clinic.call('inbox.list', query)).ok).toBe(false);
    db.exec('DROP TRIGGER temp.review_fail_list_audit');
    const page = await clinic.ok<ThreadPage>('inbox.list', query);
    expect(page.threads.length).toBeGreaterThan(0);
    const readOn = (threadId: string) =>
      db
        .prepare(
          `SELECT count(*) FROM audit_events WHERE action = 'read' AND entity_type = 'thread' AND entity_id = ?
             AND fields LIKE '%inbox.list%'`,
        )
        .pluck()
        .get(threadId);
    for (const t of page.threads) expect(readOn(t.id)).toBe(1);
  });
});
