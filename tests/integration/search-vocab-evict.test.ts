/**
 * Review 6 (adversarial), issue 14 §6 search speed (session 5, 14s: `search_vocab`, the word list prefixes are
 * completed from) against DESIGN §4's store window: what falls out of the window is deleted with secure_delete,
 * search index included (src-main/sync/store-window.ts even merges the FTS segments so no term stays). The
 * vocabulary keeps every word of the evicted messages for good ("words are never removed"): a patient's words
 * (names, diagnoses, medicines) stay on the PC after the thread is gone. The regular
 * tests/integration/store-window.test.ts fails on it too (its raw-byte scan finds the word); this is the small case.
 * Real encrypted store; expectations written by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyPullBatch } from '../../src-main/sync/apply-changes';
import { evictOutsideWindow } from '../../src-main/sync/store-window';
import { messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a closed thread evicted from the store window', () => {
  it('leaves none of its words in the search vocabulary', () => {
    t = makeTestStore('clinic-vocab-evict-');
    const old = '2026-01-05T09:00:00.000Z';
    applyPullBatch(t.store, {
      changes: [
        { entity: 'patient', id: 'pat-1', data: patientFixture() },
        {
          entity: 'thread',
          id: 'thr-1',
          data: threadFixture({ status: 'done', lastMessageAt: old, updatedAt: old, createdAt: old }),
        },
        {
          entity: 'message',
          id: 'msg-1',
          data: messageFixture({ sentAt: old, body: 'My Quorvexil tablets ran out on Friday.' }),
        },
      ],
      cursor: '3',
      hasMore: false,
      remaining: 0,
    });
    const inVocab = () =>
      t!.store.db.prepare(`SELECT count(*) FROM search_vocab WHERE term = 'quorvexil'`).pluck().get();
    // Indexed: the word is searchable (and so in the vocabulary) while the thread is on this PC.
    expect(inVocab()).toBe(1);
    // 91 days after its last message the closed thread falls out of the default window.
    const now = Date.parse(old) + 91 * 86_400_000;
    const r = evictOutsideWindow(t.store, now, {
      closedThreadDays: 90,
      scheduleBackDays: 30,
      scheduleAheadDays: 180,
    });
    expect(r.threads).toBe(1);
    expect(t.store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    // Gone with it: no word of it stays on the PC.
    expect(inVocab()).toBe(0);
  });
});
