import type { Migration } from './types';
import { TRIAGE_DUE_SQL, TRIAGE_RANK_SQL } from './009-triage-pools';

/** The overdue_counts row of a thread (its queue key columns, as thread_counts has them). */
const key = (r: 'new' | 'old') =>
  `${r}.status, ${r}.priority, coalesce(${r}.assignee_id, ''), coalesce(${r}.provider_id, '')`;
const match = (r: 'new' | 'old') =>
  `status = ${r}.status AND priority = ${r}.priority AND assignee = coalesce(${r}.assignee_id, '')
   AND provider = coalesce(${r}.provider_id, '')`;
/** +1 on the new row's key when it is overdue (NOT EXISTS, not an upsert: see migration 003's note). */
const up = `
  INSERT INTO overdue_counts (status, priority, assignee, provider, n) SELECT ${key('new')}, 0
    WHERE new.overdue = 1 AND NOT EXISTS (SELECT 1 FROM overdue_counts WHERE ${match('new')});
  UPDATE overdue_counts SET n = n + 1 WHERE new.overdue = 1 AND ${match('new')};`;
const down = `UPDATE overdue_counts SET n = n - 1 WHERE old.overdue = 1 AND ${match('old')};`;

/**
 * Session 5, 16r (issue 16 §4): first pages after a write, at 100k threads (bench/profile-router.ts plan, scale
 * 100, load ~11), without sorting or counting a whole queue:
 * - `threads_q_assignee_triage`: "mine" and "unassigned" in their default priority order are cut from an index in
 *   that order, like "all" (threads_q_triage) and a pool (threads_q_pool_triage); the page sorted every open thread
 *   of the person, or every unassigned one: 154 ms and 93 ms per first page.
 * - `overdue_counts`: escalated (overdue = 1) threads per queue key, kept by triggers like thread_counts, so the
 *   urgent queue's total (urgent priorities plus escalated threads of a lower priority) is read, not counted over
 *   every escalated thread (~36k in the demo clinic at that size; 253 ms as one count, ~50 ms on the index).
 *   A bulk load (store/bulk-load.ts) leaves these triggers in place: pulled threads arrive with overdue = 0.
 *
 * File 014, version 14.
 */
export const assigneeTriageOrder: Migration = {
  version: 14,
  name: 'assignee queues in priority order from an index; escalated threads counted per queue key',
  up: (db) => {
    db.exec(`
      CREATE INDEX threads_q_assignee_triage ON threads (assignee_id, ${TRIAGE_RANK_SQL}, ${TRIAGE_DUE_SQL}, id)
        WHERE status IN ('new', 'in_progress');

      CREATE TABLE overdue_counts (
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        assignee TEXT NOT NULL,
        provider TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, priority, assignee, provider)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO overdue_counts (status, priority, assignee, provider, n)
        SELECT status, priority, coalesce(assignee_id, ''), coalesce(provider_id, ''), count(*)
        FROM threads WHERE overdue = 1 GROUP BY 1, 2, 3, 4;
      CREATE TRIGGER threads_overdue_counts_insert AFTER INSERT ON threads WHEN new.overdue = 1 BEGIN ${up}
      END;
      CREATE TRIGGER threads_overdue_counts_delete AFTER DELETE ON threads WHEN old.overdue = 1 BEGIN ${down}
      END;
      CREATE TRIGGER threads_overdue_counts_update
        AFTER UPDATE OF overdue, status, priority, assignee_id, provider_id ON threads
        WHEN (old.overdue = 1 OR new.overdue = 1)
          AND (old.overdue, ${key('old')}) IS NOT (new.overdue, ${key('new')})
      BEGIN ${down} ${up}
      END;
    `);
  },
};
