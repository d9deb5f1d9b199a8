import type { Migration } from './types';

/**
 * Review 7 R3: the urgent queue holds escalated (overdue) threads of any priority (issue 14a, SLA escalation), so a
 * search in it must find them too. The index's `qurgent` tag (repos/search-index.ts TAGS_SQL) now also marks an
 * overdue thread, and a change of `threads.overdue` (an escalation, or one taken back after the clock was set back)
 * marks the thread for re-indexing like any other change of its queue attributes. Threads already overdue are
 * re-indexed at the next refresh. Trigger body with NOT EXISTS, not OR IGNORE (see migration 3).
 *
 * File 017, version 17 (review7, session 6).
 */
export const searchOverdueTag: Migration = {
  version: 17,
  name: 'search: overdue threads carry the urgent tag',
  up: (db) => {
    db.exec(`
      DROP TRIGGER threads_search_update;
      CREATE TRIGGER threads_search_update
        AFTER UPDATE OF status, priority, assignee_id, provider_id, last_message_at, pool_id, overdue ON threads
        WHEN (old.status, old.priority, old.assignee_id, old.provider_id, old.last_message_at, old.pool_id,
              old.overdue)
          IS NOT (new.status, new.priority, new.assignee_id, new.provider_id, new.last_message_at, new.pool_id,
              new.overdue)
      BEGIN
        INSERT INTO search_dirty (thread_id) SELECT new.id
          WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE thread_id = new.id);
      END;
      INSERT INTO search_dirty (thread_id) SELECT t.id FROM threads t
        WHERE t.overdue = 1 AND NOT EXISTS (SELECT 1 FROM search_dirty d WHERE d.thread_id = t.id);
    `);
  },
};
