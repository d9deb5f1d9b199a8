/**
 * Issue 16 bulk-load mode (src-main/store/bulk-load.ts), found by review 5: a first sync of a big clinic takes a
 * while and the console is usable meanwhile (nothing gates the router during a load): people read the records
 * as they arrive, open emergency access, book. A crash during the load restores the pre-load copy; what those
 * people did (their queued changes, the audit trail of what they read) must come back with it, and the audit
 * chain must still verify. Real encrypted store; the crash is the connection left without finish() (as a
 * killed process leaves it; the SIGKILL case is in bulk-load.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { BulkLoad, recoverInterruptedBulkLoad } from '../../src-main/store/bulk-load';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { TestClock } from '../helpers/console-harness';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

/** A receptionist puts patient pat-000003 on the waitlist (a queued change, entity id `id`). */
const queueWaitlistAdd = (store: TestStore['store'], clock: TestClock, id: string) =>
  recordLocalMutation(store, clock, {
    entity: 'waitlist',
    entityId: id,
    baseVersion: null,
    staffId: 'stf-reception1',
    mutation: {
      op: 'waitlist.add',
      patientId: 'pat-000003',
      visitTypeId: null,
      providerIds: [],
      timeOfDay: 'any',
      fromDate: '2026-11-24',
      toDate: '2026-12-04',
    },
  });

describe('a crash during the first sync’s bulk load', () => {
  it('keeps the audit events and queued changes made while the load ran, with the audit chain intact', async () => {
    t = makeTestStore('clinic-bulk-review-');
    const clock = new TestClock();
    const audit = new AuditLog(t.store, clock, () => 'dev-review');
    audit.record(
      { staffId: 'stf-reception1', role: 'receptionist' },
      {
        action: 'sign-in',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
      },
    );
    // The first cycle pushes before it pulls: the sign-in event is on the server before the load begins.
    t.store.auditPush.settledThrough(t.store.auditPush.pendingSeqs(10).at(-1)!);
    const bulk = BulkLoad.beginIfNew(t.store, CURSOR_KEY);
    expect(bulk).not.toBeNull();
    // While the load runs (between two pull batches) the receptionist reads a thread that has arrived and puts
    // a patient on the waitlist (she tells the patient so).
    audit.record(
      { staffId: 'stf-reception1', role: 'receptionist' },
      {
        action: 'read',
        entityType: 'thread',
        entityId: 'thr-000001',
        outcome: 'success',
      },
    );
    queueWaitlistAdd(t.store, clock, 'wl-review-1');
    // The console dies before the load ends (power cut, crash): its connection never runs finish().
    t.store.close();
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    // The pre-load copy is back (nothing pulled survives), with the read's audit event (HIPAA §164.312(b): no
    // read of PHI without a trail) and the queued waitlist change (the patient was told she is on the list).
    expect(reopened.db.prepare('SELECT count(*) FROM patients').pluck().get()).toBe(0);
    const actions = reopened.db.prepare('SELECT action FROM audit_events ORDER BY seq').pluck().all();
    expect(actions).toEqual(['sign-in', 'read']);
    expect(new AuditLog(reopened, clock, () => 'dev-review').verify()).toEqual({ ok: true, count: 2 });
    expect(reopened.outbox.peek(10).map((r) => [r.entity, r.entityId, r.mutation.op])).toEqual([
      ['waitlist', 'wl-review-1', 'waitlist.add'],
    ]);
    // Still to push: the waitlist change and the read (the sign-in was pushed before the load).
    expect(reopened.outbox.count()).toBe(2);
    // The side tables the load kept them in are gone, and the next load starts from a clean copy.
    expect(
      reopened.db.prepare(`SELECT name FROM sqlite_schema WHERE name LIKE 'bulk_kept%'`).pluck().all(),
    ).toEqual([]);
  });

  it('keeps an outbox change taken off the queue during the load off it after the restore', () => {
    t = makeTestStore('clinic-bulk-outbox-');
    const clock = new TestClock();
    const add = (id: string) => queueWaitlistAdd(t!.store, clock, id);
    add('wl-before');
    const bulk = BulkLoad.beginIfNew(t.store, CURSOR_KEY);
    expect(bulk).not.toBeNull();
    add('wl-during');
    const [before] = t.store.outbox.peek(10);
    t.store.outbox.remove(before!.id);
    t.store.close();
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    expect(reopened.outbox.peek(10).map((r) => r.entityId)).toEqual(['wl-during']);
  });
  it('finishes a restore cut short after the copy was put back, at the next open', () => {
    t = makeTestStore('clinic-bulk-cut-');
    const clock = new TestClock();
    const audit = new AuditLog(t.store, clock, () => 'dev-review');
    expect(BulkLoad.beginIfNew(t.store, CURSOR_KEY)).not.toBeNull();
    audit.record(
      { staffId: 'stf-reception1', role: 'receptionist' },
      { action: 'read', entityType: 'thread', entityId: 'thr-000002', outcome: 'success' },
    );
    const file = t.store.file;
    t.store.close();
    // The open that undoes the load dies right after putting the copy back, before it restored the kept rows.
    expect(recoverInterruptedBulkLoad(file, t.key)).toBe(true);
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    expect(reopened.db.prepare('SELECT action FROM audit_events ORDER BY seq').pluck().all()).toEqual([
      'read',
    ]);
    expect(new AuditLog(reopened, clock, () => 'dev-review').verify()).toEqual({ ok: true, count: 1 });
  });
});
