import type { Migration } from './types';

/**
 * Issue 16 §3 (session 9, s9read): a thread's "seen" mark is no longer written in the read's durable commit; it is
 * derived from the read's audit event after the answer (src-main/inbox/seen-marks.ts), as the per-record index is
 * (migration 020). `thread_seen_derived.through` is the audit seq up to which every `thread.get` read event has
 * been applied to `threads.seen_at`; a start after a crash applies the events after it again from the log.
 * Every event up to now had its mark written in its own commit, so the watermark starts at the newest event.
 */
export const seenMarksDerived: Migration = {
  version: 22,
  name: 'thread seen marks derived from the audit log after the read',
  up: (db) => {
    db.exec(`
      CREATE TABLE thread_seen_derived (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        through INTEGER NOT NULL
      ) STRICT;
      INSERT INTO thread_seen_derived (one, through)
        SELECT 1, coalesce((SELECT max(seq) FROM audit_events), 0);
    `);
  },
};
