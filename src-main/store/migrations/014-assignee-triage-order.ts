import type { Migration } from './types';
import { TRIAGE_DUE_SQL, TRIAGE_RANK_SQL } from './009-triage-pools';

/**
 * Session 5, 16r (issue 16 §4): the "mine" and "unassigned" queues in their default priority order are cut from
 * an index in that order, like "all" (threads_q_triage) and a pool (threads_q_pool_triage). Without it the page
 * sorted every open thread of the person (or every unassigned one) on each first page after a write: 154 ms and
 * 93 ms at 100k threads (bench/profile-router.ts plan, scale 100, load ~11).
 *
 * File 014, version 14.
 */
export const assigneeTriageOrder: Migration = {
  version: 14,
  name: 'assignee queues in priority order from an index',
  up: (db) => {
    db.exec(`
      CREATE INDEX threads_q_assignee_triage ON threads (assignee_id, ${TRIAGE_RANK_SQL}, ${TRIAGE_DUE_SQL}, id)
        WHERE status IN ('new', 'in_progress');
    `);
  },
};
