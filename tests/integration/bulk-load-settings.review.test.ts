/**
 * Review 6 (adversarial), issue 16 bulk-load crash safety (session 5, 16s): what people do on a PC while its first
 * sync's bulk load runs is meant to survive a crash of the load (src-main/store/bulk-load.ts: "What people do on
 * this PC while the load runs is not lost with it"), but only the audit events and the outbox are kept. An admin
 * who shortens the PC's idle auto-lock during the load (DESIGN §6: a safeguard of an unattended front desk) finds
 * it silently back at the old, longer time after the crash — while the audit trail, which was kept, says it was
 * changed. Real encrypted store; the crash is the connection left without finish(). Expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { Settings } from '../../src-main/settings/settings';
import { BulkLoad } from '../../src-main/store/bulk-load';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { TestClock } from '../helpers/console-harness';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a setting changed during a first sync’s bulk load, then a crash', () => {
  it('keeps the new idle auto-lock time, as it keeps the audit event of the change', () => {
    t = makeTestStore('clinic-bulk-settings-');
    const clock = new TestClock();
    const audit = new AuditLog(t.store, clock, () => 'dev-review');
    expect(new Settings(t.store.settings).get().idleTimeoutMinutes).toBe(5);
    expect(BulkLoad.beginIfNew(t.store, CURSOR_KEY)).not.toBeNull();
    // During the load the admin sets the front desk's auto-lock to 2 minutes (audited, as the router does).
    new Settings(t.store.settings).update({ idleTimeoutMinutes: 2 });
    audit.record(
      { staffId: 'stf-admin1', role: 'admin' },
      {
        action: 'update',
        entityType: 'settings',
        entityId: null,
        outcome: 'success',
        fields: ['idleTimeoutMinutes'],
      },
    );
    t.store.close();
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    // The audit event of the change is back…
    expect(
      reopened.db.prepare(`SELECT count(*) FROM audit_events WHERE entity_type = 'settings'`).pluck().get(),
    ).toBe(1);
    // …and so must the change itself be.
    expect(new Settings(reopened.settings).get().idleTimeoutMinutes).toBe(2);
  });
});
