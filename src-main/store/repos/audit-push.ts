import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AuditRecord } from '../../../src-shared/domain';
import { AUDIT_PUSHED_SEQ_KEY } from '../migrations/007-audit-push-from-log';
import { type LocalAuditRow, auditRecordOf } from './audit';

/** A local audit event waiting to be pushed, with its position in the log. */
export interface PendingAuditEvent {
  seq: number;
  record: AuditRecord;
}

const POINTER = `(SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '${AUDIT_PUSHED_SEQ_KEY}')`;
const PENDING = `seq > coalesce(${POINTER}, 0) AND seq NOT IN (SELECT seq FROM audit_pushed_early)`;

/**
 * The push queue of this device's audit events (DESIGN.md §5 "audit events sync off the device", issue 16):
 * each event is written once, in `audit_events`, and pushed from there in seq order after the pointer
 * `sync_state['audit.pushedSeq']` (migration 009). Settling an event moves the pointer; nothing is deleted.
 */
export class AuditPushRepo {
  private readonly peekStmt;
  private readonly countStmt;
  private readonly pointerStmt;
  private readonly setPointerStmt;
  private readonly forgetEarlyStmt;
  constructor(db: Database) {
    this.peekStmt = db.prepare<[number], LocalAuditRow>(
      `SELECT * FROM audit_events WHERE ${PENDING} ORDER BY seq LIMIT ?`,
    );
    this.countStmt = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM audit_events WHERE ${PENDING}`);
    this.pointerStmt = db.prepare<[], { n: number | null }>(`SELECT ${POINTER} AS n`);
    this.setPointerStmt = db.prepare(
      `INSERT INTO sync_state (key, value) VALUES ('${AUDIT_PUSHED_SEQ_KEY}', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
    this.forgetEarlyStmt = db.prepare('DELETE FROM audit_pushed_early WHERE seq <= ?');
  }
  /** The oldest unpushed events, in chain order, at most `limit`. */
  peek(limit: number): PendingAuditEvent[] {
    return this.peekStmt.all(limit).map((row) => ({ seq: row.seq, record: auditRecordOf(row) }));
  }
  /** How many events wait to be pushed. */
  count(): number {
    return this.countStmt.get()!.n;
  }
  /** The seq of the last settled event (0: none). */
  pointer(): number {
    return this.pointerStmt.get()?.n ?? 0;
  }
  /** Every event up to `seq` is settled (pushed and answered). Never moves back. Run inside the caller's transaction. */
  settledThrough(seq: number): void {
    if (seq <= this.pointer()) return;
    this.setPointerStmt.run(String(seq));
    this.forgetEarlyStmt.run(seq);
  }
}
