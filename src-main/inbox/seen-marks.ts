/**
 * A thread's "seen" mark, derived from the read's audit event after the answer (issue 16 §3, session 9, s9read).
 *
 * `thread.get` (and `thread.getIfChanged` when it hands out the detail) writes its audit events in a durable commit
 * before its data is returned (DESIGN.md §7); the mark that clears the thread's unread flag is no longer part of
 * that commit. The mark is derived data: the read event says which thread was read and when, so the mark is
 * written later, in a commit of its own without an fsync (`rebuildableTransaction`); the next durable commit's
 * fsync makes it durable too. `thread_seen_derived.through` (migration 022) is the audit seq up to which every
 * read event's mark is written; it moves with the per-record index's batches (migration 020), not with each mark.
 * Measured: the mark was 1.9 of the 3.4–4.5 pages of a `thread.get` commit, and its `thread_counts` triggers the
 * largest share of the commit's SQLite time (docs/performance-history.md, "Audited reads (session 9, s9read)").
 *
 * What a person sees stays exact: a pending mark is applied before anything that shows unread state answers (an
 * inbox page, cached or not, the queue badges, a patient's open threads: `ThreadsRepo.beforeSeenRead`), and
 * otherwise in a task right after the read's answer. Nothing is lost by a crash: the read event is durable, and
 * a start applies every read event after the watermark again from the log (`recover`). Which events carry a mark:
 * SEEN_EVENT_SQL (a successful 'read' of a thread with no field names: thread.get and thread.getIfChanged; a list
 * read's events name 'inbox.list' and an attachment read names its attachment).
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { rebuildableTransaction } from '../store/durability';
import type { Store } from '../store/store';

/** The audit events whose thread gets a seen mark at the event's time (see the module comment). */
export const SEEN_EVENT_SQL = `action = 'read' AND entity_type = 'thread' AND outcome = 'success' AND fields = '[]'
  AND entity_id IS NOT NULL`;

interface Pending {
  threadId: string;
  /** The mark written (UTC ISO): the newest message time the read showed (noted). */
  at: string;
}

/**
 * The seen marks of one store (see the module comment): noted after each read's commit (`noted`), applied before
 * the next read of unread state or in a task of their own (`applyPending`, `applyPendingOrReport`), caught up with
 * the per-record index's batches (`catchUp`), recovered from the log at start (`recover`). One per store
 * (InboxService makes it).
 */
export class SeenMarks {
  private pending: Pending[] = [];
  private scheduled = false;
  private applying = false;
  private readonly throughStmt: Statement<[], number>;
  private readonly setThroughStmt: Statement;
  private readonly eventsStmt: Statement<[number], { seq: number; entity_id: string; at: string }>;

  /**
   * @param apply writes one mark (threads.seen_at = at if the thread is unread), inside the caller's transaction.
   * @param later runs a task after the current call has returned (default setImmediate).
   * @param report told when the marks could not be written in that later task (an SQLite error such as
   *   SQLITE_FULL or SQLITE_IOERR): a message without PHI (no thread id, no time), the error's code only. The marks
   *   stay pending (the next read of unread state applies them, and a start recovers them from the log). Default
   *   console.error.
   */
  constructor(
    private readonly store: Store,
    private readonly apply: (threadId: string, at: string) => void,
    private readonly later: (task: () => void) => void = (task) => void setImmediate(task),
    private readonly report: (message: string) => void = (message) => console.error(message),
  ) {
    const db = store.db;
    this.throughStmt = db
      .prepare<[], number>('SELECT through FROM thread_seen_derived WHERE one = 1')
      .pluck();
    // Every seen event up to the newest event is applied once the pending ones are: the router notes each one
    // right after its commit, in the same synchronous step (no other seen event can be in the log unnoted).
    this.setThroughStmt = db.prepare(
      `UPDATE thread_seen_derived SET through = coalesce((SELECT max(seq) FROM audit_events), through)
       WHERE one = 1`,
    );
    this.eventsStmt = db.prepare<[number], { seq: number; entity_id: string; at: string }>(
      `SELECT seq, entity_id, at FROM audit_events WHERE seq > ? AND ${SEEN_EVENT_SQL} ORDER BY seq`,
    );
  }

  /**
   * A read of `threadId` has committed its events durably: its mark `at` (UTC ISO; the router passes the newest
   * message time the read showed, so the mark compares on the messages' own clock, whatever the PC's clock says:
   * src-main/core/handlers.ts seenAfterRead) is applied before the next read of unread state, or in a task after
   * the answer, whichever comes first. Recovery from the log (`recover`) has only the event's time on the PC's
   * clock: a read made while that clock was behind the server's stays unread after a crash (fails safe).
   */
  noted(threadId: string, at: string): void {
    this.pending.push({ threadId, at });
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      // Inside someone's transaction (an await between its statements): the next read applies them.
      if (!this.store.db.open || this.store.db.inTransaction) return;
      // Review 10, suspicion 2: an error here was an uncaught exception in the main process.
      this.applyPendingOrReport();
    });
  }

  /**
   * applyPending where a failure must not stop what follows: the later task, and a read of unread state (an inbox
   * page, the queue badges, a patient's open threads) or a call's transaction about to start. An SQLite error
   * (SQLITE_FULL, SQLITE_IOERR) is reported (the error's code only, no PHI) and not thrown: the marks are derived
   * data and stay pending (applied by the next call, else recovered from the log at start), so a full disk shows a
   * thread read a moment ago as unread a little longer instead of leaving the front desk without its queue
   * (session 10, review of session 9, M1).
   */
  applyPendingOrReport(): void {
    try {
      this.applyPending();
    } catch (error) {
      this.report(`Seen marks not written yet (${errorCode(error)}); they stay pending.`);
    }
  }

  /** Marks noted and not yet known to be committed (for tests and the bench's notes). */
  pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Apply the pending marks now, in one commit without an fsync (a later durable commit's fsync makes it durable),
   * or inside the caller's transaction: they then stay noted and are applied again by the next call outside one
   * (a rollback loses nothing; applying a mark twice writes nothing the second time, and an old mark never makes
   * a thread with a newer message read). The watermark is not written here (one page less per mark): it moves
   * with the index batches (catchUp), and a start applies again what came after it. Cheap when nothing is
   * pending. Errors: SQLite's (the marks stay pending).
   */
  applyPending(): void {
    if (this.pending.length === 0 || this.applying || !this.store.db.open) return;
    this.applying = true;
    try {
      const nested = this.store.db.inTransaction;
      const todo = this.pending;
      // Not begun by Store.transaction: an ended transaction's writes must not stop the first pages brought up to
      // date in this one from being kept (TableChanges.settle, keptVersion).
      this.store.changes.settle();
      rebuildableTransaction(this.store.db, () => {
        for (const p of todo) this.apply(p.threadId, p.at);
      });
      if (!nested) this.pending = this.pending.slice(todo.length);
    } finally {
      this.applying = false;
    }
  }

  /**
   * At start: apply the marks of every seen event after the watermark (a crash, or a close, between a read's
   * commit and its mark), in log order, and move the watermark to the newest event. Returns the marks applied.
   */
  recover(): number {
    return rebuildableTransaction(this.store.db, () => {
      const through = this.throughStmt.get() ?? 0;
      if (through >= this.store.audit.lastSeq()) return 0;
      const events = this.eventsStmt.all(through);
      for (const e of events) this.apply(e.entity_id, e.at);
      this.setThroughStmt.run();
      return events.length;
    });
  }

  /**
   * Write the pending marks and move the watermark to the newest event, in the caller's transaction, so a start
   * after a crash scans only the events since (called in the per-record index's batches, src-main/audit/audit-log.ts).
   */
  catchUp(): void {
    this.applyPending();
    this.setThroughStmt.run();
  }
}

/** An error's code (SQLite's, e.g. SQLITE_FULL) or class name: never its message, which may quote data. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown error';
}
