/**
 * Found by review 7 (R4, failed before the fix; the kind of review 6 D15, whose fix covered eviction only): a
 * message the server deletes (pulled
 * as a deletion: e.g. sent to the wrong patient and removed on the portal) leaves its words in the prefix
 * vocabulary (`search_vocab`, migration 15) for good, on this PC's disk, and the contentless FTS index keeps its
 * terms in old segments until they happen to merge. DESIGN §4: the store holds no more PHI than the desk needs.
 * Real encrypted store; expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyPullBatch } from '../../src-main/sync/apply-changes';
import { messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a message the server deletes', () => {
  it('leaves none of its words in the search vocabulary', () => {
    t = makeTestStore('clinic-vocab-delete-');
    applyPullBatch(t.store, {
      changes: [
        { entity: 'patient', id: 'pat-1', data: patientFixture() },
        { entity: 'thread', id: 'thr-1', data: threadFixture() },
        { entity: 'message', id: 'msg-1', data: messageFixture({ body: 'My Quorvexil tablets ran out.' }) },
        {
          entity: 'message',
          id: 'msg-2',
          data: messageFixture({
            id: 'msg-2',
            body: 'More tablets please.',
            sentAt: '2026-11-20T10:00:00.000Z',
          }),
        },
      ],
      cursor: '3',
      hasMore: false,
      remaining: 0,
    });
    const inVocab = () =>
      t!.store.db.prepare(`SELECT count(*) FROM search_vocab WHERE term = 'quorvexil'`).pluck().get();
    expect(inVocab()).toBe(1);
    applyPullBatch(t.store, {
      changes: [{ entity: 'message', id: 'msg-1', data: null }],
      cursor: '4',
      hasMore: false,
      remaining: 0,
    });
    expect(t.store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    // A search brings the index up to date first; the word must be gone from the vocabulary too.
    t.store.threads.refreshSearch(1);
    expect(inVocab()).toBe(0);
    // A word another message still holds stays (a prefix of it still completes).
    expect(t.store.db.prepare(`SELECT count(*) FROM search_vocab WHERE term = 'tablets'`).pluck().get()).toBe(
      1,
    );
  });

  it('leaves none of the words of many deleted messages (the one-pass path)', () => {
    t = makeTestStore('clinic-vocab-delete-many-');
    const store = t.store;
    const word = (i: number) =>
      `zq${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}${String.fromCharCode(97 + Math.floor(i / 676))}`;
    store.transaction(() => {
      store.patients.upsert(patientFixture());
      store.threads.upsert(threadFixture());
      for (let i = 0; i < 2_100; i++)
        store.messages.upsert(messageFixture({ id: `msg-${i}`, body: `note ${word(i)}` }));
    });
    store.threads.refreshSearch(1);
    const count = () =>
      store.db.prepare(`SELECT count(*) FROM search_vocab WHERE term LIKE 'zq%'`).pluck().get();
    expect(count()).toBe(2_100);
    store.transaction(() => store.db.prepare(`DELETE FROM messages WHERE id <> 'msg-0'`).run());
    store.threads.refreshSearch(1);
    expect(count()).toBe(1);
  });
});
