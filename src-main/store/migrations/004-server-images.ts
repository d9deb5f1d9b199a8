import type { Migration } from './types';

/**
 * Issue 12: "never show what the server does not have" (DESIGN.md §5).
 * - `sync_shadows`: for each record with queued local changes, the latest record the SERVER is known to hold
 *   (taken before the first local change, replaced by any newer server record a pull skipped or a push answer
 *   carried). When the last queued change ends without being applied, this is what the console shows again.
 *   `known = 0` marks a record whose server image is unknown (rows queued by an older release): it is fetched
 *   again by id instead.
 * - `sync_refetch`: records to fetch again from the server by id (GET /sync/record) at the next sync.
 * - `audit_pruned` + `audit_prune_permit`: link-only tombstones of audit events pruned behind the verified
 *   checkpoint (src-main/audit/checkpoint.ts), and the only way past the append-only delete trigger.
 * - `outbox.payload_version`: the payload version of each queued row (1 for rows of the previous release).
 *
 * File numbered 006 (issue 12's slot); `version` is the next free number on this branch so the list stays
 * gap-free: the lead renumbers at merge.
 */
export const serverImages: Migration = {
  version: 4,
  name: 'server images of records with queued changes',
  up: (db) => {
    db.exec(`
      CREATE TABLE sync_shadows (
        entity TEXT NOT NULL CHECK (entity IN ('appointment', 'thread')),
        id TEXT NOT NULL,
        known INTEGER NOT NULL CHECK (known IN (0, 1)),
        change TEXT,
        PRIMARY KEY (entity, id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE sync_refetch (
        entity TEXT NOT NULL CHECK (entity IN ('appointment', 'thread')),
        id TEXT NOT NULL,
        PRIMARY KEY (entity, id)
      ) STRICT, WITHOUT ROWID;

      -- The time of the slot a refused booking or move was for, so "Open schedule" can show that day.
      ALTER TABLE sync_problems ADD COLUMN slot_start TEXT;

      -- Audit events of records evicted from the store window are pruned once synced and verified (DESIGN.md §4):
      -- each leaves a link-only tombstone (position and hashes, nothing else) so the chain still verifies.
      CREATE TABLE audit_pruned (
        seq INTEGER PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      -- audit_events stays append-only except for rows the pruner lists here in the same transaction.
      CREATE TABLE audit_prune_permit (seq INTEGER PRIMARY KEY) STRICT;
      DROP TRIGGER audit_events_no_delete;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permit WHERE seq = old.seq) BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;

      -- Rows queued by the previous release hold version 1 payloads (src-shared/sync.ts MUTATION_PAYLOAD_VERSION).
      ALTER TABLE outbox ADD COLUMN payload_version INTEGER NOT NULL DEFAULT 1;

      -- Records with changes queued by the previous release have no server image: fetch them again.
      INSERT OR IGNORE INTO sync_shadows (entity, id, known, change)
        SELECT DISTINCT entity, entity_id, 0, NULL FROM outbox WHERE entity IN ('appointment', 'thread');
    `);
  },
};
