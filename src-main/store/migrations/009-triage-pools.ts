import type { Migration } from './types';

/**
 * The order of a queue sorted by priority (issue 14a): STAT first, then overdue (escalated) threads, then asap,
 * urgent and routine, each by due time (none last), then id. The same expression is used by the index below
 * and by the queue query (src-main/store/repos/threads.ts), so SQLite walks the index instead of sorting.
 */
export const TRIAGE_RANK_SQL = `(CASE WHEN priority = 'stat' THEN 0 WHEN overdue = 1 THEN 1
  WHEN priority = 'asap' THEN 2 WHEN priority = 'urgent' THEN 3 ELSE 4 END)`;
export const TRIAGE_DUE_SQL = `coalesce(due_at, '9999-12-31T23:59:59.999Z')`;

/**
 * Issue 14a: triage pools, topics, priority order with SLA escalation, emergency access, coverage.
 * - `pools`: the clinic's triage pools as the server syncs them (entity 'pool').
 * - `threads.topic` / `threads.pool_id`: the patient's topic and the thread's pool; `bodies_withheld` marks a
 *   thread whose messages the server withheld from a receptionist's pull (fetched whole when someone allowed
 *   opens it); `overdue` is set once an open thread passes its due time (escalation: badge + urgent queue).
 * - `break_glass`: emergency access grants of this PC (who, which record, reason, until when).
 *
 * File 009, version 9: issue 14a's place in merge order (13b's 008 comes before it).
 */
export const triagePools: Migration = {
  version: 9,
  name: 'triage pools, topics, priority order, emergency access',
  up: (db) => {
    db.exec(`
      CREATE TABLE pools (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('clinical', 'administrative')),
        topics TEXT NOT NULL,
        sla TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;

      ALTER TABLE threads ADD COLUMN topic TEXT;
      ALTER TABLE threads ADD COLUMN pool_id TEXT;
      ALTER TABLE threads ADD COLUMN bodies_withheld INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE threads ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;

      CREATE INDEX threads_q_triage ON threads (${TRIAGE_RANK_SQL}, ${TRIAGE_DUE_SQL}, id)
        WHERE status IN ('new', 'in_progress');
      CREATE INDEX threads_q_pool_triage ON threads (pool_id, ${TRIAGE_RANK_SQL}, ${TRIAGE_DUE_SQL}, id)
        WHERE status IN ('new', 'in_progress');
      -- escalation sweep: open threads not yet overdue, by due time
      CREATE INDEX threads_due_open ON threads (due_at) WHERE status IN ('new', 'in_progress') AND overdue = 0;

      CREATE TABLE break_glass (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        entity_type TEXT NOT NULL CHECK (entity_type IN ('thread', 'patient')),
        entity_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      -- FHIR AuditEvent.purposeOfEvent ('BTG' under emergency access), part of the chain hash when set
      ALTER TABLE audit_events ADD COLUMN purpose_of_event TEXT;
      ALTER TABLE audit_remote ADD COLUMN purpose_of_event TEXT;
      CREATE INDEX break_glass_staff ON break_glass (staff_id, entity_type, entity_id, expires_at);

      -- Threads held from an older server release have no topic or pool: pull everything again once, so the
      -- pools and each thread's pool arrive (pulls are idempotent upserts; queued changes still go first).
      DELETE FROM sync_state WHERE key = 'cursor';
    `);
  },
};
