import type { Migration } from './types';

/** Statuses of the open queues, written exactly as repos/threads.ts writes them (partial indexes match text). */
const OPEN = `status IN ('new', 'in_progress')`;

/** The counts row of a thread: every key column the queue totals and unread counts group by. */
const countKey = (r: 'new' | 'old') =>
  `${r}.status, ${r}.priority, coalesce(${r}.assignee_id, ''), coalesce(${r}.provider_id, ''),
   (${r}.seen_at IS NULL OR ${r}.seen_at < ${r}.last_message_at)`;
const countMatch = (r: 'new' | 'old') =>
  `status = ${r}.status AND priority = ${r}.priority AND assignee = coalesce(${r}.assignee_id, '')
   AND provider = coalesce(${r}.provider_id, '')
   AND unread = (${r}.seen_at IS NULL OR ${r}.seen_at < ${r}.last_message_at)`;
/**
 * Trigger bodies use NOT EXISTS rather than OR IGNORE or an upsert: when the statement that fires a trigger is
 * itself an upsert (as the repositories' writes are), SQLite applies that statement's conflict policy inside
 * the trigger, and a duplicate would abort the write.
 */
const countUp = `
  INSERT INTO thread_counts (status, priority, assignee, provider, unread, n) SELECT ${countKey('new')}, 0
    WHERE NOT EXISTS (SELECT 1 FROM thread_counts WHERE ${countMatch('new')});
  UPDATE thread_counts SET n = n + 1 WHERE ${countMatch('new')};`;
const markDirty = (id: string) => `
  INSERT INTO search_dirty (thread_id) SELECT ${id}
    WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE thread_id = ${id});`;

/**
 * Inbox speed at 100k+ threads (DESIGN.md §10: first page p95 < 2 ms, search p95 < 20 ms), measured by
 * `npm run bench`:
 * - Queue pages walk one partial index in display order (last_message_at DESC, id) and stop after a page; the
 *   indexes carry the filter columns, so filters are checked without reading the table. (Closed threads with a
 *   provider filter walk the closed index: a few thousand index entries at most.) (Migration 2's indexes
 *   could not give the order for `status IN (…)` and sorted every open thread for each page.)
 * - Queue totals and unread counts come from `thread_counts`, kept exact by triggers, instead of counting
 *   every thread of a queue per page (the 'all' queue counted ~56k index entries each time).
 * - Full-text search: `messages_fts` becomes a contentless index whose rowid encodes the thread and its
 *   recency, `(search key << 20) | message ordinal`, with the thread's queue attributes as tokens in a `tags`
 *   column. A search then counts threads and walks them newest-first inside FTS, without looking up each
 *   matching message (a common word matched ~44k messages, ~130 ms). See repos/search-index.ts.
 * - An audit event writes two pages fewer (DESIGN.md §10: < 0.2 ms per recorded view): no AUTOINCREMENT
 *   bookkeeping for audit_events and outbox, and no outbox entity-index entry for audit rows.
 */
export const inboxSpeed: Migration = {
  version: 3,
  name: 'queue indexes, maintained queue counts, thread-keyed search index',
  up: (db) => {
    db.exec(`
      DROP INDEX threads_open_recent;
      DROP INDEX threads_assignee;
      DROP INDEX threads_priority;
      DROP INDEX threads_provider;
      -- Ascending (last_message_at, id DESC), read backwards, is the queues' order (last_message_at DESC, id):
      -- new activity then lands at the right edge of each index, where SQLite appends cheaply.
      CREATE INDEX threads_q_open ON threads (last_message_at, id DESC, status, priority, assignee_id, provider_id)
        WHERE ${OPEN};
      CREATE INDEX threads_q_assignee ON threads (assignee_id, last_message_at, id DESC, status, priority, provider_id)
        WHERE ${OPEN};
      CREATE INDEX threads_q_provider ON threads (provider_id, last_message_at, id DESC, status, priority, assignee_id)
        WHERE ${OPEN};
      CREATE INDEX threads_q_closed ON threads (last_message_at, id DESC, priority, assignee_id, provider_id)
        WHERE status = 'done';

      -- Threads per (status, priority, assignee, provider, unread); '' stands for "none".
      CREATE TABLE thread_counts (
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        assignee TEXT NOT NULL,
        provider TEXT NOT NULL,
        unread INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, priority, assignee, provider, unread)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO thread_counts (status, priority, assignee, provider, unread, n)
        SELECT status, priority, coalesce(assignee_id, ''), coalesce(provider_id, ''),
          (seen_at IS NULL OR seen_at < last_message_at), count(*)
        FROM threads GROUP BY 1, 2, 3, 4, 5;
      CREATE TRIGGER threads_counts_insert AFTER INSERT ON threads BEGIN ${countUp}
      END;
      CREATE TRIGGER threads_counts_delete AFTER DELETE ON threads BEGIN
        UPDATE thread_counts SET n = n - 1 WHERE ${countMatch('old')};
      END;
      CREATE TRIGGER threads_counts_update
        AFTER UPDATE OF status, priority, assignee_id, provider_id, seen_at, last_message_at ON threads
        WHEN (${countKey('old')}) IS NOT (${countKey('new')})
      BEGIN
        UPDATE thread_counts SET n = n - 1 WHERE ${countMatch('old')}; ${countUp}
      END;

      DROP TRIGGER messages_fts_insert;
      DROP TRIGGER messages_fts_delete;
      DROP TRIGGER messages_fts_update;
      DROP TABLE messages_fts;
      -- One row per message: rowid = (search key << 20) | ordinal; body = the text; tags = the thread's queue
      -- attributes as single tokens. Contentless: the text stays in messages only.
      CREATE VIRTUAL TABLE messages_fts USING fts5(body, tags, content='', contentless_delete=1, detail='column');
      -- A thread's search key: (unix seconds of last_message_at << 9) | tie-break, unique.
      CREATE TABLE search_keys (thread_id TEXT PRIMARY KEY, key INTEGER NOT NULL UNIQUE) STRICT, WITHOUT ROWID;
      -- Threads whose index rows are out of date; refreshed in bulk (end of each pull batch, before a search).
      CREATE TABLE search_dirty (thread_id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN ${markDirty('new.thread_id')}
      END;
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN ${markDirty('old.thread_id')}
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF body, thread_id, sent_at, id ON messages BEGIN
        ${markDirty('old.thread_id')} ${markDirty('new.thread_id')}
      END;
      CREATE TRIGGER threads_search_insert AFTER INSERT ON threads BEGIN ${markDirty('new.id')}
      END;
      CREATE TRIGGER threads_search_delete AFTER DELETE ON threads BEGIN ${markDirty('old.id')}
      END;
      CREATE TRIGGER threads_search_update
        AFTER UPDATE OF status, priority, assignee_id, provider_id, last_message_at ON threads
        WHEN (old.status, old.priority, old.assignee_id, old.provider_id, old.last_message_at)
          IS NOT (new.status, new.priority, new.assignee_id, new.provider_id, new.last_message_at)
      BEGIN ${markDirty('new.id')}
      END;
      INSERT INTO search_dirty (thread_id) SELECT id FROM threads;

      -- audit_events and outbox without AUTOINCREMENT: its sqlite_sequence row was one more page written per
      -- audit event. Both tables only ever get max(seq) + 1, so seq keeps its order (audit rows are never
      -- deleted; outbox rows only after their push). The outbox's entity index skips audit rows, which
      -- nobody looks up by entity.
      CREATE TABLE audit_events_v3 (
        seq INTEGER PRIMARY KEY,
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
      INSERT INTO audit_events_v3 (seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
          fields, actor_kind, prev_hash, hash)
        SELECT seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields, actor_kind,
          prev_hash, hash
        FROM audit_events ORDER BY seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v3 RENAME TO audit_events;
      CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only');
      END;

      CREATE TABLE outbox_v3 (
        seq INTEGER PRIMARY KEY,
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
      INSERT INTO outbox_v3 (seq, id, entity, entity_id, base_version, op, payload, staff_id, created_at, attempts)
        SELECT seq, id, entity, entity_id, base_version, op, payload, staff_id, created_at, attempts
        FROM outbox ORDER BY seq;
      DROP TABLE outbox;
      ALTER TABLE outbox_v3 RENAME TO outbox;
      CREATE INDEX outbox_entity ON outbox (entity_id) WHERE entity != 'audit';
    `);
  },
};
