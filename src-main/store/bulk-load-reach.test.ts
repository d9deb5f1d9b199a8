/**
 * Session 10 (review of session 9's change, H1): during a first sync (bulk load) every bodies-withheld mark a
 * receptionist's pull writes fires the out-of-reach trigger (store/reach-changes.ts), whose WHEN clause asks whether
 * any message of that thread is on the PC. BulkLoad used to drop `messages_thread` with the other secondary
 * indexes, so each mark scanned the whole messages table: a first sync quadratic in its size (measured: 2,000 marks
 * over 100,000 messages, 117 s with the trigger, 4 ms without). The lookup must stay an index search during the
 * load, and the trigger must still count a withheld thread whose messages are here, and only that.
 */
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src-shared/sync';
import { messageFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { useTestStore } from '../../tests/helpers/sync-store';
import { CURSOR_KEY, applyChange, defaultAuditHandler } from '../sync/apply-changes';
import { BulkLoad } from './bulk-load';
import { ReachChanges } from './reach-changes';

describe('out-of-reach marks during a bulk load (review of session 9, H1)', () => {
  const freshStore = useTestStore('clinic-bulk-reach-');

  it("finds a withheld thread's messages by index, not by a scan of every message", () => {
    const t = freshStore();
    ReachChanges.of(t.store.db);
    const bulk = BulkLoad.beginIfNew(t.store, CURSOR_KEY);
    expect(bulk).not.toBeNull();
    // The statement of the trigger's WHEN clause (NARROWING_TRIGGERS.withheld), planned as SQLite plans it there.
    const plan = t.store.db
      .prepare<[string], { detail: string }>(
        'EXPLAIN QUERY PLAN SELECT 1 FROM main.messages WHERE thread_id = ?',
      )
      .all('thr-1')
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH .*messages USING (COVERING )?INDEX messages_thread/);
    expect(plan).not.toMatch(/SCAN .*messages/);
    bulk!.finish();
  });

  it('still counts a thread withheld while its messages are here, and nothing for one without', () => {
    const t = freshStore();
    const { store } = t;
    const reach = ReachChanges.of(store.db);
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    const apply = (...changes: Change[]) =>
      store.db.transaction(() => {
        for (const c of changes) applyChange(store, c, defaultAuditHandler(store));
      })();
    apply(
      { entity: 'patient', id: 'pat-1', data: patientFixture() },
      { entity: 'thread', id: 'thr-1', data: threadFixture() },
      { entity: 'message', id: 'msg-1', data: messageFixture() },
    );
    const before = reach.version();
    store.db.transaction(() => store.threads.markBodiesWithheld('thr-without-messages'))();
    expect(reach.version()).toBe(before);
    store.db.transaction(() => store.threads.markBodiesWithheld('thr-1'))();
    expect(reach.version()).toBe(before + 1);
    bulk.finish();
  });
});
