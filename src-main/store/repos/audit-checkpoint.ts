import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ChainTuple } from './audit';
import { AUDIT_PUSHED_SEQ_KEY } from '../migrations/007-audit-push-from-log';

/** The last audit event verified at start-up (src-main/audit/checkpoint.ts). */
export interface AuditCheckpoint {
  /** Local position of the last verified event. */
  seq: number;
  /** Its chain hash: the expected prevHash of the next event. */
  hash: string;
  /** Events verified up to and including it. */
  count: number;
}

const KEY = 'auditCheckpoint';

/** A chain tuple followed by the event's local position. */
export type SeqChainTuple = [...ChainTuple, seq: number];

/** Raw reads for incremental chain verification; the checkpoint lives in sync_state (local bookkeeping). */
export class AuditCheckpointRepo {
  private readonly afterStmt;
  private readonly hashAtStmt;
  private readonly endStmt;
  private readonly prunableStmt;
  private readonly tombstoneStmt;
  private readonly permitStmt;
  private readonly deleteEventStmt;
  private readonly clearPermitsStmt;
  private readonly getStmt;
  private readonly setStmt;
  constructor(db: Database) {
    this.afterStmt = db
      .prepare<[number], SeqChainTuple>(
        `SELECT id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields, actor_kind,
           prev_hash, hash, seq
         FROM audit_events WHERE seq > ? ORDER BY seq`,
      )
      .raw(true);
    this.hashAtStmt = db.prepare<{ seq: number }, { hash: string }>(
      'SELECT hash FROM audit_events WHERE seq = @seq UNION ALL SELECT hash FROM audit_pruned WHERE seq = @seq',
    );
    // Synced events (pushed: at or before the push pointer, no legacy outbox row) about threads and appointments no longer in the store, up to a position.
    // The newest event always stays: the next event links to its hash and takes the next position after it.
    this.prunableStmt = db.prepare<[number], { seq: number; prev_hash: string; hash: string }>(
      `SELECT e.seq, e.prev_hash, e.hash FROM audit_events e
       WHERE e.seq <= ? AND e.seq < (SELECT max(seq) FROM audit_events) AND e.entity_id IS NOT NULL
         AND ((e.entity_type = 'thread' AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = e.entity_id))
           OR (e.entity_type = 'appointment' AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = e.entity_id)))
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'audit' AND o.entity_id = e.id)
         AND e.seq <= coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '${AUDIT_PUSHED_SEQ_KEY}'), 0)
         AND e.seq NOT IN (SELECT seq FROM audit_pushed_early)
       ORDER BY e.seq`,
    );
    this.tombstoneStmt = db.prepare('INSERT INTO audit_pruned (seq, prev_hash, hash) VALUES (?, ?, ?)');
    this.permitStmt = db.prepare('INSERT INTO audit_prune_permit (seq) VALUES (?)');
    this.deleteEventStmt = db.prepare('DELETE FROM audit_events WHERE seq = ?');
    this.clearPermitsStmt = db.prepare('DELETE FROM audit_prune_permit');
    this.endStmt = db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?');
    this.setStmt = db.prepare(
      `INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }
  /** Events after position `seq`, in chain order. */
  iterateAfter(seq: number): IterableIterator<SeqChainTuple> {
    return this.afterStmt.iterate(seq);
  }
  hashAt(seq: number): string | null {
    return this.hashAtStmt.get({ seq })?.hash ?? null;
  }
  /** Position and hash of the newest event, or null when the log is empty. */
  end(): { seq: number; hash: string } | null {
    return this.endStmt.get() ?? null;
  }
  /**
   * Replace synced events about records no longer in the store, at or before `uptoSeq`, by link-only
   * tombstones. Call inside a transaction (with secure_delete on). Returns how many were pruned.
   */
  pruneAbsentRecords(uptoSeq: number): number {
    const rows = this.prunableStmt.all(uptoSeq);
    for (const r of rows) {
      this.tombstoneStmt.run(r.seq, r.prev_hash, r.hash);
      this.permitStmt.run(r.seq);
      this.deleteEventStmt.run(r.seq);
    }
    this.clearPermitsStmt.run();
    return rows.length;
  }
  get(): AuditCheckpoint | null {
    const text = this.getStmt.get(KEY)?.value;
    if (!text) return null;
    try {
      const v = JSON.parse(text) as Partial<AuditCheckpoint>;
      return typeof v.seq === 'number' && typeof v.hash === 'string' && typeof v.count === 'number'
        ? { seq: v.seq, hash: v.hash, count: v.count }
        : null;
    } catch {
      return null;
    }
  }
  set(cp: AuditCheckpoint): void {
    this.setStmt.run(KEY, JSON.stringify(cp));
  }
}
