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
  'outbox',
  'sync_state',
  'sync_problems',
  'sync_shadows',
  'sync_refetch',
  // Derived from messages (whose writes are watched); a search may refresh them lazily.
  'search_keys',
  'search_dirty',
]);

const perConnection = new WeakMap<Database, TableChanges>();

/**
 * A write counter per table of the store, for read caches that must never serve stale data (issue 16: the inbox
 * first-page cache). Temporary triggers on every ordinary table (those of later migrations included, found at
 * open) bump the table's counter on each INSERT, UPDATE and DELETE on this connection, so a cache keyed by
 * `version()` is invalidated by every write, whoever makes it (a local change, a sync apply, an eviction) and
 * whatever table a later feature adds. A rolled-back write still bumps: a cache then misses once, never serves
 * stale. Writes by another connection are not seen: the store has exactly one (store.ts). Cost: one JS call per
 * written row (about 1 µs).
 */
export class TableChanges {
  private readonly counts = new Map<string, number>();
  private total = 0;

  /** The one instance per connection (a second Store on the same connection shares it, and its triggers). */
  static of(db: Database): TableChanges {
    let changes = perConnection.get(db);
    if (!changes) perConnection.set(db, (changes = new TableChanges(db)));
    return changes;
  }

  private constructor(db: Database) {
    db.function('clinic_table_changed', { deterministic: false, directOnly: false }, (name: unknown) => {
      const table = String(name);
      this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
      this.total++;
      return null;
    });
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
      for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
        db.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS clinic_changed_${name}_${op.toLowerCase()} AFTER ${op} ON main.${name}
           BEGIN SELECT clinic_table_changed('${name}'); END`,
        );
      }
    }
  }

  /** A number that changes after any write to a watched table (all ordinary tables when none are named). */
  version(tables?: readonly string[]): number {
    if (!tables) return this.total;
    let sum = 0;
    for (const t of tables) sum += this.counts.get(t) ?? 0;
    return sum;
  }
}
