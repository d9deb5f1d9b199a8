import type { Migration } from './types';

/**
 * Issue 16 §3 (session 7, s7read): an audited read's durable commit writes no random index page for its events.
 *
 * Measured (`bench/profile-router.ts pages`, 100k-event log): of the ~7.7 pages a `thread.get` commit wrote,
 * 2.5 were leaves of `audit_events_entity (entity_type, entity_id)`: the read's two events (thread, patient) land
 * at two random places of that index, and each page written costs SQLCipher an encryption and an HMAC (about
 * 25 µs per page at NORMAL measured at load 6, a quarter of a quiet disk's fsync of a one-page commit).
 *
 * The per-record index becomes a table of our own, `audit_entity_index (entity_type, entity_id, seq)`, filled in
 * batches: it covers every event up to `audit_entity_indexed.through`; the events after it (the tail, a few
 * hundred at most: src-main/audit/audit-log.ts ENTITY_INDEX_*) are found by a scan of the tail, which is the end
 * of `audit_events` by seq (repos/audit.ts `localForEntity`, audit/report.ts). Every event is still in
 * `audit_events`, written in the read's own durable commit before its data is returned (DESIGN.md §7); only
 * this derived look-up structure is written later, a batch at a time, with its watermark in the same commit.
 * A deleted (pruned) event takes its index row with it (trigger).
 */
export const auditEntityIndex: Migration = {
  version: 20,
  name: 'audit events per record: an index table filled in batches',
  up: (db) => {
    db.exec(`
      DROP INDEX audit_events_entity;
      CREATE TABLE audit_entity_index (
        entity_type TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (entity_type, entity_id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO audit_entity_index (entity_type, entity_id, seq)
        SELECT entity_type, entity_id, seq FROM audit_events WHERE entity_id IS NOT NULL ORDER BY 1, 2, 3;
      CREATE TABLE audit_entity_indexed (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        through INTEGER NOT NULL
      ) STRICT;
      INSERT INTO audit_entity_indexed (one, through)
        SELECT 1, coalesce((SELECT max(seq) FROM audit_events), 0);
      CREATE TRIGGER audit_entity_index_delete AFTER DELETE ON audit_events WHEN old.entity_id IS NOT NULL BEGIN
        DELETE FROM audit_entity_index
          WHERE entity_type = old.entity_type AND entity_id = old.entity_id AND seq = old.seq;
      END;
    `);
  },
};
