/**
 * Review 7 U7 (R4's residual; confirmed by this test, which failed before the fix): a message the server deletes
 * left its terms in the contentless FTS5 index's segments (a delete only adds a tombstone there) until a merge,
 * which ran after evictions only: the words of a message sent to the wrong patient stayed on this PC's disk
 * (DESIGN §4: the store holds no more PHI than the desk needs; what falls out is overwritten). FTS5's own
 * 'secure-delete' option cannot help a contentless_delete=1 table (it deletes by tombstone; tried on 3.53), so the
 * refresh that drops a deleted message notes a merge of the index (FTS5 'optimize'), which the core runs on lock
 * and sign-out (tests/integration/search-merge-on-lock.test.ts), and secure_delete overwrites the freed pages. Checked with the key: no block of the index's shadow table, and no page of the decrypted
 * database file after a checkpoint, holds the word. Real encrypted store; expectations by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPullBatch } from '../../src-main/sync/apply-changes';
import { messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

/** The tail of the deleted word: a leaf page stores a term after the prefix it shares with the term before it. */
const WORD_TAIL = Buffer.from('rvexil');

/** Whether the decrypted pages of the store's file (after a checkpoint) hold `bytes` anywhere, free pages included. */
function fileHolds(store: TestStore, bytes: Buffer): boolean {
  store.store.db.pragma('wal_checkpoint(TRUNCATE)');
  const copy = path.join(store.dir, 'plain-copy.sqlite');
  fs.copyFileSync(store.store.file, copy);
  const db = new Database(copy);
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${store.key}'"`);
    // Decrypt the copy in place (SQLite3 Multiple Ciphers: an empty key removes the encryption, page by page).
    db.pragma(`rekey=''`);
  } finally {
    db.close();
  }
  const plain = fs.readFileSync(copy);
  fs.rmSync(copy);
  // The copy is readable without a key now: the check looks at the real pages, not at ciphertext.
  expect(plain.subarray(0, 15).toString()).toBe('SQLite format 3');
  return plain.includes(bytes);
}

describe('a message the server deletes', () => {
  it('leaves no bytes of its words in the search index or the database file', () => {
    t = makeTestStore('clinic-fts-secure-delete-');
    const store = t.store;
    applyPullBatch(store, {
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
    store.threads.refreshSearch(1);
    const indexHolds = () =>
      store.db
        .prepare('SELECT block FROM messages_fts_data')
        .pluck()
        .all()
        .some((b) => Buffer.isBuffer(b) && b.includes(WORD_TAIL));
    // The check can fail: the indexed word is there before the delete.
    expect(indexHolds()).toBe(true);

    applyPullBatch(store, {
      changes: [{ entity: 'message', id: 'msg-1', data: null }],
      cursor: '4',
      hasMore: false,
      remaining: 0,
    });
    store.threads.refreshSearch(1);
    // The sync that deleted it only notes the merge (about 1 s at 200k messages); the core merges on lock.
    expect(indexHolds()).toBe(true);
    expect(store.threads.mergeSearchIfPending()).toBe(true);
    expect(indexHolds()).toBe(false);
    expect(fileHolds(t, WORD_TAIL)).toBe(false);
    // Nothing deleted since: no second rewrite of the index.
    expect(store.threads.mergeSearchIfPending()).toBe(false);
    // The other message is still found by its words.
    expect(
      store.db.prepare(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'tablets'`).pluck().get(),
    ).toBe(1);
  });
});
