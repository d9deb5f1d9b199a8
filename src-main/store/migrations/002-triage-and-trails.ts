import type { Migration } from './types';

/**
 * Inbox speed and state for triage, sync problems, and other devices' audit events.
 * Queue indexes follow the inbox queries (repos/threads.ts) so a first page never scans.
 */
export const triageAndTrails: Migration = {
  version: 2,
  name: 'inbox indexes, unread state, sync problems, remote audit events',
  up: (db) => {
    db.exec(`
      -- Local only: when this console last opened the thread (drives unread counts).
      ALTER TABLE threads ADD COLUMN seen_at TEXT;
      CREATE INDEX threads_open_recent ON threads (status, last_message_at DESC);
      CREATE INDEX threads_assignee ON threads (assignee_id, status, last_message_at DESC);
      CREATE INDEX threads_priority ON threads (priority, status, last_message_at DESC);
      CREATE INDEX threads_provider ON threads (provider_id, status, last_message_at DESC);

      CREATE TABLE sync_problems (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('conflict', 'rejected')),
        operation TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        message TEXT NOT NULL,
        dismissed INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- Audit events pulled from the server: other desks, the patient's portal, the server itself.
      CREATE TABLE audit_remote (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        staff_id TEXT,
        role TEXT,
        device_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_id TEXT,
        outcome TEXT NOT NULL,
        fields TEXT NOT NULL,
        actor_kind TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_remote_entity ON audit_remote (entity_type, entity_id);
    `);
  },
};
