import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * Tables whose writes never change what a cached read shows: the audit trail, the push queue and sync
 * bookkeeping (a list read writes an audit event; that must not invalidate the list it just cached).
 */
const UNWATCHED = new Set([
  'audit_events',
  'audit_remote',
  'audit_pruned',
  'audit_prune_permit',
  'audit_checkpoint',
  'audit_pushed_early',
  // The log's per-record index and its watermark (migration 020): a batch written after a read must not make
  // the inbox read its first pages again.
  'audit_entity_index',
  'audit_entity_indexed',
  // The log's look-ups by event id and by time (migration 021), filled in the same batches.
  'audit_id_index',
  'audit_at_index',
  'audit_devices',
  // The watermark of the seen marks derived from the log (migration 022): the marks themselves (threads) are watched.
  'thread_seen_derived',
  'outbox',
  'sync_state',
  'sync_problems',
  'sync_shadows',
  'sync_refetch',
  // Derived from messages (whose writes are watched); a search may refresh them lazily.
  'search_keys',
  'search_dirty',
  'search_vocab',
]);

const perConnection = new WeakMap<Database, TableChanges>();
const OPS = ['INSERT', 'UPDATE', 'DELETE'] as const;

/**
 * The tables whose rows a list or pane shows (patient name, thread subject, message text): their deletions stay
 * counted while the counters are paused (pause()), so `deletions()` of them stays exact during an initial sync's
 * bulk load. Review 10, suspicion 1: it used to return a new number at every call while paused, so every page of
 * a first sync was marked OUT_OF_REACH (src-main/sync/removed-records.ts) and tore down what the renderer showed.
 * A DELETE trigger costs nothing for the load's inserts and updates; it fires only on a row really deleted (a
 * deletion pulled, an eviction), and the load deletes none of these rows itself.
 */
export const LISTED_TABLES = ['patients', 'threads', 'messages'] as const;
const DELETES_KEPT: ReadonlySet<string> = new Set(LISTED_TABLES);

/**
 * A write counter per table of the store, for read caches that must never serve stale data (issue 16: the inbox
 * first-page cache). Temporary triggers on every ordinary table (those of later migrations included, found at
 * open) bump the table's counter on each INSERT, UPDATE and DELETE on this connection, so a cache keyed by
 * `version()` is invalidated by every write, whoever makes it (a local change, a sync apply, an eviction) and
 * whatever table a later feature adds. A rolled-back write still bumps: a cache then misses once. A rollback itself
 * does not bump, so a value read after a write of a transaction that then rolls back would be served stale: such a
 * value is not kept (keptVersion, session 11). Writes by another connection are not seen: the store has exactly
 * one (store.ts). Cost: one JS call per written row (about 1 µs).
 */
export class TableChanges {
  private readonly counts = new Map<string, number>();
  /** Session 8, sec8: rows deleted per table (an eviction, a deletion pulled), counted apart. */
  private readonly deletes = new Map<string, number>();
  private total = 0;
  /** Tables with counting triggers (every ordinary table found at open, less UNWATCHED). */
  private readonly watched: string[] = [];
  /** Nesting depth of suspend(); the triggers are absent while it is above 0. */
  private suspended = 0;
  private pausedReads = 0;
  /**
   * A watched table was written inside the transaction now open (or one that has ended since, until `settle()`
   * sees no transaction open): what is read now may show rows its rollback would undo. See keptVersion().
   */
  private uncommitted = false;

  /** The one instance per connection (a second Store on the same connection shares it, and its triggers). */
  static of(db: Database): TableChanges {
    let changes = perConnection.get(db);
    if (!changes) perConnection.set(db, (changes = new TableChanges(db)));
    return changes;
  }

  private constructor(private readonly db: Database) {
    db.function(
      'clinic_table_changed',
      { deterministic: false, directOnly: false },
      (name: unknown, op: unknown) => {
        const table = String(name);
        this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
        if (op === 'DELETE') this.deletes.set(table, (this.deletes.get(table) ?? 0) + 1);
        this.total++;
        // A write outside BEGIN commits (or fails) with its own statement: only a transaction's writes may roll back.
        if (!this.uncommitted && this.db.inTransaction) this.uncommitted = true;
        return null;
      },
    );
    const rows = db
      .prepare<[], { name: string; sql: string | null }>(
        `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
      )
      .all();
    const virtual = rows.filter((r) => /^\s*CREATE\s+VIRTUAL/i.test(r.sql ?? '')).map((r) => r.name);
    for (const { name, sql } of rows) {
      if (UNWATCHED.has(name) || /^\s*CREATE\s+VIRTUAL/i.test(sql ?? '')) continue;
      // An FTS index's own shadow tables (<name>_data, _idx, …) change with the table it indexes.
      if (virtual.some((v) => name.startsWith(`${v}_`))) continue;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      this.watched.push(name);
    }
    this.createTriggers();
  }

  private createTriggers(): void {
    for (const name of this.watched)
      for (const op of OPS)
        this.db.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS clinic_changed_${name}_${op.toLowerCase()} AFTER ${op} ON main.${name}
           BEGIN SELECT clinic_table_changed('${name}', '${op}'); END`,
        );
  }

  /**
   * Run `fn` without the per-row counting triggers (see pause()). Nests; if `fn` throws, the triggers are back
   * and the counters bumped all the same. Called inside a transaction it runs `fn` with the triggers (a
   * rollback would undo their removal).
   */
  suspend<T>(fn: () => T): T {
    if (this.suspended === 0 && this.db.inTransaction) return fn();
    this.pause();
    try {
      return fn();
    } finally {
      this.resume();
    }
  }

  /**
   * Drop the per-row counting triggers until resume() (an initial sync's bulk load, src-main/store/bulk-load.ts,
   * which may span many batches and awaits). They cost about 1 µs per written row, 5-8% of an initial sync's
   * apply CPU (bench/profile-apply.ts, issue 16). While paused, version() returns a new number at every call,
   * so no cache serves anything built during the pause or before it; resume() creates the triggers again and
   * counts one write to every watched table. Temporary triggers are this connection's schema only: nothing is
   * written to the store file. Not inside a transaction (its rollback would undo the DDL): throws then.
   */
  pause(): void {
    if (this.suspended++ > 0) return;
    if (this.db.inTransaction) {
      this.suspended--;
      throw new Error('TableChanges.pause() inside a transaction');
    }
    for (const name of this.watched)
      for (const op of OPS)
        if (op !== 'DELETE' || !DELETES_KEPT.has(name))
          this.db.exec(`DROP TRIGGER IF EXISTS temp.clinic_changed_${name}_${op.toLowerCase()}`);
  }

  /** End a pause(): triggers back, every watched table counted once. Safe on a closed connection. */
  resume(): void {
    if (this.suspended === 0 || --this.suspended > 0) return;
    if (this.db.open) this.createTriggers();
    this.bumpAll(DELETES_KEPT);
  }

  /**
   * Count one write to every watched table (after writes the triggers did not see), and one deletion of each but
   * `deletesSeen` (tables whose deletions were counted all along).
   */
  bumpAll(deletesSeen: ReadonlySet<string> = new Set()): void {
    for (const name of this.watched) {
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      // Unseen writes may have been deletions too.
      if (!deletesSeen.has(name)) this.deletes.set(name, (this.deletes.get(name) ?? 0) + 1);
    }
    this.total++;
  }

  /**
   * Session 8, sec8 (review 8, suspicion 1): a number that changes after a row of one of `tables` is deleted (an
   * eviction, a deletion pulled); inserts and updates leave it. While paused, exact for LISTED_TABLES (their
   * deletions stay counted), else a new number at every call (any unseen write may have been a deletion).
   */
  deletions(tables: readonly string[]): number {
    if (this.suspended > 0 && !tables.every((t) => DELETES_KEPT.has(t))) return -++this.pausedReads;
    let sum = 0;
    for (const t of tables) sum += this.deletes.get(t) ?? 0;
    return sum;
  }

  /**
   * The version (as version()) under which a value read from the store now may be kept in memory, or null when
   * it must not be kept: the counters are paused, or a watched table was written inside the transaction now open
   * (the value may show rows its rollback undoes, and a rollback does not change the version, so a value kept
   * under it would be served after the rollback). A value read in a transaction that wrote nothing watched before
   * the read shows committed rows only (the router reads a queue page inside its audit transaction: such a page
   * is kept); a write after the read changes the version whether it commits or not. The one rule for every read
   * cache of the store (StoreCache, ThreadsRepo.facts; session 10's facts fix, made shared in session 11).
   */
  keptVersion(tables?: readonly string[]): number | null {
    if (this.suspended > 0) return null;
    this.settle();
    if (this.uncommitted) return null;
    return this.version(tables);
  }

  /**
   * Forget the writes of a transaction that has ended (committed or rolled back): a no-op while one is open.
   * Store.transaction calls it before it begins one, so an earlier transaction's writes do not stop its reads
   * from being kept (keptVersion()). A transaction begun by hand is settled at the next call outside one.
   */
  settle(): void {
    if (this.uncommitted && !this.db.inTransaction) this.uncommitted = false;
  }

  /** A number that changes after any write to a watched table (all ordinary tables when none are named). */
  version(tables?: readonly string[]): number {
    // Paused: writes go uncounted, so every answer is new (negative: never equal to a counted version).
    if (this.suspended > 0) return -++this.pausedReads;
    if (!tables) return this.total;
    let sum = 0;
    for (const t of tables) sum += this.counts.get(t) ?? 0;
    return sum;
  }
}
