/**
 * Found by review 7 (R7, failed before the fix): the search vocabulary's in-memory "known words" cache (SearchIndex.known) outlives a rolled-back
 * transaction. A pulled batch is indexed (refresh at the end of the batch, inside its transaction), then the
 * batch fails and rolls back — the vocabulary rows go, the cache keeps the words. When the batch is applied again
 * its words are skipped as "known": a prefix search ("quorv") then finds nothing although the whole word
 * ("quorvexil") matches (no completion means 'none', src-main/store/repos/threads.ts ftsQueryOf).
 * Real encrypted store; expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a prefix search after a rolled-back batch was applied again', () => {
  it('finds the word the whole-word search finds', () => {
    t = makeTestStore('clinic-vocab-rollback-');
    const store = t.store;
    const apply = (fail: boolean) =>
      store.transaction(() => {
        store.patients.upsert(patientFixture());
        store.threads.upsert(threadFixture());
        store.messages.upsert(messageFixture({ body: 'My Quorvexil tablets ran out.' }));
        store.threads.refreshSearch(1);
        if (fail)
          throw new Error('the batch fails after it was indexed (e.g. disk full at the cursor write)');
      });
    expect(() => apply(true)).toThrow();
    // Two refreshes in one transaction, the second adding no word, then a rollback: forgotten all the same.
    expect(() =>
      store.transaction(() => {
        store.patients.upsert(patientFixture());
        store.threads.upsert(threadFixture());
        store.messages.upsert(messageFixture({ body: 'Quorvexil again.' }));
        store.threads.refreshSearch(1);
        store.messages.upsert(
          messageFixture({ id: 'msg-2', body: 'quorvexil', sentAt: '2026-11-20T10:00:00.000Z' }),
        );
        store.threads.refreshSearch(1);
        throw new Error('rolled back');
      }),
    ).toThrow();
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    apply(false);
    const base = { queue: 'all' as const, staffId: 'stf-clinician1', offset: 0, limit: 50 };
    expect(store.threads.page({ ...base, search: 'quorvexil' }).rows.map((r) => r.id)).toEqual(['thr-1']);
    expect(store.threads.page({ ...base, search: 'quorv' }).rows.map((r) => r.id)).toEqual(['thr-1']);
  });
});
