import type { Migration } from './types';

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
 * Session 5, 16r (issue 16 §4): escalated (overdue = 1) threads per queue key, kept by triggers like thread_counts,
 * so the urgent queue's total (urgent priorities plus escalated threads of a lower priority) is read, not counted
 * over every escalated thread on each first page after a write (~36k escalated threads in the demo clinic at
 * 100k threads: 253 ms as one count, a ~50 ms p95 on the threads_overdue_open index).
 * A bulk load (store/bulk-load.ts) leaves these triggers in place: pulled threads arrive with overdue = 0.
 *
 * File 016, version 16 (numbered in merge order).
 */
export const overdueCounts: Migration = {
  version: 16,
  name: 'escalated threads counted per queue key',
  up: (db) => {
    db.exec(`
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
