/**
 * The inbox's full-text index (migration 3): one `messages_fts` row per message, keyed so that a search can
 * count threads and list them newest-first without reading a single message or thread row:
 *
 *   rowid = (search key << 20) | ordinal of the message in its thread (by sent_at, id)
 *   search key = (open << 42) | (unix seconds of the thread's last_message_at << 9) | tie-break in that second
 *
 * so `rowid >> 20` is the thread's search key, FTS's own `ORDER BY rowid DESC` is "newest activity first", and
 * open and closed threads, and the "messages since" filter, are rowid ranges, which FTS applies at no cost.
 * The `tags` column holds the thread's other queue attributes as single tokens (see TAG), so the remaining
 * queue filters are FTS terms. The index is contentless: the text stays in
 * `messages` only, and snippets are made from it for the threads on the page.
 *
 * Text (migration 6, issue 14): the `body` column holds the message folded by src-shared/text-fold.ts (every
 * script: case, accents, width, Turkish i, Greek final sigma) with runs of Chinese, Japanese, Korean, Thai…
 * blanked, and the `grams` column holds those runs as character bigrams (src-shared/search-text.ts). The
 * tokenizer only splits (`unicode61 remove_diacritics 0 categories 'L* N* Co M*'`): all folding happens in
 * foldText, which the query side (parseSearch) applies too, so both sides always fold alike.
 *
 * Speed (migration 15, issue 14 §6 / issue 16 §4: p95 < 10 ms through the router at 200k messages): a search
 * walks the matches newest first and stops after SEARCH_COUNT_CAP threads (scan: "1,000+"); a word prefix is
 * asked for as the OR of its completions from `search_vocab` (every indexed word, added by refresh), which FTS5
 * walks lazily, instead of FTS5's prefix query, which merges every match of every completion first; tags for the
 * pool and for administrative pools let a pool's queue and a receptionist's search filter inside FTS5.
 *
 * Triggers only mark threads dirty (`search_dirty`); refresh() re-indexes them in bulk, in set-based SQL. The
 * sync calls it at the end of every pulled batch (in the batch's transaction) and a search calls it first, so a
 * search always sees every committed change.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { MIN_PREFIX_LENGTH, indexTextOf, wordsOf } from '../../../src-shared/search-text';

const ORDINAL_BITS = 20;
const TIE_BITS = 9;
const TIES = 2 ** TIE_BITS;
const MAX_ORDINAL = 2 ** ORDINAL_BITS;
/** Seconds fit in 33 bits (until the year 2242); open threads' keys start at 2^42. */
const MAX_SECOND = 2 ** 33 - 1;
const OPEN_BASE = 2 ** 42;
const OPEN_SQL = `t.status IN ('new', 'in_progress')`;
/** The first key of a thread's second, in SQL over threads `t`. */
const LO_SQL = `(CASE WHEN ${OPEN_SQL} THEN ${OPEN_BASE} ELSE 0 END
  + min(max(coalesce(unixepoch(t.last_message_at), 0), 0), ${MAX_SECOND}) * ${TIES})`;

const hexOf = (id: string): string => Buffer.from(id, 'utf8').toString('hex');
const word = (value: string): string => value.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Tag tokens, as the index writes them (TAGS_SQL) and a query asks for them (tagsOf): letters and digits only,
 * so the tokenizer keeps each one whole; ids are hex-encoded. Keep both sides in step.
 */
export const TAG = {
  /** The urgent queue: an urgent priority, or escalated past its due time (overdue; review 7 R3, migration 17). */
  urgent: 'qurgent',
  status: (s: string) => `st${word(s)}`,
  priority: (p: string) => `pr${word(p)}`,
  assignee: (id: string | null) => `as${id === null ? 'none' : hexOf(id)}`,
  provider: (id: string | null) => `pv${id === null ? 'none' : hexOf(id)}`,
  /** The thread's triage pool (migration 15). */
  pool: (id: string) => `pl${hexOf(id)}`,
  /** The thread is in an administrative pool (migration 15): a receptionist's search asks for it (issue 14a). */
  administrative: 'kadmin',
} as const;

const TAGS_SQL = `'st' || replace(lower(t.status), '_', '') || ' pr' || lower(t.priority)
   || CASE WHEN t.priority IN ('urgent', 'asap', 'stat') OR t.overdue = 1 THEN ' qurgent' ELSE '' END
   || ' as' || CASE WHEN t.assignee_id IS NULL THEN 'none' ELSE lower(hex(t.assignee_id)) END
   || ' pv' || CASE WHEN t.provider_id IS NULL THEN 'none' ELSE lower(hex(t.provider_id)) END
   || CASE WHEN t.pool_id IS NULL THEN '' ELSE ' pl' || lower(hex(t.pool_id))
        || CASE WHEN (SELECT kind FROM pools WHERE id = t.pool_id) = 'administrative' THEN ' kadmin' ELSE '' END
      END`;

/**
 * A search counts matching threads up to this many and then says "1,000+" (issue 14 §6, issue 16 §4): the exact
 * total of a common word took 7-33 ms at 200k messages (count(DISTINCT) over every match), the first 1,000 takes
 * under 1 ms. Paging past it still works: a page at offset N counts up to N + its size.
 */
export const SEARCH_COUNT_CAP = 1_000;

/**
 * A prefix with at most this many completions in the vocabulary is searched as an OR of them (FTS5 walks each
 * whole word's doclist lazily, newest first, and stops after a page); with more, FTS5's own prefix query is used,
 * which reads and merges every match of every completion before the first row (∝ matches: "the"* 27 ms,
 * "appointment"* 3-4 ms at 200k messages, against 0.2-0.6 ms for the OR). Measured on the bench store
 * (.dev experiments, scale 100): an OR of 10 common words, 1,000 threads counted, 2.2 ms; of 50, 10 ms.
 */
export const MAX_PREFIX_COMPLETIONS = 16;

/**
 * Words of deleted messages checked one by one against the index; more (an eviction) and the whole vocabulary is
 * checked in one pass over the index instead. Measured (ad-hoc, 20k messages, 20k words, load 4.2): 11 µs per
 * look-up, 26 ms for the pass: 2,000 look-ups cost about what one pass does.
 */
const FORGET_SCAN_WORDS = 2_000;

/**
 * SQL over a message row `m`: true when its body is all ASCII (code points below 128, control characters included).
 * For such text foldText (src-shared/text-fold.ts) is the text lower-cased: its fast path does only that, and its full
 * path changes no ASCII character but for case; and there are no grams (no GRAM_SCRIPTS letter is ASCII). SQLite's
 * lower() folds A-Z only, exactly what toLowerCase does to ASCII. The index an initial sync builds uses it to fold
 * those bodies in SQL (refreshAfterBulkLoad).
 *
 * The test: as many bytes as characters. In UTF-8 every byte of 128 or more belongs to a character of two bytes or
 * more, and bodies reach the store as UTF-8 written by better-sqlite3 or SQLite's JSON functions; a body with a NUL
 * (length() stops there) is not taken as ASCII, so it takes foldText's path, which is always right. Session 15: the
 * GLOB this replaced ('*[^ -~\t\n\r]*', printable ASCII only) parsed its character class again at every character
 * of every body: 14% of the search index's build at scale 100 (perf, 200k messages, SQLite's patternCompare); the
 * build took 1.76-1.88 s with this test against 2.10-2.15 s (bench/profile-sync.ts, three pairs of runs alternating).
 */
const ASCII_BODY_SQL = `octet_length(m.body) = length(m.body)`;

/** The `settings` key noting that deleted messages' terms wait for a merge of the index (mergeIfPending). */
const MERGE_PENDING = 'search.mergePending';

/** FTS5's `hashsize` while a bulk load's refresh builds the whole index, and FTS5's own default (bytes). */
const BULK_HASH_SIZE = 16 * 1024 * 1024;
const FTS5_DEFAULT_HASH_SIZE = 1024 * 1024;

/** Above every character a word can hold: `prefix + TOP` bounds the range of words starting with `prefix`. */
const TOP = '\u{10FFFF}';

/** The search keys of open or closed threads last active at or after `since` (ISO instant or YYYY-MM-DD). */
export function searchKeyRange(open: boolean, since?: string): { lo: number; hi: number } {
  const base = open ? OPEN_BASE : 0;
  let second = 0;
  if (since !== undefined) {
    const ms = Date.parse(since);
    if (!Number.isNaN(ms)) second = Math.min(Math.max(0, Math.floor(ms / 1000)), MAX_SECOND);
  }
  return { lo: base + second * TIES, hi: base + OPEN_BASE - 1 };
}

/** An FTS5 query over `{body}`, `{grams}` and `{tags}`, and a range of search keys. */
export interface SearchQuery {
  match: string;
  lo: number;
  hi: number;
}

/** One page of a search's thread keys and the count of matching threads (see SEARCH_COUNT_CAP). */
export interface SearchScan {
  /** Search keys of the page's threads, newest activity first. */
  keys: number[];
  /** Matching threads: exact, or (totalIsLowerBound) at least this many. */
  total: number;
  /** True when more threads match than were counted. */
  totalIsLowerBound: boolean;
}

export class SearchIndex {
  private readonly anyDirtyStmt;
  private readonly dirtyCountStmt;
  private readonly dirtyKeysStmt;
  private readonly deleteRowsStmt;
  private readonly dropKeysStmt;
  private readonly allocateStmt;
  private readonly unkeyedStmt;
  private readonly lastKeyInStmt;
  private readonly addKeyStmt;
  private readonly indexStmt;
  private readonly clearDirtyStmt;
  private readonly keysStmt;
  private readonly completionsStmt;
  private readonly addWordStmt;
  private readonly refreshTx: (bulk: boolean) => void;
  private readonly bulkIndexStmt;
  private readonly markMergeStmt;
  private readonly mergeTx: () => boolean;
  /** Words known to be in search_vocab already (a cache; bounded). */
  private readonly known = new Set<string>();
  /**
   * A word this connection inserted into search_vocab last (review 7 R7): when a transaction that added words
   * rolls back, `known` still holds them; the next refresh finds this word missing and forgets `known` instead of
   * skipping words the vocabulary does not have.
   */
  private lastAdded: string | null = null;
  private readonly vocabHasStmt;
  private readonly forgottenStmt;
  private readonly clearForgottenStmt;
  private readonly wordMatchesStmt;
  private readonly dropWordStmt;

  constructor(private readonly db: Database) {
    registerSearchFunctions(db);
    this.completionsStmt = db
      .prepare<[string, string, number], string>(
        'SELECT term FROM search_vocab WHERE term >= ? AND term < ? ORDER BY term LIMIT ?',
      )
      .pluck();
    this.addWordStmt = db.prepare('INSERT OR IGNORE INTO search_vocab (term) VALUES (?)');
    this.vocabHasStmt = db.prepare<[string], number>('SELECT 1 FROM search_vocab WHERE term = ?').pluck();
    // Review 7 R4: the words of every message deleted or rewritten on this connection (a server deletion, a
    // rejected reply taken back, an eviction), kept in a temporary table (so a rollback takes them back with the
    // deletion) until the next refresh drops from the vocabulary those no message holds any more.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS search_forgotten (words TEXT NOT NULL);
      CREATE TEMP TRIGGER IF NOT EXISTS search_forget_delete AFTER DELETE ON main.messages
      BEGIN INSERT INTO search_forgotten (words) VALUES (search_words(old.body)); END;
      CREATE TEMP TRIGGER IF NOT EXISTS search_forget_update AFTER UPDATE OF body ON main.messages
        WHEN old.body IS NOT new.body
      BEGIN INSERT INTO search_forgotten (words) VALUES (search_words(old.body)); END;`);
    this.forgottenStmt = db.prepare<[], string>('SELECT words FROM temp.search_forgotten').pluck();
    this.clearForgottenStmt = db.prepare('DELETE FROM temp.search_forgotten');
    this.wordMatchesStmt = db
      .prepare<[string], number>(`SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT 1`)
      .pluck();
    this.dropWordStmt = db.prepare('DELETE FROM search_vocab WHERE term = ?');
    this.anyDirtyStmt = db.prepare<[], { one: number }>('SELECT 1 AS one FROM search_dirty LIMIT 1');
    this.dirtyCountStmt = db.prepare<[], number>('SELECT count(*) FROM search_dirty').pluck();
    this.dirtyKeysStmt = db
      .prepare<[], number>('SELECT k.key FROM search_dirty d JOIN search_keys k ON k.thread_id = d.thread_id')
      .pluck();
    this.deleteRowsStmt = db.prepare<{ key: number }>(
      `DELETE FROM messages_fts
       WHERE rowid BETWEEN (@key << ${ORDINAL_BITS}) AND (@key << ${ORDINAL_BITS}) + ${MAX_ORDINAL - 1}`,
    );
    this.dropKeysStmt = db.prepare(
      'DELETE FROM search_keys WHERE thread_id IN (SELECT thread_id FROM search_dirty)',
    );
    // New keys for dirty threads that still exist: after the last key taken in their second. Within a second a
    // higher key lists first, so keys go in descending id order, as the queues break ties (id ascending).
    // Threads beyond the second's TIES slots are left for the (rare) one-by-one path below.
    this.allocateStmt = db.prepare(
      `WITH d AS (
         SELECT t.id AS id, ${LO_SQL} AS lo FROM search_dirty s JOIN threads t ON t.id = s.thread_id
       ), b AS (
         SELECT id, lo, coalesce((SELECT max(k.key) + 1 FROM search_keys k WHERE k.key BETWEEN d.lo AND d.lo + ${TIES - 1}), lo)
           + row_number() OVER (PARTITION BY lo ORDER BY id DESC) - 1 AS key
         FROM d
       )
       INSERT INTO search_keys (thread_id, key) SELECT id, key FROM b WHERE key <= lo + ${TIES - 1}`,
    );
    this.unkeyedStmt = db.prepare<[], { id: string; lo: number }>(
      `SELECT t.id AS id, ${LO_SQL} AS lo FROM search_dirty s JOIN threads t ON t.id = s.thread_id
       WHERE NOT EXISTS (SELECT 1 FROM search_keys k WHERE k.thread_id = t.id) ORDER BY t.id`,
    );
    this.lastKeyInStmt = db
      .prepare<[number, number], number | null>('SELECT max(key) FROM search_keys WHERE key BETWEEN ? AND ?')
      .pluck();
    this.addKeyStmt = db.prepare('INSERT INTO search_keys (thread_id, key) VALUES (?, ?)');
    const indexSql = (words: string, grams: string): string =>
      `INSERT INTO messages_fts (rowid, body, grams, tags)
       SELECT (k.key << ${ORDINAL_BITS}) + m.ord, ${words}, ${grams}, ${TAGS_SQL}
       FROM (SELECT thread_id, body, row_number() OVER (PARTITION BY thread_id ORDER BY sent_at, id) - 1 AS ord
             FROM messages WHERE thread_id IN (SELECT thread_id FROM search_dirty)) m
       JOIN search_keys k ON k.thread_id = m.thread_id
       JOIN threads t ON t.id = m.thread_id
       WHERE m.ord < ${MAX_ORDINAL}
       ORDER BY 1`;
    this.indexStmt = db.prepare(indexSql('search_words(m.body)', 'search_grams(m.body)'));
    // After a bulk load (issue 16 §2): plain ASCII bodies (nearly all) folded in SQL, the rest by search_words. Their
    // words reached the vocabulary during the load (addWordsOf); search_words still hands the others' words to the
    // refresh. Session 7, scale 100 (200k messages), at load 5-10, so rough: the refresh took 4.4 CPU-s, 2.9 with
    // the JavaScript fold stubbed out (bench/profile-apply.ts PROFILE_OFF=fold); its SELECT alone 1.4-2.2 s, and
    // the FTS5 insert (tokenizing the words and tags) the rest. Making each thread's tags once (a materialized CTE)
    // saved 0-0.5 s of the SELECT, within noise, and was left out.
    // Session 8, s8sync, tried: sorting only the rows' keys (index rowid, message rowid) and reading each body by
    // rowid after the sort made this refresh slower (5.9-6.2 against 4.7-5.4 CPU-s, bench/profile-apply.ts, load
    // 3.7-3.9): the bodies are then read in index order, one random page of `messages` each.
    this.bulkIndexStmt = db.prepare(
      indexSql(
        `CASE WHEN ${ASCII_BODY_SQL} THEN lower(m.body) ELSE search_words(m.body) END`,
        `CASE WHEN ${ASCII_BODY_SQL} THEN '' ELSE search_grams(m.body) END`,
      ),
    );
    this.clearDirtyStmt = db.prepare('DELETE FROM search_dirty');
    this.markMergeStmt = db.prepare(
      `INSERT INTO settings (key, value) VALUES ('${MERGE_PENDING}', '1') ON CONFLICT (key) DO NOTHING`,
    );
    const mergePendingStmt = db.prepare(`DELETE FROM settings WHERE key = '${MERGE_PENDING}'`);
    this.mergeTx = db.transaction((): boolean => {
      if (mergePendingStmt.run().changes === 0) return false;
      db.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('optimize')`);
      return true;
    });
    const inRange = `rowid BETWEEN (@lo << ${ORDINAL_BITS}) AND (@hi << ${ORDINAL_BITS}) + ${MAX_ORDINAL - 1}`;
    // DISTINCT thread keys in FTS5's rowid order (newest first), cut by LIMIT: SQLite stops the FTS5 walk there.
    // One .all() instead of iterate(): stepping a row into JS one at a time cost more than the walk itself.
    this.keysStmt = db
      .prepare<SearchQuery & { n: number }, number>(
        `SELECT DISTINCT rowid >> ${ORDINAL_BITS} FROM messages_fts
         WHERE messages_fts MATCH @match AND ${inRange} ORDER BY rowid DESC LIMIT @n`,
      )
      .pluck();
    this.refreshTx = db.transaction((bulk: boolean) => {
      for (const key of this.dirtyKeysStmt.all()) this.deleteRowsStmt.run({ key });
      this.dropKeysStmt.run();
      this.allocateStmt.run();
      // More than TIES threads whose last message is in the same second: take slots of later seconds.
      for (const { id, lo } of this.unkeyedStmt.all()) {
        for (let from = lo + TIES; ; from += TIES) {
          const last = this.lastKeyInStmt.get(from, from + TIES - 1) ?? null;
          const key = last === null ? from : last + 1;
          if (key < from + TIES) {
            this.addKeyStmt.run(id, key);
            break;
          }
        }
      }
      // search_words hands each message's word text to this refresh (whichever SearchIndex runs it), which keeps
      // only the words the vocabulary lacks: memory in the size of the vocabulary, not of the text indexed (an
      // initial sync indexes 200k messages in one refresh; session 6, s6sync, issue 16 §2 RSS).
      // The words added last are gone: their transaction rolled back, so `known` cannot be trusted (review 7 R7).
      // Checked before the walk below, which skips the words `known` holds.
      if (this.lastAdded !== null && this.vocabHasStmt.get(this.lastAdded) === undefined) {
        this.known.clear();
        this.lastAdded = null;
      }
      const fresh = new Set<string>();
      wordCollectors.set(db, (text) => this.collectWords(text, fresh));
      try {
        (bulk ? this.bulkIndexStmt : this.indexStmt).run();
      } finally {
        wordCollectors.delete(db);
      }
      this.addWords(fresh);
      this.clearDirtyStmt.run();
      this.forgetGoneWords();
    });
  }

  /**
   * Drop from the vocabulary the words of deleted or rewritten messages (temp.search_forgotten) that no indexed
   * message holds any more (review 7 R4, the kind of review 6 D15: no word of a message gone from this PC may stay
   * in the store). One index look-up per word; past FORGET_SCAN_WORDS words, one pass over the whole index
   * (pruneVocabulary) instead.
   */
  private forgetGoneWords(): void {
    const texts = this.forgottenStmt.all();
    if (texts.length === 0) return;
    const words = new Set<string>();
    for (const text of texts)
      for (const word of wordsOf(text)) if (word.length >= MIN_PREFIX_LENGTH) words.add(word);
    if (words.size > FORGET_SCAN_WORDS) this.pruneVocabulary();
    else {
      for (const word of words) {
        if (this.wordMatchesStmt.get(`{body} : "${word}"`) !== undefined) continue;
        this.dropWordStmt.run(word);
        this.known.delete(word);
      }
    }
    // The deleted rows' terms stay in their segments under tombstones until a merge (review 7 U7): noted here, in
    // the transaction that deleted them, and merged later (mergeIfPending), off the sync's critical path.
    this.markMergeStmt.run();
    this.clearForgottenStmt.run();
  }

  /**
   * Merge the index's segments into one (FTS5 'optimize') if an indexed message was deleted since the last merge,
   * so the deleted rows' terms are gone from disk, not only masked (review 7 U7). A contentless_delete=1 table
   * deletes by tombstone: the row's terms stay in their segment until a merge rewrites it. FTS5's own
   * 'secure-delete' option does not apply to such a table (tried on SQLite 3.53: the terms stay; it needs the
   * 'delete' command with the row's original values, which a contentless_delete table refuses). The freed pages
   * are overwritten (secure_delete, store/open.ts).
   *
   * Cost: a rewrite of the whole index, about 1.0–1.2 s of CPU for 200k messages (session 7, an encrypted index of
   * that shape, 36 MB, at load 2). So the refresh only notes the need (a `settings` row, in the deleting
   * transaction, so it survives a restart) and the core calls this when its session stops being active: on lock
   * and sign-out (src-main/core/create-core.ts), when nobody waits for the console.
   * @returns true when it merged. Errors: SqliteError from the merge (the note stays; the next call tries again).
   */
  mergeIfPending(): boolean {
    return this.mergeTx();
  }

  /** The words of an indexed message's word text that the vocabulary may lack, into `fresh`. */
  private collectWords(text: string, fresh: Set<string>): void {
    for (const word of wordsOf(text)) {
      // UTF-16 length: at least every word of MIN_PREFIX_LENGTH code points (a few shorter ones are harmless).
      if (word.length >= MIN_PREFIX_LENGTH && !this.known.has(word)) fresh.add(word);
    }
  }

  /** Add the words of indexed messages to the vocabulary (search_vocab, migration 15) that it lacks. */
  private addWords(fresh: Set<string>): void {
    if (this.known.size + fresh.size > 200_000) this.known.clear();
    for (const word of fresh) {
      if (this.addWordStmt.run(word).changes > 0) this.lastAdded = word;
      this.known.add(word);
    }
  }

  /**
   * Drop the vocabulary's words the index no longer holds (after the store window evicted messages and the
   * index was merged: no word of an evicted message may stay on disk, src-main/sync/store-window.ts). Reads the
   * whole index (fts5vocab). Returns how many words were dropped.
   */
  pruneVocabulary(): number {
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab_live USING fts5vocab(main, messages_fts, 'col')`,
    );
    const { changes } = this.db
      .prepare(
        `DELETE FROM search_vocab WHERE term NOT IN (SELECT term FROM temp.search_vocab_live WHERE col = 'body')`,
      )
      .run();
    this.known.clear();
    return changes;
  }

  /**
   * The indexed words starting with `prefix` (a folded word), in order, or null when there are more than
   * MAX_PREFIX_COMPLETIONS of them. The vocabulary holds every word an indexed message holds (the words of a
   * deleted message go at the next refresh: forgetGoneWords).
   */
  completions(prefix: string): string[] | null {
    this.refresh();
    const words = this.completionsStmt.all(prefix, prefix + TOP, MAX_PREFIX_COMPLETIONS + 1);
    return words.length > MAX_PREFIX_COMPLETIONS ? null : words;
  }

  /**
   * Re-index every thread marked dirty (nested in a caller's transaction, a savepoint); with `atLeast`, only
   * once that many threads are dirty (a bulk sync then writes fewer, larger index segments).
   */
  refresh(atLeast = 1): void {
    if (atLeast <= 1 ? this.anyDirtyStmt.get() : (this.dirtyCountStmt.get() ?? 0) >= atLeast)
      this.refreshTx(false);
  }

  /**
   * The refresh at the end of a bulk load (src-main/store/bulk-load.ts, issue 16 §2): the same index as refresh(),
   * with plain ASCII bodies folded in SQL. Their words must already be in the vocabulary: every message the load
   * wrote was passed to addWordsOf, in the transaction that wrote it.
   */
  refreshAfterBulkLoad(): void {
    if (!this.anyDirtyStmt.get()) return;
    // FTS5 flushes its in-memory terms to a new segment each time they pass `hashsize` (default 1 MiB), and its
    // automerge then merges those segments again and again while the index is built. For this one insert of every
    // message the hash may hold 16 MiB: fewer, larger segments, less merging (session 8, s8sync, scale 100,
    // bench/profile-apply.ts, interleaved at load 5-8.6: this refresh 3.9-4.7 CPU-s against 4.5-5.0, the
    // finish's RSS peak 335-348 MB against 341-368). Set back to FTS5's default in the same transaction.
    const hashSize = (bytes: number) =>
      this.db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', ${bytes})`);
    this.db.transaction(() => {
      hashSize(BULK_HASH_SIZE);
      this.refreshTx(true);
      hashSize(FTS5_DEFAULT_HASH_SIZE);
    })();
  }

  /**
   * Add the vocabulary words of message bodies a bulk load wrote (the words refresh() collects from the messages it
   * indexes) that the vocabulary lacks. Call in the transaction that wrote the messages. `words`, when given, are
   * vocabularyWordsOf(bodies) made elsewhere (the pull decoder's worker thread: session 8, s8sync).
   */
  addWordsOf(bodies: readonly string[], words?: readonly string[]): void {
    if (words ? words.length === 0 : bodies.length === 0) return;
    // Words this connection added last are gone when their transaction rolled back (review 7 R7).
    if (this.lastAdded !== null && this.vocabHasStmt.get(this.lastAdded) === undefined) {
      this.known.clear();
      this.lastAdded = null;
    }
    const fresh = new Set<string>();
    if (words) {
      for (const word of words) if (!this.known.has(word)) fresh.add(word);
    } else for (const body of bodies) this.collectWords(indexTextOf(body).words, fresh);
    this.addWords(fresh);
  }

  /**
   * One pass over the matches, newest activity first: the keys of threads offset..offset+limit-1, and the number
   * of matching threads counted up to max(SEARCH_COUNT_CAP, offset + limit) (`totalIsLowerBound` when more
   * match). Stops at that count, so its cost does not grow with the number of matches.
   */
  scan(q: SearchQuery, offset: number, limit: number): SearchScan {
    const stop = Math.max(SEARCH_COUNT_CAP, offset + limit);
    const found = this.keysStmt.all({ ...q, n: stop + 1 });
    const keys = found.slice(offset, Math.min(offset + limit, stop));
    if (found.length > stop) return { keys, total: stop, totalIsLowerBound: true };
    return { keys, total: found.length, totalIsLowerBound: false };
  }
}

/* ---------------- index text ---------------- */

/**
 * The vocabulary words of message bodies, each once: the words of MIN_PREFIX_LENGTH or more UTF-16 units that
 * SearchIndex adds for them (collectWords over indexTextOf(body).words). Pure: the pull decoder's worker thread
 * makes them for each page of a bulk load (src-main/sync/pull-decode.ts), off the main thread (issue 16 §2).
 */
export function vocabularyWordsOf(bodies: Iterable<string>): string[] {
  const words = new Set<string>();
  for (const body of bodies)
    for (const word of wordsOf(indexTextOf(body).words))
      if (word.length >= MIN_PREFIX_LENGTH) words.add(word);
  return [...words];
}

/** Per connection, during a SearchIndex refresh: the word text of each message search_words folded. */
const wordCollectors = new WeakMap<Database, (words: string) => void>();

/**
 * Register the SQL functions the index statements use on a connection: `search_words(body)` and
 * `search_grams(body)`, the word and gram columns of a message (src-shared/search-text.ts, indexTextOf), folded
 * by src-shared/text-fold.ts exactly as a search is. Deterministic; a one-entry memo lets the two calls for the
 * same row fold the body once. Idempotent (a second registration replaces the first).
 */
export function registerSearchFunctions(db: Database): void {
  let lastBody: string | null = null;
  let last = { words: '', grams: '' };
  const textOf = (body: unknown) => {
    const text = typeof body === 'string' ? body : '';
    if (text !== lastBody) {
      last = indexTextOf(text);
      lastBody = text;
    }
    return last;
  };
  db.function('search_words', { deterministic: true }, (body: unknown) => {
    const { words } = textOf(body);
    wordCollectors.get(db)?.(words);
    return words;
  });
  db.function('search_grams', { deterministic: true }, (body: unknown) => textOf(body).grams);
}
