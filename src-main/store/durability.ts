/**
 * How durable each commit of the store is (issue 16 §3, DESIGN.md §5 and §7; HIPAA 45 CFR 164.312(b), audit
 * controls): **the audit trail is durable before data is returned.**
 *
 * The store runs in WAL mode. With `synchronous = NORMAL` a commit appends its pages to the WAL and returns;
 * they reach the disk at the next checkpoint, so a power cut (or an insider pulling the plug right after viewing
 * a record, DESIGN.md §2.5) can lose the last commits: the record of a read whose data was already on screen, or
 * a local change the desk was told was saved. With `synchronous = FULL` SQLite fsyncs the WAL before the commit
 * returns (sqlite.org/pragma.html#pragma_synchronous), so a commit that has returned survives a power cut.
 *
 * The rule, in one place:
 * - **Every commit is durable (FULL) by default**: it is the connection's setting (`DURABLE_SYNCHRONOUS`, applied
 *   with STORE_PRAGMAS at open), so an audit event, an outbox row (a local change), a sign-in or lock event, a
 *   push answer settled, a setting changed: none can commit without an fsync, whichever code path writes it.
 * - **The one exception is a commit that only applies pulled server data** (`repullableTransaction`, used by
 *   the pull's batch apply), which runs with NORMAL. Why that is safe:
 *   1. The batch and the cursor that moves past it commit in the same transaction (apply-changes.ts). A power cut
 *      that loses the commit loses both: the store is as it was before the batch, the cursor points before it,
 *      and the next pull fetches the batch again from the server, which still has it (server authoritative,
 *      DESIGN.md §5). Nothing the server does not have is lost, and the cursor never points past unapplied data.
 *   2. A WAL is replayed in order and each frame's checksum chains to the frames before it: a later durable
 *      commit's fsync makes every earlier frame durable too, and recovery never keeps a later commit without the
 *      earlier ones. So an audited read or a local change made after a pull never survives without the pulled
 *      data it showed or was based on; and a pull commit lost after a durable commit only takes the store back to
 *      that durable commit (re-pulled as in 1).
 *   3. The pull writes no event of this device and no outbox row: pulled audit events are the server's copies
 *      (idempotent by id, pulled again with the rest); a record with a pending local change is not overwritten
 *      (its server image is kept instead and is pulled again too).
 *   A first sync's bulk load (bulk-load.ts) runs with `synchronous = OFF` under its own crash rule (a load cut
 *   short is thrown away and started again) and keeps this PC's own activity during the load in the durable
 *   pre-load copy.
 *
 * Limits: on macOS `fsync` does not flush the drive's cache (`PRAGMA fullfsync`, F_FULLFSYNC, would, at a much
 * higher cost); it is not set here. Durability also assumes the disk honours flushes.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** `PRAGMA synchronous` levels as SQLite reports them. */
export const SYNCHRONOUS = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const;

/** The connection's setting: every commit fsyncs the WAL before it returns (see the module comment). */
export const DURABLE_SYNCHRONOUS = 'synchronous = FULL';

/**
 * Run `fn` in one transaction committed with `synchronous = NORMAL` (no fsync): only for a commit that applies
 * pulled server data together with the cursor that moves past it (the module comment says why that is safe).
 * Nested in a caller's transaction it is a savepoint and commits with the caller's durability; under a lower
 * setting (a bulk load's OFF) it keeps that. The setting is put back even if `fn` throws. Errors: `fn`'s, and
 * SQLite's.
 */
export function repullableTransaction<T>(db: Database, fn: () => T): T {
  return normalTransaction(db, fn);
}

/**
 * Run `fn` in one transaction committed with `synchronous = NORMAL`, for a commit that writes only data derived
 * from rows already committed durably, together with the watermark saying how far it got (session 7: the audit
 * log's per-record index table, migration 020). Safe for the same reasons as a pull batch: a power cut that loses
 * the commit loses the derived rows and the watermark together, so the next batch writes them again from the
 * rows they derive from, which were committed (and fsynced) before; a later durable commit's fsync makes it
 * durable too. Nested, or under a lower setting, as repullableTransaction. Errors: `fn`'s, and SQLite's.
 */
export function rebuildableTransaction<T>(db: Database, fn: () => T): T {
  return normalTransaction(db, fn);
}

function normalTransaction<T>(db: Database, fn: () => T): T {
  const tx = db.transaction(fn);
  if (db.inTransaction) return tx();
  const level = db.pragma('synchronous', { simple: true }) as number;
  if (level <= SYNCHRONOUS.NORMAL) return tx();
  db.pragma('synchronous = NORMAL');
  try {
    return tx();
  } finally {
    db.pragma(`synchronous = ${level}`);
  }
}
