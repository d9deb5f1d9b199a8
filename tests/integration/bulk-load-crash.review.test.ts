/**
 * Review 5 of issue 16's bulk-load mode (src-main/store/bulk-load.ts): failing test. A first sync of a big clinic
 * takes minutes and the console is usable meanwhile (nothing gates the router during a load): people read the
 * records as they arrive, open emergency access, book. A crash during the load restores the pre-load copy and
 * with it throws away those people's changes and the audit trail of what they read.
 * Real encrypted store; the crash is the connection left without finish() (as a killed process leaves it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { BulkLoad } from '../../src-main/store/bulk-load';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { TestClock } from '../helpers/console-harness';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('review 5: a crash during the first sync’s bulk load', () => {
  it('keeps the audit events and queued changes people made while the load ran', async () => {
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
    recordLocalMutation(t.store, clock, {
      entity: 'waitlist',
      entityId: 'wl-review-1',
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
    // The console dies before the load ends (power cut, crash): its connection never runs finish().
    t.store.close();
    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    const actions = reopened.db.prepare('SELECT action FROM audit_events ORDER BY seq').pluck().all();
    // Fails: the pre-load copy is put back: the read's audit event and the queued waitlist change are gone
    // (HIPAA §164.312(b): a read of PHI with no trail; the patient believes she is on the waitlist).
    expect(actions).toEqual(['sign-in', 'read']);
    expect(reopened.outbox.count()).toBe(1);
  });
});
