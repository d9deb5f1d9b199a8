import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ChainTuple } from './audit';

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
    this.hashAtStmt = db.prepare<[number], { hash: string }>('SELECT hash FROM audit_events WHERE seq = ?');
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
    return this.hashAtStmt.get(seq)?.hash ?? null;
  }
  /** Position and hash of the newest event, or null when the log is empty. */
  end(): { seq: number; hash: string } | null {
    return this.endStmt.get() ?? null;
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
