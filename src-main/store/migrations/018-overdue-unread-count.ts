import type { Migration } from './types';

/**
 * A thread the urgent queue's unread badge counts beyond thread_counts: open, escalated past its SLA
 * (overdue = 1), of a lower priority than urgent (routine), and unread. The same predicate as the count it
 * replaces (repos/threads.ts unreadCounts, review 4), as 0 or 1 (a NULL time compares as not unread).
 */
const counted = (r: string) =>
  `(CASE WHEN ${r}.status IN ('new', 'in_progress') AND ${r}.overdue = 1
      AND ${r}.priority NOT IN ('urgent', 'asap', 'stat')
      AND (${r}.seen_at IS NULL OR ${r}.seen_at < ${r}.last_message_at) THEN 1 ELSE 0 END)`;

/**
 * Session 6, s6read (issue 16; closing note 5: "`inbox.counts` counts escalated routine threads on every call,
 * about 50 ms at 100k threads"): the number of unread escalated routine threads, kept in one row by triggers
 * like thread_counts (migration 003) and overdue_counts (016), so the queue badges read it instead of walking
 * every escalated thread (~36k in the demo clinic at 100k threads) on each `inbox.counts`.
 * Everything that moves a thread in or out of the count is a write of one of the columns the update trigger
 * watches: time passing over an SLA (escalateOverdue sets overdue, a clock set back clears it), a priority or
 * status change, a seen mark, a new message (last_message_at), a pulled upsert (which resets overdue when the
 * due time or status changed), an insert or a delete (eviction). Only a row whose membership changes writes
 * the counter. A bulk load (store/bulk-load.ts) leaves these triggers in place: pulled threads arrive with
 * overdue = 0.
 *
 * File 018, version 18 (numbered in merge order).
 */
export const overdueUnreadCount: Migration = {
  version: 18,
  name: 'unread escalated routine threads counted in one row',
  up: (db) => {
    db.exec(`
      CREATE TABLE overdue_unread_count (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        n INTEGER NOT NULL
      ) STRICT;
      INSERT INTO overdue_unread_count (one, n)
        SELECT 1, coalesce(sum(${counted('t')}), 0) FROM threads t;
      CREATE TRIGGER threads_overdue_unread_insert AFTER INSERT ON threads WHEN ${counted('new')} = 1 BEGIN
        UPDATE overdue_unread_count SET n = n + 1 WHERE one = 1;
      END;
      CREATE TRIGGER threads_overdue_unread_delete AFTER DELETE ON threads WHEN ${counted('old')} = 1 BEGIN
        UPDATE overdue_unread_count SET n = n - 1 WHERE one = 1;
      END;
      CREATE TRIGGER threads_overdue_unread_update
        AFTER UPDATE OF status, overdue, priority, seen_at, last_message_at ON threads
        WHEN ${counted('old')} != ${counted('new')}
      BEGIN
        UPDATE overdue_unread_count SET n = n + ${counted('new')} - ${counted('old')} WHERE one = 1;
      END;
    `);
  },
};
