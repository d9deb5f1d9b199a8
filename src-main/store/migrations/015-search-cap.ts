import { registerSearchFunctions } from '../repos/search-index';
import type { Migration } from './types';

/**
 * Issue 14 §6 / issue 16 §4: search through the router p95 < 10 ms at 200k messages (repos/search-index.ts).
 * - `search_vocab`: every word of three or more letters the index holds, so a prefix is searched as the OR of its
 *   completions (lazy in FTS5) instead of FTS5's prefix query (which merges every match first). Filled here from
 *   the index itself (fts5vocab) and kept by SearchIndex.refresh, the only writer of the index. Words are never
 *   removed (a word of deleted messages matches nothing).
 * - Tags `pl<pool>` and `kadmin` (a thread of an administrative pool) in `messages_fts.tags`: a search in a pool's
 *   queue, and a receptionist's search, filter inside FTS5. Threads are re-indexed (marked dirty) when their pool
 *   changes, when a pool's kind changes, and when a pool arrives after its threads. The index is rebuilt here in
 *   one set-based statement with the new tags, as migration 6 did (re-indexing every thread through the refresh
 *   path instead deletes each thread's rows one range at a time: about ten times slower).
 * Trigger bodies use NOT EXISTS, not OR IGNORE (see migration 3).
 *
 * File 015, version 15 (helper 14s, session 5).
 */
const markPoolThreads = (pool: string) => `
  INSERT INTO search_dirty (thread_id) SELECT t.id FROM threads t
    WHERE t.pool_id = ${pool} AND NOT EXISTS (SELECT 1 FROM search_dirty d WHERE d.thread_id = t.id);`;

export const searchCap: Migration = {
  version: 15,
  name: 'search: word vocabulary for prefixes, pool tags',
  up: (db) => {
    registerSearchFunctions(db);
    db.exec(`
      INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
      INSERT INTO messages_fts (rowid, body, grams, tags)
        SELECT (k.key << 20) + m.ord, search_words(m.body), search_grams(m.body),
          'st' || replace(lower(t.status), '_', '') || ' pr' || lower(t.priority)
          || CASE WHEN t.priority IN ('urgent', 'asap', 'stat') THEN ' qurgent' ELSE '' END
          || ' as' || CASE WHEN t.assignee_id IS NULL THEN 'none' ELSE lower(hex(t.assignee_id)) END
          || ' pv' || CASE WHEN t.provider_id IS NULL THEN 'none' ELSE lower(hex(t.provider_id)) END
          || CASE WHEN t.pool_id IS NULL THEN '' ELSE ' pl' || lower(hex(t.pool_id))
               || CASE WHEN (SELECT kind FROM pools WHERE id = t.pool_id) = 'administrative' THEN ' kadmin' ELSE '' END
             END
        FROM (SELECT thread_id, body, row_number() OVER (PARTITION BY thread_id ORDER BY sent_at, id) - 1 AS ord
              FROM messages) m
        JOIN search_keys k ON k.thread_id = m.thread_id
        JOIN threads t ON t.id = m.thread_id
        WHERE m.ord < ${2 ** 20};

      CREATE TABLE search_vocab (term TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      CREATE VIRTUAL TABLE temp.search_vocab_fill USING fts5vocab(main, messages_fts, 'col');
      INSERT OR IGNORE INTO search_vocab (term)
        SELECT term FROM temp.search_vocab_fill WHERE col = 'body' AND length(term) >= 3;
      DROP TABLE temp.search_vocab_fill;

      DROP TRIGGER threads_search_update;
      CREATE TRIGGER threads_search_update
        AFTER UPDATE OF status, priority, assignee_id, provider_id, last_message_at, pool_id ON threads
        WHEN (old.status, old.priority, old.assignee_id, old.provider_id, old.last_message_at, old.pool_id)
          IS NOT (new.status, new.priority, new.assignee_id, new.provider_id, new.last_message_at, new.pool_id)
      BEGIN
        INSERT INTO search_dirty (thread_id) SELECT new.id
          WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE thread_id = new.id);
      END;
      CREATE TRIGGER pools_search_insert AFTER INSERT ON pools BEGIN ${markPoolThreads('new.id')} END;
      CREATE TRIGGER pools_search_update AFTER UPDATE OF kind ON pools WHEN old.kind IS NOT new.kind
      BEGIN ${markPoolThreads('new.id')} END;
      CREATE TRIGGER pools_search_delete AFTER DELETE ON pools BEGIN ${markPoolThreads('old.id')} END;
    `);
  },
};
