/**
 * Bulk-load mode for a brand-new store (issue 16 §2): while the first sync fills an empty store, the store runs
 * with its rollback journal in memory and no fsync, without its secondary indexes, without the triggers that
 * keep derived tables (queue counts, search index) and without the per-row write counters; patient lookup terms
 * are deferred. At the end everything derived is rebuilt set-based, the indexes are created again (one sort
 * each), the store goes back to WAL and is flushed to disk. The result is the store a normal sync writes:
 * the same rows, queue counts, search index and patient lookup terms (tests/integration/bulk-load.test.ts).
 *
 * Crash safety: without a journal on disk, a crash mid-load can leave a damaged file. So before the first
 * bulk write the (small, pre-sync) store file is copied to `clinic.db-prebulk`, and that copy is the marker:
 * it is deleted only after the store is back in WAL and flushed. If the console stops during the load (crash,
 * power cut, kill), the next open finds the copy, deletes the half-filled store and puts the copy back: the
 * console is as it was before its first sync (enrolment, settings, its own audit events) and the first sync
 * starts again (recoverInterruptedBulkLoad, called by openDatabase). Activity recorded on this PC during the
 * interrupted load (e.g. audit events of screens opened while it ran) is lost with it: the load runs once, on a
 * new PC, before anyone has worked on it.
 *
 * Measured with bench/profile-apply.ts and `npm run bench -- --only sync` (figures in README, Performance).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from './store';

/** Suffix of the pre-load copy of the store file; its presence means a bulk load is under way. */
export const PREBULK_SUFFIX = '-prebulk';

/** Tables a pull fills; their non-unique indexes are dropped during a bulk load. */
const FILLED_TABLES = ['patients', 'threads', 'messages', 'attachments', 'appointments', 'audit_remote'];
/** A store holding a row in any of these has been synced before: no bulk load. */
const DATA_TABLES = ['patients', 'threads', 'messages', 'appointments', 'audit_remote'];

/**
 * Triggers that keep a derived table, dropped during a bulk load, each with the set-based rebuild that stands
 * in for it (run in finish()). Any other trigger on a filled table is left in place and fires as usual.
 */
const DERIVED_TRIGGERS: Record<string, 'counts' | 'search'> = {
  threads_counts_insert: 'counts',
  threads_counts_delete: 'counts',
  threads_counts_update: 'counts',
  threads_search_insert: 'search',
  threads_search_delete: 'search',
  threads_search_update: 'search',
  messages_search_insert: 'search',
  messages_search_delete: 'search',
  messages_search_update: 'search',
};

/** thread_counts from scratch: the GROUP BY the counting triggers keep up row by row (migration 3). */
const REBUILD_COUNTS = `
  DELETE FROM thread_counts;
  INSERT INTO thread_counts (status, priority, assignee, provider, unread, n)
    SELECT status, priority, coalesce(assignee_id, ''), coalesce(provider_id, ''),
      (seen_at IS NULL OR seen_at < last_message_at), count(*)
    FROM threads GROUP BY 1, 2, 3, 4, 5;`;

const fsyncPath = (p: string): void => {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
};

/**
 * Undo an interrupted bulk load before the store is opened: when `<file>-prebulk` exists, the half-filled
 * store (and its -wal, -shm, -journal) is deleted and the copy put back in its place. A copy that was still
 * being written (`-prebulk.tmp`) is deleted: the load had not started. Returns true when a load was undone.
 * Errors: the file system's (EACCES, …), unchanged.
 */
export function recoverInterruptedBulkLoad(file: string): boolean {
  fs.rmSync(`${file}${PREBULK_SUFFIX}.tmp`, { force: true });
  const copy = `${file}${PREBULK_SUFFIX}`;
  if (!fs.existsSync(copy)) return false;
  for (const f of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
  fs.renameSync(copy, file);
  fsyncPath(path.dirname(file));
  return true;
}

/** One bulk load of a store (see the module comment). */
export class BulkLoad {
  private readonly indexes: string[];
  private readonly triggers: string[];
  private finished = false;
  /** The connection's synchronous setting before the load (STORE_PRAGMAS), put back at the end. */
  private readonly synchronous: number;

  private constructor(
    private readonly store: Store,
    private readonly copy: string,
  ) {
    const db = store.db;
    const inList = FILLED_TABLES.map((t) => `'${t}'`).join(', ');
    const schema = db
      .prepare<[], { type: string; name: string; sql: string }>(
        `SELECT type, name, sql FROM main.sqlite_schema
         WHERE tbl_name IN (${inList}) AND type IN ('index', 'trigger') AND sql IS NOT NULL`,
      )
      .all();
    // UNIQUE indexes stay: an upsert's ON CONFLICT target or a foreign key's parent key may need them.
    this.indexes = schema
      .filter((r) => r.type === 'index' && !/^\s*CREATE\s+UNIQUE/i.test(r.sql))
      .map((r) => r.sql);
    this.triggers = schema
      .filter((r) => r.type === 'trigger' && r.name in DERIVED_TRIGGERS)
      .map((r) => r.sql);
    this.synchronous = db.pragma('synchronous', { simple: true }) as number;
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.transaction(() => {
      for (const r of schema)
        if (this.indexes.includes(r.sql) || this.triggers.includes(r.sql))
          db.exec(`DROP ${r.type.toUpperCase()} main."${r.name.replace(/"/g, '""')}"`);
    })();
    store.patients.deferTerms = true;
    store.changes.pause();
  }

  /**
   * Start a bulk load if the store has never been synced (no cursor, no pulled rows, nothing queued to push);
   * otherwise null (a normal sync). Outside a transaction. Writes the pre-load copy first (see the module
   * comment). Errors: the file system's, and the store's (StoreError).
   */
  static beginIfNew(store: Store, cursorKey: string): BulkLoad | null {
    const db = store.db;
    if (store.syncState.get(cursorKey) !== null) return null;
    if (store.outbox.count() > 0) return null;
    for (const t of DATA_TABLES)
      if (db.prepare(`SELECT 1 FROM main.${t} LIMIT 1`).get() !== undefined) return null;
    // Everything in the main file, then a copy of it (kilobytes: nothing synced yet), made durable, then named.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const copy = `${store.file}${PREBULK_SUFFIX}`;
    const tmp = `${copy}.tmp`;
    fs.copyFileSync(store.file, tmp);
    fsyncPath(tmp);
    fs.renameSync(tmp, copy);
    fsyncPath(path.dirname(store.file));
    return new BulkLoad(store, copy);
  }

  /**
   * End the load (after the last batch, or after a failed or stopped sync: what was loaded is kept and the next
   * sync goes on from its cursor): derived tables rebuilt, indexes and triggers created again, WAL again,
   * everything flushed, the pre-load copy deleted. Idempotent. If it throws, the copy stays and the next open
   * starts over.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const { store } = this;
    const db = store.db;
    try {
      db.transaction(() => {
        for (const sql of this.indexes) db.exec(sql);
        for (const sql of this.triggers) db.exec(sql);
        db.exec(REBUILD_COUNTS);
        store.patients.rebuildTerms();
        db.exec('DELETE FROM search_dirty; INSERT INTO search_dirty (thread_id) SELECT id FROM threads;');
        store.threads.refreshSearch(1);
      })();
    } finally {
      store.patients.deferTerms = false;
      store.changes.resume();
    }
    db.pragma(`synchronous = ${this.synchronous}`);
    // The switch rewrites the header in the main file; with no fsync during the load, flush it all now.
    db.pragma('journal_mode = WAL');
    fsyncPath(store.file);
    fs.rmSync(this.copy, { force: true });
    fsyncPath(path.dirname(store.file));
  }
}
