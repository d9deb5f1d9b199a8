import type { Migration } from './types';

/** sync_state key: the seq of the last local audit event settled by a push (src-main/store/repos/audit-push.ts). */
export const AUDIT_PUSHED_SEQ_KEY = 'audit.pushedSeq';

/**
 * Issue 16 ("each audit event written once"): audit events are pushed straight from `audit_events` by seq, after
 * the pointer `sync_state['audit.pushedSeq']`, instead of from a second copy in the outbox.
 * Upgrading a store of the previous release: the outbox's audit rows whose event is in the log are taken out of
 * the outbox and the pointer is set just before the first of them, so each is pushed once from the log. Events
 * after that point that had already been settled (a row kept back for a retry lets later rows settle first) go
 * to `audit_pushed_early`, which the push skips. An outbox audit row without its event in the log (never written
 * by a console, but possible in a hand-made store) stays in the outbox and is pushed from there as before.
 *
 * File 007, version 7 (numbered in merge order).
 */
export const auditPushFromLog: Migration = {
  version: 7,
  name: 'audit events pushed from the log by seq',
  up: (db) => {
    // SQL only (no values read into JS): the bench replays the migrations' SQL on another driver.
    db.exec(`
      CREATE TABLE audit_pushed_early (seq INTEGER PRIMARY KEY) STRICT;
      CREATE TEMP TABLE audit_queued AS
        SELECT e.seq FROM audit_events e JOIN outbox o ON o.entity = 'audit' AND o.id = e.id;
      INSERT INTO sync_state (key, value) VALUES ('${AUDIT_PUSHED_SEQ_KEY}', CAST(coalesce(
          (SELECT min(seq) - 1 FROM temp.audit_queued), (SELECT max(seq) FROM audit_events), 0) AS TEXT))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      INSERT INTO audit_pushed_early (seq)
        SELECT seq FROM audit_events
        WHERE seq > (SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '${AUDIT_PUSHED_SEQ_KEY}')
          AND seq NOT IN (SELECT seq FROM temp.audit_queued);
      DELETE FROM outbox WHERE entity = 'audit' AND id IN (
        SELECT e.id FROM audit_events e WHERE e.seq IN (SELECT seq FROM temp.audit_queued));
      DROP TABLE temp.audit_queued;
    `);
  },
};
