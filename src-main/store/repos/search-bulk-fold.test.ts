/**
 * Issue 16 §2 (session 7): at the end of a bulk load the search index folds plain ASCII bodies in SQL (lower())
 * and takes their vocabulary words from the batches that wrote them (SearchIndex.refreshAfterBulkLoad, addWordsOf);
 * other bodies still go through foldText. The index's words, its grams and the vocabulary must be what the
 * refresh of a normal sync writes: expected values written by hand, and compared with a store filled without the
 * bulk load. Real encrypted stores.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Change, PullResponse } from '../../../src-shared/sync';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../../tests/helpers/sync-store';
import { CURSOR_KEY, applyPullBatch } from '../../sync/apply-changes';
import { BulkLoad } from '../bulk-load';
import { foldText } from '../../../src-shared/text-fold';
import { indexTextOf } from '../../../src-shared/search-text';
import type { Store } from '../store';

const stores: TestStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.dispose();
});
const newStore = (): Store => {
  const s = makeTestStore('clinic-bulk-fold-');
  stores.push(s);
  return s.store;
};

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();

/**
 * Bodies: ASCII (tab, CR/LF, other control characters, DEL), one with a NUL and an accent after it, and every kind
 * that is not ASCII (accents, CJK).
 */
const BODIES = [
  'Blood PRESSURE 120/80 today\tThanks\r\n',
  'Café crème, MERCI',
  '我今天头痛',
  'Line\u000bfeed Vertical',
  'ÅNGSTRÖM',
  'Mixed ASCII: Zoë',
  'Start\u0001of HEADING\u007fdel',
  // After the NUL, an accent: SQLite's length() and GLOB stop at the NUL, so only a test that counts the bytes
  // sends this body to foldText (which drops the accent) instead of lower() (which would keep "byté").
  'Nul\u0000BYTÉ here',
];

/** The words of the index's word column, by hand (foldText: lower case, accents gone, CJK run blanked). */
const BODY_TERMS = [
  '120',
  '80',
  'angstrom',
  'ascii',
  'blood',
  'byte',
  'cafe',
  'creme',
  'del',
  'feed',
  'heading',
  'here',
  'line',
  'merci',
  'mixed',
  'nul',
  'of',
  'pressure',
  'start',
  'thanks',
  'today',
  'vertical',
  'zoe',
];
/** The CJK run's grams: every bigram, then its last character alone. */
const GRAM_TERMS = ['今天', '天头', '头痛', '我今', '痛'].sort();
/** Words of three characters or more (MIN_PREFIX_LENGTH). */
const VOCABULARY = BODY_TERMS.filter((w) => w.length >= 3);

function batches(): PullResponse[] {
  const changes: Change[] = [{ entity: 'patient', id: 'p1', data: patientFixture({ id: 'p1' }) }];
  BODIES.forEach((body, i) => {
    const thread = threadFixture({ id: `t${i}`, patientId: 'p1', lastMessageAt: at(i), updatedAt: at(i) });
    changes.push({ entity: 'thread', id: thread.id, data: thread });
    const message = messageFixture({ id: `m${i}`, threadId: `t${i}`, body, sentAt: at(i) });
    changes.push({ entity: 'message', id: message.id, data: message });
  });
  const half = 7;
  return [
    { changes: changes.slice(0, half), cursor: '7', hasMore: true, remaining: changes.length - half },
    { changes: changes.slice(half), cursor: String(changes.length), hasMore: false, remaining: 0 },
  ];
}

function indexed(store: Store): { body: string[]; grams: string[]; vocabulary: string[] } {
  store.db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_words USING fts5vocab(main, messages_fts, 'col')`,
  );
  const terms = (col: string) =>
    store.db
      .prepare<[string], string>('SELECT term FROM temp.fts_words WHERE col = ? ORDER BY term')
      .pluck()
      .all(col);
  return {
    body: terms('body'),
    grams: terms('grams'),
    vocabulary: store.db.prepare<[], string>('SELECT term FROM search_vocab ORDER BY term').pluck().all(),
  };
}

describe('the search index a bulk load builds (issue 16 §2)', () => {
  it('rests on ASCII text folding to its lower case, with no grams (the premise of folding it in SQL)', () => {
    for (let c = 0; c < 128; c++) {
      const text = `Ab${String.fromCharCode(c)}Zy`;
      expect(foldText(text)).toBe(text.toLowerCase());
      expect(indexTextOf(text).grams).toBe('');
    }
  });

  it('folds plain ASCII bodies in SQL and the rest in JavaScript: the same words, grams and vocabulary', () => {
    const bulkStore = newStore();
    const bulk = BulkLoad.beginIfNew(bulkStore, CURSOR_KEY)!;
    expect(bulk).not.toBeNull();
    const fast = vi.spyOn(bulkStore.threads, 'refreshSearchAfterBulkLoad');
    for (const batch of batches()) applyPullBatch(bulkStore, batch, { bulk });
    bulk.finish();
    expect(fast).toHaveBeenCalledTimes(1);

    const normal = newStore();
    for (const batch of batches()) applyPullBatch(normal, batch);

    const expected = { body: BODY_TERMS, grams: GRAM_TERMS, vocabulary: VOCABULARY };
    expect(indexed(bulkStore)).toEqual(expected);
    expect(indexed(normal)).toEqual(expected);
    const found = (store: Store, text: string) =>
      store.threads
        .page({ staffId: 'me', queue: 'all', offset: 0, limit: 50, search: text })
        .rows.map((r) => r.id);
    for (const store of [bulkStore, normal]) {
      expect(found(store, 'pressure')).toEqual(['t0']);
      expect(found(store, 'THANKS')).toEqual(['t0']);
      expect(found(store, 'creme')).toEqual(['t1']);
      expect(found(store, '头痛')).toEqual(['t2']);
      expect(found(store, 'vert')).toEqual(['t3']);
    }
    // The refresh built the index with a larger FTS5 hash (session 8) and left FTS5's default of 1 MiB behind it.
    const hashSize = (store: Store) =>
      store.db.prepare(`SELECT v FROM messages_fts_config WHERE k = 'hashsize'`).pluck().get() ?? 1048576;
    expect(hashSize(bulkStore)).toBe(1048576);
    expect(hashSize(normal)).toBe(1048576);
  });

  it('folds every body in JavaScript when a message was written outside the batches during the load', () => {
    const store = newStore();
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    const fast = vi.spyOn(store.threads, 'refreshSearchAfterBulkLoad');
    const [first, last] = batches();
    applyPullBatch(store, first!, { bulk });
    // A local reply (or a thread fetched on demand) between two batches: its words were not noted by a batch.
    store.transaction(() =>
      store.messages.upsert(
        messageFixture({ id: 'local', threadId: 't0', body: 'Zygote reply', sentAt: at(30) }),
      ),
    );
    applyPullBatch(store, last!, { bulk });
    bulk.finish();
    expect(fast).not.toHaveBeenCalled();
    const { vocabulary, body } = indexed(store);
    expect(vocabulary).toEqual([...VOCABULARY, 'reply', 'zygote'].sort());
    expect(body).toEqual([...BODY_TERMS, 'reply', 'zygote'].sort());
  });

  it('folds every body in JavaScript when the load ended before its last batch', () => {
    const store = newStore();
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    const fast = vi.spyOn(store.threads, 'refreshSearchAfterBulkLoad');
    applyPullBatch(store, batches()[0]!, { bulk });
    bulk.finish();
    expect(fast).not.toHaveBeenCalled();
    // Messages m0..m2 arrived in the first batch.
    expect(indexed(store).vocabulary).toEqual([
      '120',
      'blood',
      'cafe',
      'creme',
      'merci',
      'pressure',
      'thanks',
      'today',
    ]);
  });
});
