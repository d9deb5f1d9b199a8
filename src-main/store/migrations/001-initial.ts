import type { Migration } from './types';

/** The first schema (DESIGN.md §4). Server records mirror src-shared/domain.ts; local-only state is marked. */
export const initial: Migration = {
  version: 1,
  name: 'initial schema',
  up: (db) => {
    db.exec(`
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_self INTEGER NOT NULL DEFAULT 0 CHECK (is_self IN (0, 1))
      ) STRICT;

      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('receptionist', 'clinician', 'admin')),
        provider_id TEXT,
        version INTEGER NOT NULL
      ) STRICT;

      -- Local only: scrypt verifier for offline sign-in and this device's failure counter (DESIGN.md §6).
      CREATE TABLE staff_credentials (
        username TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        verifier TEXT,
        verified_at TEXT,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
        last_failed_at TEXT
      ) STRICT;

      CREATE TABLE providers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        specialty TEXT NOT NULL,
        slot_minutes INTEGER NOT NULL,
        day_start_minute INTEGER NOT NULL,
        day_end_minute INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE patients (
        id TEXT PRIMARY KEY,
        mrn TEXT NOT NULL COLLATE NOCASE,
        given_name TEXT NOT NULL COLLATE NOCASE,
        family_name TEXT NOT NULL COLLATE NOCASE,
        birth_date TEXT NOT NULL,
        phone TEXT,
        version INTEGER NOT NULL
      ) STRICT;
      -- NOCASE columns let prefix LIKE searches use these indexes.
      CREATE INDEX patients_family ON patients (family_name, given_name);
      CREATE INDEX patients_given ON patients (given_name);
      CREATE INDEX patients_mrn ON patients (mrn);

      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        assignee_id TEXT,
        provider_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_message_at TEXT NOT NULL,
        due_at TEXT,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX threads_patient ON threads (patient_id);

      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        author_kind TEXT NOT NULL CHECK (author_kind IN ('patient', 'staff')),
        author_id TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX messages_thread ON messages (thread_id, sent_at);

      CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='rowid');
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
      END;

      -- Attachment content is a blob inside the encrypted store: never a file beside it.
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL,
        file_name TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        content BLOB NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_message ON attachments (message_id);

      CREATE TABLE appointments (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        start TEXT NOT NULL,
        "end" TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        cancel_reason TEXT,
        virtual_link TEXT,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX appointments_start ON appointments (start, provider_id);
      CREATE INDEX appointments_patient ON appointments (patient_id, start);

      -- This device's append-only, hash-chained audit log (DESIGN.md §7).
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
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
        hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;

      -- Pending local mutations, written in the same transaction as the change they describe (DESIGN.md §5).
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        base_version INTEGER,
        op TEXT NOT NULL,
        payload TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX outbox_entity ON outbox (entity_id);

      CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `);
  },
};
