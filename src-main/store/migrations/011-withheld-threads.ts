import type { Migration } from './types';

/**
 * Review 4 of issue 14 (withheld bodies): the mark "the server withheld this thread's messages from a pull" moves
 * from a column of the thread row into its own table keyed by thread id. A pull serves each record once, at its
 * latest change, so a thread changed after its messages arrives in a LATER batch than them: the column's UPDATE
 * found no row and the mark was lost, and a clinician on that PC later saw the thread with no message at all.
 * The table holds the mark whether or not the thread row is on the PC yet; deleting a thread drops its mark. Existing marks are carried over;
 * `threads.bodies_withheld` stays (unused) so older rows need no rewrite.
 * Also (review 4, SLA escalation): a partial index of escalated open threads, for the urgent queue's unread count
 * and for taking an escalation back when the PC clock is set back.
 */
export const withheldThreads: Migration = {
  version: 11,
  name: 'withheld thread bodies, escalated threads index',
  up: (db) => {
    db.exec(`
      CREATE TABLE withheld_threads (thread_id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      INSERT INTO withheld_threads (thread_id) SELECT id FROM threads WHERE bodies_withheld = 1;
      -- the escalated (overdue) open threads: the urgent queue's count and the sweep that takes escalations back
      CREATE INDEX threads_overdue_open ON threads (due_at) WHERE status IN ('new', 'in_progress') AND overdue = 1;
      -- a thread that leaves the PC (store window, server delete) takes its mark with it
      CREATE TRIGGER threads_withheld_gone AFTER DELETE ON threads
      BEGIN
        DELETE FROM withheld_threads WHERE thread_id = old.id;
      END;
    `);
  },
};
