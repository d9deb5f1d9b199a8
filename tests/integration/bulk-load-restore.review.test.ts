/**
 * Review 6 (adversarial), issue 16 bulk-load crash safety (session 5, 16s): the restore after a crashed load is two
 * steps of openDatabase — the pre-load copy is renamed over the store (recoverInterruptedBulkLoad), then what was
 * kept during the load is put back (restoreKeptRows, only `if (restored)`). If the console stops between the two
 * (killed or powered off while starting, or the open fails after the rename: a locked keychain answering the
 * wrong key, a busy file), the next open finds no copy, so the kept audit events and queued changes stay in their
 * side tables for good — and the next first sync's bulk load copies those side tables and fails to create them
 * again, on every try. Real encrypted store; the stop is the first step of the open run alone, as the process
 * stopping right after it leaves the folder. Expectations written by hand.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { BulkLoad, recoverInterruptedBulkLoad } from '../../src-main/store/bulk-load';
import { STORE_FILE } from '../../src-main/store/paths';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { TestClock } from '../helpers/console-harness';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a console stopped between the two steps of the restore after a crashed bulk load', () => {
  it('still puts back the audit events of the load, and its next bulk load starts', () => {
    t = makeTestStore('clinic-bulk-restore-');
    const clock = new TestClock();
    const who = { staffId: 'stf-reception1', role: 'receptionist' as const };
    const audit = new AuditLog(t.store, clock, () => 'dev-review');
    audit.record(who, { action: 'sign-in', entityType: 'session', entityId: null, outcome: 'success' });
    expect(BulkLoad.beginIfNew(t.store, CURSOR_KEY)).not.toBeNull();
    // During the load the receptionist opens a thread (an audited read of PHI).
    audit.record(who, { action: 'read', entityType: 'thread', entityId: 'thr-000001', outcome: 'success' });
    // Crash during the load.
    t.store.close();
    // Restart: the first step of the open runs (the copy is put back), then the console stops again.
    expect(recoverInterruptedBulkLoad(path.join(t.dir, STORE_FILE), t.key)).toBe(true);
    // Third start.
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    const actions = reopened.db.prepare('SELECT action FROM audit_events ORDER BY seq').pluck().all();
    // The read made during the load is in the audit trail (HIPAA §164.312(b)).
    expect(actions).toEqual(['sign-in', 'read']);
    // And the first sync can bulk-load again.
    expect(() => BulkLoad.beginIfNew(reopened, CURSOR_KEY)?.finish()).not.toThrow();
  });
});
