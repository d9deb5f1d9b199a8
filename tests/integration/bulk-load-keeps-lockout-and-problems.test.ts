/**
 * Found by review 7 (R2, failed before the fix): the bulk load keeps what people do on the PC during a first sync (audit, outbox, settings,
 * emergency-access grants: src-main/store/bulk-load.ts), but not two more kinds of local-only state the same
 * person or an attacker changes then:
 * - the device's sign-in lockout (staff_credentials: failed count, locked flag; issue 11 / DESIGN §6 "Repeated
 *   failures ... lock the account on the device"): a crash (power cut) during the load unlocks the account;
 * - a change the server refused while the load ran (sync_problems; DESIGN §5 "Conflicts are shown to the person
 *   who caused them, never resolved silently"): its outbox row is gone (pushed, kept as gone), its problem is lost.
 * Real encrypted store; the crash is the connection closed without finish(). Expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BulkLoad } from '../../src-main/store/bulk-load';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

function crashAndReopen(): TestStore['store'] {
  t!.store.close();
  const reopened = openStoreAt(t!.dir, t!.key);
  t = { ...t!, store: reopened, dispose: () => reopened.close() };
  return reopened;
}

describe('local-only state changed during a first sync’s bulk load, then a crash', () => {
  it('keeps an account locked on this device after repeated failed sign-ins', () => {
    t = makeTestStore('clinic-bulk-lockout-');
    expect(BulkLoad.beginIfNew(t.store, CURSOR_KEY)).not.toBeNull();
    for (let i = 0; i < 5; i++)
      t.store.staff.countFailure('reception1', 'stf-reception1', `2026-11-30T04:0${i}:00.000Z`, 5);
    expect(t.store.staff.credential('reception1')?.locked).toBe(1);
    const reopened = crashAndReopen();
    expect(reopened.staff.credential('reception1')?.locked).toBe(1);
    expect(reopened.staff.credential('reception1')?.failed_count).toBe(5);
  });

  it('keeps the problem of a change the server refused during the load', () => {
    t = makeTestStore('clinic-bulk-problem-');
    expect(BulkLoad.beginIfNew(t.store, CURSOR_KEY)).not.toBeNull();
    t.store.syncProblems.add({
      id: 'mut-1',
      at: '2026-11-30T04:00:00.000Z',
      kind: 'conflict',
      operation: 'appointment.book',
      entityId: 'apt-1',
      message: 'This slot was booked at another desk.',
    });
    const reopened = crashAndReopen();
    expect(reopened.syncProblems.count()).toBe(1);
  });
});
