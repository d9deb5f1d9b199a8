/**
 * Bulk-load mode for a brand-new store (issue 16 §2): while the first sync fills an empty store, the store runs
 * with its rollback journal in memory and no fsync, without its secondary indexes (but KEPT_INDEXES), without the
 * triggers that keep the search index and without the per-row write counters; patient lookup terms are deferred
 * (the queue counts' triggers stay and keep them). At the end the search index and the patient terms are rebuilt
 * set-based, the indexes are created again (one sort each), the store goes back to WAL and is flushed to disk. The
 * result is the store a normal sync writes: the same rows, queue counts, search index and patient lookup terms
 * (tests/integration/bulk-load.test.ts).
 *
 * Crash safety: without a journal on disk, a crash mid-load can leave a damaged file. So before the first
 * bulk write the (small, pre-sync) store file is copied to `clinic.db-prebulk`, and that copy is the marker:
 * it is deleted only after the load is rebuilt and flushed. If the console stops during the load (crash,
 * power cut, kill), the next open finds the copy, deletes the half-filled store and puts the copy back
 * (recoverInterruptedBulkLoad, called by openDatabase), and the first sync starts again.
 *
 * What people do on this PC while the load runs is not lost with it: the copy is attached to the loading
 * connection as a durable database of its own (rollback journal, full fsync), and temporary triggers write
 * each new audit event and the outbox as it changes into two side tables there (KEPT_AUDIT, KEPT_OUTBOX) in
 * the same statement. After a restore, openDatabase puts them back (restoreKeptRows): the audit events after
 * the copy's last one, verbatim (sequence, previous hash, hash: the chain stays intact), and the outbox as it
 * was; the console's settings and emergency-access grants are kept whole the same way (KEPT_STATE). Queued
 * changes are then pushed and the first sync runs again.
 *
 * One loader at a time: the loading connection holds an exclusive lock on the store file (SQLite's
 * `locking_mode = EXCLUSIVE`) from before the copy is made until after it is deleted. An open that finds the
 * copy first tries to read the store: if it is locked, the load is running (another console process on the
 * same folder) and the open is refused (StoreError IN_USE) instead of restoring the copy under it.
 * On Linux and macOS that lock is a POSIX advisory lock, which the process loses when it closes *any* descriptor
 * of the file (SQLite's own are managed for this; ours are not). So the load opens the store file once, before the
 * copy (made by reading that descriptor), and closes no descriptor of it until the end of finish (session 15: the
 * copy was made with fs.copyFileSync, which opened and closed the file, and the whole load ran unlocked for other
 * processes: tests/integration/bulk-load-other-process.test.ts).
 *
 * Measured with bench/profile-apply.ts and `npm run bench -- --only sync` (figures in docs/performance-history.md,
 * "Earlier figures and what changed" and "Initial sync (session 11, s11sync)").
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { storeErrors } from './errors';
import type { Store } from './store';

/** Suffix of the pre-load copy of the store file; its presence means a bulk load is under way. */
export const PREBULK_SUFFIX = '-prebulk';

/**
 * Page cache while filling, and while rebuilding at the end after the indexes (SQLite's cache_size: negative =
 * KiB): 16 MB. The rebuild writes new pages in order; the store's 64 MB cache, filled again during the search
 * index's build, was the initial sync's RSS peak. With 16 MB for the whole rebuild the index builds read their tables
 * again and the search index's build is faster (session 9, s9rss, bench/profile-apply.ts replay at scale 100,
 * alternating, load 1.3-1.7: the finish's peak 326 and 349 MB with 64 MB, 301 and 262 with 16 MB; its CPU 7.1 and
 * 8.0 s against 6.8 and 7.1 s). Since session 15 the indexes are built with the store's own cache (finish says why).
 * SQLite sizes a sort's in-memory runs by it (the index builds' sorts by the store's cache); what a sort spills
 * stays in memory too (STORE_PRAGMAS, temp_store).
 */
const BULK_CACHE_SIZE = -16384;
/** Schema name of the pre-load copy, attached to the loading connection. */
const COPY_SCHEMA = 'prebulk';
/** Side tables in the copy: audit events recorded during the load, and the outbox as it is during the load. */
const KEPT_AUDIT = 'bulk_kept_audit_events';
const KEPT_OUTBOX = 'bulk_kept_outbox';
/**
 * Temporary triggers that keep local activity in the copy as it happens (names in the copy's tables are
 * unique, so a temp trigger's unqualified target resolves there: SQLite forbids qualified targets in triggers).
 */
const KEEP_TRIGGERS = `
  CREATE TEMP TRIGGER bulk_keep_audit AFTER INSERT ON main.audit_events BEGIN
    INSERT INTO ${KEPT_AUDIT} SELECT * FROM main.audit_events WHERE seq = new.seq;
  END;
  CREATE TEMP TRIGGER bulk_keep_outbox_insert AFTER INSERT ON main.outbox BEGIN
    INSERT INTO ${KEPT_OUTBOX} SELECT * FROM main.outbox WHERE seq = new.seq;
  END;
  CREATE TEMP TRIGGER bulk_keep_outbox_update AFTER UPDATE ON main.outbox BEGIN
    DELETE FROM ${KEPT_OUTBOX} WHERE seq = old.seq;
    INSERT INTO ${KEPT_OUTBOX} SELECT * FROM main.outbox WHERE seq = new.seq;
  END;
  CREATE TEMP TRIGGER bulk_keep_outbox_delete AFTER DELETE ON main.outbox BEGIN
    DELETE FROM ${KEPT_OUTBOX} WHERE seq = old.seq;
  END;`;
/**
 * Local-only state people change on the PC during a load, kept whole by rowid the same way (review 6, D17): the
 * console's settings (idle auto-lock, personal templates, …), emergency-access grants, the sign-in verifiers and
 * lockouts of this device (review 7 R2: a power cut must not unlock an account locked after repeated failures),
 * and the problems of changes the server refused (review 7 R2: their outbox rows are kept as gone, so the problem
 * is all that tells the person, DESIGN §5). Rowid tables only.
 */
const KEPT_STATE = ['settings', 'break_glass', 'staff_credentials', 'sync_problems'] as const;
const keptName = (table: string): string => `bulk_kept_${table}`;
const KEEP_STATE_TRIGGERS = KEPT_STATE.map(
  (t) => `
  CREATE TEMP TRIGGER bulk_keep_${t}_insert AFTER INSERT ON main.${t} BEGIN
    INSERT INTO ${keptName(t)} SELECT rowid, * FROM main.${t} WHERE rowid = new.rowid;
  END;
  CREATE TEMP TRIGGER bulk_keep_${t}_update AFTER UPDATE ON main.${t} BEGIN
    DELETE FROM ${keptName(t)} WHERE kept_rowid = old.rowid;
    INSERT INTO ${keptName(t)} SELECT rowid, * FROM main.${t} WHERE rowid = new.rowid;
  END;
  CREATE TEMP TRIGGER bulk_keep_${t}_delete AFTER DELETE ON main.${t} BEGIN
    DELETE FROM ${keptName(t)} WHERE kept_rowid = old.rowid;
  END;`,
).join('');
const DROP_KEEP_STATE_TRIGGERS = KEPT_STATE.map((t) =>
  ['insert', 'update', 'delete'].map((k) => `DROP TRIGGER IF EXISTS temp.bulk_keep_${t}_${k};`).join(' '),
).join('\n');
const DROP_KEEP_TRIGGERS = `${DROP_KEEP_STATE_TRIGGERS}
  DROP TRIGGER IF EXISTS temp.bulk_keep_audit;
  DROP TRIGGER IF EXISTS temp.bulk_keep_outbox_insert;
  DROP TRIGGER IF EXISTS temp.bulk_keep_outbox_update;
  DROP TRIGGER IF EXISTS temp.bulk_keep_outbox_delete;`;

/** Tables a pull fills; their non-unique indexes are dropped during a bulk load. */
const FILLED_TABLES = ['patients', 'threads', 'messages', 'attachments', 'appointments', 'audit_remote'];
/**
 * Secondary indexes kept during a bulk load although not unique: a trigger that stays during the load searches by
 * them. `messages_thread`: the out-of-reach trigger on `withheld_threads` (store/reach-changes.ts) asks whether a
 * newly withheld thread has messages here; without the index each of a receptionist's withheld marks scanned every
 * message loaded so far, a first sync quadratic in its size (session 10, review of session 9 H1: 2,000 marks over
 * 100,000 messages took 117 s, 4 ms without the trigger; src-main/store/bulk-load-reach.test.ts).
 */
const KEPT_INDEXES = new Set(['messages_thread']);
/** A store holding a row in any of these has been synced before: no bulk load. */
const DATA_TABLES = ['patients', 'threads', 'messages', 'appointments', 'audit_remote'];

/**
 * Triggers that keep a derived table, dropped during a bulk load, each with the set-based rebuild that stands
 * in for it (run in finish()). Any other trigger on a filled table is left in place and fires as usual.
 */
const DERIVED_TRIGGERS: Record<string, 'search'> = {
  // The queue-count triggers stay (review 6, D14): the inbox's totals answer from thread_counts during the load, and
  // thread_counts needs no rebuild at the end (session 16: the GROUP BY that rebuilt it cost 0.22 CPU-s of the finish
  // at scale 100 and gave the same rows, bench/profile-apply.ts replay digests).
  threads_search_insert: 'search',
  threads_search_delete: 'search',
  threads_search_update: 'search',
  messages_search_insert: 'search',
  messages_search_delete: 'search',
  messages_search_update: 'search',
};

/**
 * Copy the file open as `fd` (from its start, whatever the descriptor's position) to a new file `to`: fs.copyFileSync
 * would open and close the source, dropping the process's locks on it (module comment).
 */
function copyFromDescriptor(fd: number, to: string): void {
  const out = fs.openSync(to, 'w', 0o600);
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0; ;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, at);
      if (n === 0) break;
      for (let done = 0; done < n;) done += fs.writeSync(out, chunk, done, n - done);
      at += n;
    }
  } finally {
    fs.closeSync(out);
  }
}

/** Open `p` with `flags`, flush it to disk, close it. */
const fsyncOpened = (p: string, flags: 'r' | 'r+'): void => {
  const fd = fs.openSync(p, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
};

/** Flush a file to disk (opened for writing: Windows flushes only a handle that may write). */
const fsyncFile = (p: string): void => fsyncOpened(p, 'r+');

/**
 * Flush a folder's entries (a rename or deletion in it) to disk. Not on Windows, which cannot open a folder as a
 * file and commits its metadata itself (NTFS journal); untested there (no Windows machine in CI).
 */
const fsyncDir = (p: string): void => {
  if (process.platform !== 'win32') fsyncOpened(p, 'r');
};

/**
 * Undo an interrupted bulk load before the store is opened: when `<file>-prebulk` exists and no connection
 * holds the store (a load that is running holds it locked), the half-filled store (and its -wal, -shm,
 * -journal) is deleted and the copy (with its own rollback journal, if a write to it was cut short) put back
 * in its place. A copy that was still being written (`-prebulk.tmp`) is deleted: the load had not started.
 * Returns true when a load was undone; the caller then calls restoreKeptRows on the opened store (at every
 * open: a restore cut short between the two steps is finished at the next).
 * Errors: StoreError IN_USE when a bulk load is running on the store; the file system's (EACCES, …).
 */
export function recoverInterruptedBulkLoad(file: string, keyHex: string): boolean {
  const copy = `${file}${PREBULK_SUFFIX}`;
  if (!fs.existsSync(copy)) {
    fs.rmSync(`${copy}.tmp`, { force: true });
    return false;
  }
  if (fs.existsSync(file) && isLockedByAnother(file, keyHex)) throw storeErrors.inUse(file);
  fs.rmSync(`${copy}.tmp`, { force: true });
  for (const f of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
  const hotJournal = fs.existsSync(`${copy}-journal`);
  if (hotJournal) fs.renameSync(`${copy}-journal`, `${file}-journal`);
  fs.renameSync(copy, file);
  fsyncDir(path.dirname(file));
  // A write to the copy cut short (review 6, D12): roll its journal back now with a read-write connection, so
  // the open's read-only key probe meets a consistent file, not a hot journal it cannot roll back.
  if (hotJournal) rollBackHotJournal(file, keyHex);
  return true;
}

/** Open read-write with the key and read: SQLite rolls a hot journal back. A wrong key leaves it to the open. */
function rollBackHotJournal(file: string, keyHex: string): void {
  let db: Db | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${keyHex}'"`);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    // The open that follows names the problem (wrong key, damaged file) and changes nothing.
  } finally {
    db?.close();
  }
}

/**
 * Whether another connection holds the store locked (a bulk load running: see the module comment). A store
 * that cannot be read for another reason (a crashed load's damaged file) is not "locked".
 */
function isLockedByAnother(file: string, keyHex: string): boolean {
  let probe: Db | null = null;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    probe.pragma(`cipher='sqlcipher'`);
    probe.pragma('legacy=4');
    probe.pragma(`key="x'${keyHex}'"`);
    probe.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  } finally {
    probe?.close();
  }
}

/**
 * After a restore (recoverInterruptedBulkLoad), on the opened store before its migrations: put back what was
 * kept during the interrupted load, in one transaction: audit events after the store's last one, verbatim, and
 * the outbox as it was; then drop the side tables. A store without them is left as is. Idempotent.
 */
export function restoreKeptRows(db: Db): void {
  const has = (t: string) =>
    db.prepare(`SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?`).get(t) !== undefined;
  if (!has(KEPT_AUDIT) && !has(KEPT_OUTBOX) && !KEPT_STATE.some((t) => has(keptName(t)))) return;
  db.transaction(() => {
    if (has(KEPT_AUDIT)) {
      db.exec(`INSERT INTO audit_events SELECT * FROM ${KEPT_AUDIT}
               WHERE seq > coalesce((SELECT max(seq) FROM audit_events), 0) ORDER BY seq;
               DROP TABLE ${KEPT_AUDIT};`);
    }
    for (const t of KEPT_STATE) {
      if (!has(keptName(t))) continue;
      const cols = db
        .prepare<[], string>(`SELECT name FROM pragma_table_info('${t}')`)
        .pluck()
        .all()
        .map((c) => `"${c}"`)
        .join(', ');
      db.exec(`DELETE FROM ${t};
               INSERT OR REPLACE INTO ${t} (rowid, ${cols}) SELECT kept_rowid, ${cols} FROM ${keptName(t)} ORDER BY kept_rowid;
               DROP TABLE ${keptName(t)};`);
    }
    if (has(KEPT_OUTBOX)) {
      db.exec(`DELETE FROM outbox; INSERT INTO outbox SELECT * FROM ${KEPT_OUTBOX} ORDER BY seq;
               DROP TABLE ${KEPT_OUTBOX};`);
    }
  })();
}

/** One bulk load of a store (see the module comment). */
export class BulkLoad {
  private readonly indexes: string[];
  private readonly triggers: string[];
  private finished = false;
  /** The connection's synchronous setting before the load (STORE_PRAGMAS), put back at the end. */
  private readonly synchronous: number;
  /** The connection's page cache setting before the load: the index builds use it, and it is put back after. */
  private readonly cacheSize: number;
  /** store.messages.writes when the load began. */
  private readonly messageWrites: number;
  /** Messages whose vocabulary words the load's batches added (noteSearchWords). */
  private wordsNoted = 0;
  /** The last batch of the pull was applied (markLoaded). */
  private loaded = false;
  /**
   * A descriptor of the store file for the background flushes (noteCommitted), opened with the load (see the
   * module comment on descriptors); null where there are none (beginIfNew) and once closed.
   */
  private flushFd: number | null;
  /** The first error a background flush reported (finish then keeps the pre-load copy: see noteCommitted). */
  private flushError: Error | null = null;
  /** A background flush is running (at most one at a time). */
  private flushing = false;

  /**
   * @param fileFd the store file's descriptor beginIfNew opened before the copy: the load's final flushes (finish),
   *   and, being open since before the load wrote anything, the one that reports any write-back error of the load
   *   (Linux reports such an error to each descriptor open when it happened, and to later ones only if nobody saw it).
   * @param flushFd the background flushes' descriptor (noteCommitted), or null.
   */
  private constructor(
    private readonly store: Store,
    private readonly copy: string,
    private readonly fileFd: number,
    flushFd: number | null,
  ) {
    this.flushFd = flushFd;
    const db = store.db;
    const inList = FILLED_TABLES.map((t) => `'${t}'`).join(', ');
    const schema = db
      .prepare<[], { type: string; name: string; sql: string }>(
        // By table: each table's indexes are built one after the other at the end (finish), while its pages are
        // still in the page cache.
        `SELECT type, name, sql FROM main.sqlite_schema
         WHERE tbl_name IN (${inList}) AND type IN ('index', 'trigger') AND sql IS NOT NULL
         ORDER BY tbl_name, rowid`,
      )
      .all()
      .filter((r) => !KEPT_INDEXES.has(r.name));
    // UNIQUE indexes stay: an upsert's ON CONFLICT target or a foreign key's parent key may need them.
    this.indexes = schema
      .filter((r) => r.type === 'index' && !/^\s*CREATE\s+UNIQUE/i.test(r.sql))
      .map((r) => r.sql);
    this.triggers = schema
      .filter((r) => r.type === 'trigger' && Object.hasOwn(DERIVED_TRIGGERS, r.name))
      .map((r) => r.sql);
    this.synchronous = db.pragma('synchronous', { simple: true }) as number;
    db.pragma('synchronous = OFF');
    // A smaller page cache while filling (RSS, issue 16 §2): each batch appends to the tables' and unique
    // indexes' last pages; the rebuild at the end keeps it too but for the index builds (finish), then the
    // store's comes back.
    this.cacheSize = db.pragma('cache_size', { simple: true }) as number;
    db.pragma(`cache_size = ${BULK_CACHE_SIZE}`);
    db.transaction(() => {
      for (const r of schema)
        if (this.indexes.includes(r.sql) || this.triggers.includes(r.sql))
          db.exec(`DROP ${r.type.toUpperCase()} main."${r.name.replace(/"/g, '""')}"`);
    })();
    store.patients.deferTerms = true;
    store.changes.pause();
    this.messageWrites = store.messages.writes;
  }

  /**
   * A batch of the load wrote these message bodies: their search-vocabulary words are added now (in the batch's
   * transaction), so the search index at the end can fold plain ASCII bodies in SQL (SearchIndex.refreshAfterBulkLoad).
   * `words`: vocabularyWordsOf(bodies) when the pull decoder's worker made them already (PullExtras); then
   * `written` (the bodies' count) may exceed `bodies`, whose text the words stand for (session 9: bodies written
   * as JSON rows in SQL, src-main/sync/pull-rows.ts, are not in `bodies`).
   */
  noteSearchWords(bodies: readonly string[], words?: readonly string[], written = bodies.length): void {
    this.store.threads.addSearchWordsOf(bodies, words);
    this.wordsNoted += words ? written : bodies.length;
  }

  /**
   * A batch of the load is committed: flush what the load wrote so far to disk in the background (an fdatasync on
   * libuv's thread pool) unless a flush is running. The load commits with synchronous = OFF, so its pages wait in
   * the OS's page cache; flushed while the next batches are applied, they no longer wait for the flush at the end
   * (finish), which the sync waits for. Crash safety does not rest on it (the pre-load copy does: module comment).
   * A failed flush is kept (flushError): finish then throws before it deletes the pre-load copy, so the next open
   * starts the load over; finish's own flush (fileFd) reports such an error too. Linux only (constructor).
   * Session 15, bench/profile-sync.ts at scale 100, pairs of runs alternating: the finish took 3.87-4.34 s with
   * these flushes against 4.50-4.72 s without (three pairs; a fourth, at a noisier moment, went the other way: 5.60
   * against 5.05), the whole sync 12.5-12.9 s against 13.1 s. More than the final flush itself (190-210 ms),
   * probably because the finish's own writes no longer share the OS's dirty-page budget with the whole load's.
   */
  noteCommitted(): void {
    if (this.flushing || this.finished || this.flushFd === null) return;
    this.flushing = true;
    fs.fdatasync(this.flushFd, (error) => {
      this.flushing = false;
      if (error) this.flushError ??= error;
      if (this.finished) this.closeFlushFd();
    });
  }

  private closeFlushFd(): void {
    if (this.flushFd === null || this.flushing) return;
    const fd = this.flushFd;
    this.flushFd = null;
    fs.close(fd, () => undefined);
  }

  /** The pull's last batch is applied (committed): the load is complete. */
  markLoaded(): void {
    this.loaded = true;
  }

  /**
   * Start a bulk load if the store has never been synced (no cursor, no pulled rows); otherwise null (a normal
   * sync). Queued local changes do not prevent it: each batch's apply still keeps a record with a pending
   * change as its server image (apply-changes.ts), and this PC's own audit events (its sign-in) are not
   * pulled rows. Outside a transaction. Writes the pre-load copy first (see the module
   * comment). Errors: the file system's, and the store's (StoreError).
   */
  static beginIfNew(store: Store, cursorKey: string): BulkLoad | null {
    const db = store.db;
    if (store.syncState.get(cursorKey) !== null) return null;
    for (const t of DATA_TABLES)
      if (db.prepare(`SELECT 1 FROM main.${t} LIMIT 1`).get() !== undefined) return null;
    // Everything in the main file (leaving WAL), the store locked for this connection alone, then a copy of
    // it (kilobytes: nothing synced yet), made durable, then named: no other opener sees the copy unlocked.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const copy = `${store.file}${PREBULK_SUFFIX}`;
    const tmp = `${copy}.tmp`;
    // Opened now and closed only at the end of finish: see the module comment on descriptors.
    let fileFd: number | null = null;
    let flushFd: number | null = null;
    try {
      const mode = db.pragma('journal_mode = MEMORY', { simple: true });
      if (mode !== 'memory') throw new Error(`The store stayed in journal mode ${String(mode)}.`);
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
      fileFd = fs.openSync(store.file, 'r+');
      // Background flushes only where they were measured (session 15, Linux): on macOS libuv's fdatasync is an
      // F_FULLFSYNC, a flush of the drive's own cache, which one per batch could cost more than it saves.
      if (process.platform === 'linux') flushFd = fs.openSync(store.file, 'r+');
      copyFromDescriptor(fileFd, tmp);
      fsyncFile(tmp);
      fs.renameSync(tmp, copy);
      fsyncDir(path.dirname(store.file));
      // The copy keeps this PC's activity during the load (module comment), durably on its own.
      db.prepare(`ATTACH DATABASE ? AS ${COPY_SCHEMA}`).run(copy);
      db.pragma(`${COPY_SCHEMA}.journal_mode = DELETE`);
      db.pragma(`${COPY_SCHEMA}.synchronous = FULL`);
      db.exec(`DROP TABLE IF EXISTS ${COPY_SCHEMA}.${KEPT_AUDIT}; DROP TABLE IF EXISTS ${COPY_SCHEMA}.${KEPT_OUTBOX};
               CREATE TABLE ${COPY_SCHEMA}.${KEPT_AUDIT} AS SELECT * FROM main.audit_events WHERE 0;
               CREATE TABLE ${COPY_SCHEMA}.${KEPT_OUTBOX} AS SELECT * FROM main.outbox;
               ${KEEP_TRIGGERS}`);
      for (const t of KEPT_STATE)
        db.exec(`DROP TABLE IF EXISTS ${COPY_SCHEMA}.${keptName(t)};
                 CREATE TABLE ${COPY_SCHEMA}.${keptName(t)} AS SELECT rowid AS kept_rowid, * FROM main.${t};`);
      db.exec(KEEP_STATE_TRIGGERS);
      return new BulkLoad(store, copy, fileFd, flushFd);
    } catch (error) {
      // Not started: back to a normal store (the copy, if named, goes too: nothing was loaded yet).
      db.exec(DROP_KEEP_TRIGGERS);
      if (db.prepare(`SELECT 1 FROM pragma_database_list WHERE name = ?`).get(COPY_SCHEMA))
        db.exec(`DETACH DATABASE ${COPY_SCHEMA}`);
      fs.rmSync(copy, { force: true });
      fs.rmSync(tmp, { force: true });
      db.pragma('locking_mode = NORMAL');
      db.pragma('journal_mode = WAL');
      // Last: closing them drops the lock (module comment), which the store no longer needs.
      if (flushFd !== null) fs.closeSync(flushFd);
      if (fileFd !== null) fs.closeSync(fileFd);
      throw error;
    }
  }

  /**
   * End the load (after the last batch, or after a failed or stopped sync: what was loaded is kept and the next
   * sync goes on from its cursor): derived tables rebuilt, indexes and triggers created again, WAL again,
   * everything flushed, the pre-load copy deleted. Idempotent. If it throws, the copy stays and the next open
   * starts over.
   */
  finish(): void {
    if (this.finished) return;
    // No background flush starts from now on; the descriptors stay open to the end (module comment).
    this.finished = true;
    const { store } = this;
    const db = store.db;
    // The indexes are built with the store's own page cache, the rest of the rebuild with the load's (BULK_CACHE_SIZE);
    // the store's own comes back once it is done (session 9, s9rss, RSS: see BULK_CACHE_SIZE).
    try {
      db.transaction(() => {
        // Each index build reads its whole table. With 16 MB the threads table (80k rows at scale 100, 10 indexes) was
        // read from the file, decrypted and its pages' HMAC-SHA512 checked again for every index: SHA-512 was a third
        // of the index builds' time (perf). With the store's 64 MB, and each table's indexes built one after the other
        // (the constructor's ORDER BY), the 19 builds took 0.88-0.95 s instead of 1.45-1.47 (session 15,
        // bench/profile-sync.ts at scale 100, three pairs of runs alternating, load 0.2-1.1; peak RSS 266-285 MB
        // against 270-280). The search index's build then has the load's 16 MB again, for the reason given there.
        db.pragma(`cache_size = ${this.cacheSize}`);
        for (const sql of this.indexes) db.exec(sql);
        db.pragma(`cache_size = ${BULK_CACHE_SIZE}`);
        for (const sql of this.triggers) db.exec(sql);
        store.patients.rebuildTerms();
        db.exec('DELETE FROM search_dirty; INSERT INTO search_dirty (thread_id) SELECT id FROM threads;');
        // The fast refresh only when every message written during the load went through noteSearchWords: the load
        // ran to its last batch, and nothing else (a local reply, a thread fetched on demand) wrote a message. Else
        // the refresh that collects every indexed message's words.
        if (this.loaded && store.messages.writes - this.messageWrites === this.wordsNoted)
          store.threads.refreshSearchAfterBulkLoad();
        else store.threads.refreshSearch(1);
      })();
    } finally {
      store.patients.deferTerms = false;
      store.changes.resume();
      db.pragma(`cache_size = ${this.cacheSize}`);
    }
    // The load is complete in the main file (no journal: written at each commit): flush it, then drop the copy,
    // and only then let go of the lock, so no other opener sees a copy it could take for a crashed load.
    fs.fsyncSync(this.fileFd);
    // A write-back error a background flush saw: the load may not be on disk whole. Thrown while the copy still
    // keeps this PC's activity (its triggers are dropped just below), so the next open restores it with all of it.
    if (this.flushError) throw this.flushError;
    db.exec(DROP_KEEP_TRIGGERS);
    db.exec(`DETACH DATABASE ${COPY_SCHEMA}`);
    fs.rmSync(this.copy, { force: true });
    fsyncDir(path.dirname(store.file));
    db.pragma(`synchronous = ${this.synchronous}`);
    db.pragma('locking_mode = NORMAL');
    // The switch rewrites the header in the main file (and releases the lock); flush it too.
    db.pragma('journal_mode = WAL');
    fs.fsyncSync(this.fileFd);
    // Only now: closing a descriptor of the file drops the process's locks on it (module comment). A failure up to
    // the copy's deletion leaves the copy, the lock and these descriptors as they are until the process ends (the
    // next open restores the copy); a failure after it leaves a finished load whose copy is gone already.
    fs.closeSync(this.fileFd);
    this.closeFlushFd();
  }
}
