import type { Database } from 'better-sqlite3-multiple-ciphers';
import { MUTATION_PAYLOAD_VERSION, type MutationOp } from '../../../src-shared/sync';
import { parseWellFormedJson } from '../../../src-shared/well-formed-text';
import { AUDIT_PUSHED_SEQ_KEY } from '../migrations/007-audit-push-from-log';

export interface OutboxEntry {
  seq: number;
  id: string;
  entity: string;
  entityId: string;
  baseVersion: number | null;
  mutation: MutationOp;
  staffId: string;
  createdAt: string;
  attempts: number;
  /** Version of the payload's shape (src-shared/sync.ts MUTATION_PAYLOAD_VERSION); 1 for older rows. */
  payloadVersion: number;
}
interface OutboxRow {
  seq: number;
  id: string;
  entity: string;
  entity_id: string;
  base_version: number | null;
  op: string;
  payload: string;
  staff_id: string;
  created_at: string;
  attempts: number;
  payload_version: number;
}

/** Pending local mutations in order (DESIGN.md §5). Rows are written inside the caller's transaction. */
export class OutboxRepo {
  private readonly addStmt;
  private readonly peekStmt;
  private readonly removeStmt;
  private readonly countStmt;
  private readonly countWorkStmt;
  private readonly pendingForStmt;
  private readonly attemptStmt;
  private readonly pendingIdsStmt;
  private readonly idsForStmt;
  constructor(db: Database) {
    this.addStmt = db.prepare(
      `INSERT INTO outbox (id, entity, entity_id, base_version, op, payload, staff_id, created_at, payload_version)
       VALUES (@id, @entity, @entityId, @baseVersion, @op, @payload, @staffId, @createdAt, @payloadVersion)`,
    );
    this.peekStmt = db.prepare<[number], OutboxRow>('SELECT * FROM outbox ORDER BY seq LIMIT ?');
    this.removeStmt = db.prepare('DELETE FROM outbox WHERE id = ?');
    // Everything still to push: queued mutations and this device's audit events after the push pointer (issue 16:
    // audit events are pushed straight from the log, store/repos/audit-push.ts).
    this.countStmt = db.prepare<[], { n: number }>(
      `SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM audit_events
         WHERE seq > coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '${AUDIT_PUSHED_SEQ_KEY}'), 0)
           AND seq NOT IN (SELECT seq FROM audit_pushed_early)) AS n`,
    );
    this.countWorkStmt = db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM outbox WHERE entity != 'audit'",
    );
    // Audit rows are left out (and out of the entity index, migration 3): an audit event is append-only, so a
    // pull never has a local version of it to protect.
    this.pendingForStmt = db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM outbox WHERE entity_id = ? AND entity != 'audit'`,
    );
    this.attemptStmt = db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
    this.pendingIdsStmt = db.prepare<[], { entity_id: string }>(
      `SELECT DISTINCT entity_id FROM outbox WHERE entity != 'audit'`,
    );
    // issue 13b: the changes a dialog waits on (uses the entity index of migration 3).
    this.idsForStmt = db.prepare<[string], { id: string }>(
      `SELECT id FROM outbox WHERE entity_id = ? AND entity != 'audit' ORDER BY seq`,
    );
  }
  add(entry: Omit<OutboxEntry, 'seq' | 'attempts' | 'payloadVersion'>): void {
    this.addStmt.run({
      id: entry.id,
      entity: entry.entity,
      entityId: entry.entityId,
      baseVersion: entry.baseVersion,
      op: entry.mutation.op,
      payload: JSON.stringify(entry.mutation),
      staffId: entry.staffId,
      createdAt: entry.createdAt,
      payloadVersion: MUTATION_PAYLOAD_VERSION,
    });
  }
  peek(limit: number): OutboxEntry[] {
    return this.peekStmt.all(limit).map((r) => ({
      seq: r.seq,
      id: r.id,
      entity: r.entity,
      entityId: r.entity_id,
      baseVersion: r.base_version,
      // Text stored before ill-formed text was refused at input (a row queued then, or a stored reason copied into a
      // change) goes with U+FFFD for each lone surrogate, which the backend accepts (src-shared/well-formed-text.ts).
      mutation: parseWellFormedJson(r.payload) as MutationOp,
      staffId: r.staff_id,
      createdAt: r.created_at,
      attempts: r.attempts,
      payloadVersion: r.payload_version,
    }));
  }
  remove(id: string): void {
    this.removeStmt.run(id);
  }
  markAttempt(id: string): void {
    this.attemptStmt.run(id);
  }
  /** Everything waiting to be pushed: queued mutations plus this device's unpushed audit events. */
  count(): number {
    return this.countStmt.get()!.n;
  }
  /** Pending changes staff made (audit rows, which ride along with every action, are not counted). */
  countWork(): number {
    return this.countWorkStmt.get()!.n;
  }
  /** True while a local change to this record waits to be pushed (a pull must not undo it). */
  hasPending(entityId: string): boolean {
    return this.pendingForStmt.get(entityId)!.n > 0;
  }
  /** Mutation ids (UUIDv7) of the changes to one record still waiting to be pushed, oldest first. */
  pendingIdsFor(entityId: string): string[] {
    return this.idsForStmt.all(entityId).map((r) => r.id);
  }
  /** Ids of every record with a pending local change: one query per pulled batch instead of one per change. */
  pendingEntityIds(): Set<string> {
    return new Set(this.pendingIdsStmt.all().map((r) => r.entity_id));
  }
}
