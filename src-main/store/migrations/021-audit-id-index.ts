import type { Migration } from './types';

/**
 * Issue 16 §3 (session 8, s8read): an audited read's durable commit writes no page of an index on the event id.
 *
 * `audit_events.id` was `UNIQUE`, so SQLite kept an index on it (`sqlite_autoindex_audit_events_1`) that every
 * audited commit wrote: measured with `bench/profile-router.ts pages` (100k-event log), 0.70 of the 5.1 pages a
 * `thread.get` commit wrote were its leaves, plus its share of the pages the growing file adds. Each page written
 * costs SQLCipher an encryption and an HMAC (35–40 µs at load 4).
 *
 * The table is rebuilt without the constraint (same columns in the same order: bulk-load.ts copies rows with
 * `SELECT *`), and the look-up by id becomes a table of our own, `audit_id_index (id, seq)`, filled in the same
 * batches as the per-record index (migration 020) and up to the same watermark `audit_entity_indexed.through`;
 * the events after it (the tail) are found by a scan of the end of the log by seq (repos/audit.ts `byId`,
 * audit/report.ts). Nothing reads the log by id on the hot path: the push and start-up verification go by seq,
 * full verification walks the log in seq order. Every event is still written in its call's own durable commit
 * before its data is returned (DESIGN.md §7); only derived look-up rows are written later, with their watermark.
 * A deleted (pruned) event takes its index rows with it (trigger).
 *
 * The audit report's newest page (issue 16, row "newest 100 of all events": 1.2 s at 309k events, it sorted the
 * whole union of local and server events) reads each source in time order and stops at the page's end: the log by
 * `audit_at_index (at, id, seq)`, filled in the same batches (plus the tail, sorted), the server's events by
 * `audit_remote_at (at, id)` (audit/report.ts). `audit_devices` lists the device ids of the indexed events (never
 * shrinks; a superset is safe): a server event of any other device cannot be one of this log's own, so the report
 * looks up by id only the server events of these devices (and of the tail's).
 */
export const auditIdIndex: Migration = {
  version: 21,
  name: 'audit events by id and by time: index tables filled in batches',
  up: (db) => {
    db.exec(`
      CREATE TABLE audit_events_v22 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        at TEXT NOT NULL,
        staff_id TEXT,
        role TEXT,
        device_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_id TEXT,
        outcome TEXT NOT NULL,
        fields TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        purpose_of_event TEXT
      ) STRICT;
      INSERT INTO audit_events_v22 (seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
          fields, actor_kind, prev_hash, hash, purpose_of_event)
        SELECT seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields, actor_kind,
          prev_hash, hash, purpose_of_event
        FROM audit_events ORDER BY seq;
      -- DROP TABLE fires no trigger (sqlite.org/lang_droptable.html) and drops the table's triggers with it.
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v22 RENAME TO audit_events;
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permit WHERE seq = old.seq) BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;
      CREATE TABLE audit_id_index (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO audit_id_index (id, seq)
        SELECT id, seq FROM audit_events WHERE seq <= (SELECT through FROM audit_entity_indexed) ORDER BY id;
      CREATE TABLE audit_at_index (
        at TEXT NOT NULL,
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (at, id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO audit_at_index (at, id, seq)
        SELECT at, id, seq FROM audit_events WHERE seq <= (SELECT through FROM audit_entity_indexed) ORDER BY 1, 2, 3;
      CREATE INDEX audit_remote_at ON audit_remote (at, id);
      CREATE TABLE audit_devices (device_id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      INSERT INTO audit_devices (device_id)
        SELECT DISTINCT device_id FROM audit_events WHERE seq <= (SELECT through FROM audit_entity_indexed);
      CREATE TRIGGER audit_entity_index_delete AFTER DELETE ON audit_events BEGIN
        DELETE FROM audit_entity_index
          WHERE entity_type = old.entity_type AND entity_id = old.entity_id AND seq = old.seq;
        DELETE FROM audit_id_index WHERE id = old.id AND seq = old.seq;
        DELETE FROM audit_at_index WHERE at = old.at AND id = old.id AND seq = old.seq;
      END;
    `);
  },
};
