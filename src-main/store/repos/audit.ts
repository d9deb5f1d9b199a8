import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AuditAction, AuditEntityType, Role } from '../../../src-shared/domain';

/** One audit event as stored (fields as a JSON array of names). */
export interface AuditRow {
  id: string;
  at: string;
  staff_id: string | null;
  role: Role | null;
  device_id: string;
  action: AuditAction;
  entity_type: AuditEntityType;
  entity_id: string | null;
  outcome: 'success' | 'failure';
  fields: string;
  actor_kind: 'staff' | 'patient' | 'system';
}
export interface LocalAuditRow extends AuditRow {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** Raw access to the append-only tables; hashing and verification live in src-main/audit. */
export class AuditRepo {
  private readonly appendStmt;
  private readonly lastStmt;
  private readonly iterateStmt;
  private readonly countStmt;
  private readonly localForEntityStmt;
  private readonly remoteForEntityStmt;
  private readonly upsertRemoteStmt;
  private readonly signInsStmt;
  private readonly remoteSignInsStmt;
  private readonly byIdStmt;
  private readonly rangeStmt;
  constructor(db: Database) {
    this.appendStmt = db.prepare(
      `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields,
         actor_kind, prev_hash, hash)
       VALUES (@id, @at, @staff_id, @role, @device_id, @action, @entity_type, @entity_id, @outcome, @fields,
         @actor_kind, @prev_hash, @hash)`,
    );
    this.lastStmt = db.prepare<[], { hash: string }>('SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    this.iterateStmt = db.prepare<[], LocalAuditRow>('SELECT * FROM audit_events ORDER BY seq');
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_events');
    this.localForEntityStmt = db.prepare<[string, string], LocalAuditRow>(
      'SELECT * FROM audit_events WHERE entity_type = ? AND entity_id = ?',
    );
    this.remoteForEntityStmt = db.prepare<[string, string], AuditRow>(
      'SELECT * FROM audit_remote WHERE entity_type = ? AND entity_id = ?',
    );
    this.upsertRemoteStmt = db.prepare(
      `INSERT OR IGNORE INTO audit_remote (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
         fields, actor_kind)
       VALUES (@id, @at, @staff_id, @role, @device_id, @action, @entity_type, @entity_id, @outcome, @fields, @actor_kind)`,
    );
    this.signInsStmt = db.prepare<[string], LocalAuditRow>(
      `SELECT * FROM audit_events WHERE staff_id = ? AND action IN ('sign-in', 'failed-sign-in', 'sign-out')
       ORDER BY seq DESC LIMIT 200`,
    );
    this.remoteSignInsStmt = db.prepare<[string], AuditRow>(
      `SELECT * FROM audit_remote WHERE staff_id = ? AND action IN ('sign-in', 'failed-sign-in', 'sign-out')
       ORDER BY at DESC LIMIT 200`,
    );
    this.byIdStmt = db.prepare<[string], LocalAuditRow>('SELECT * FROM audit_events WHERE id = ?');
    this.rangeStmt = db.prepare<[string, string], LocalAuditRow>(
      'SELECT * FROM audit_events WHERE at >= ? AND at <= ? ORDER BY seq',
    );
  }
  append(row: LocalAuditRow | Omit<LocalAuditRow, 'seq'>): void {
    this.appendStmt.run(row);
  }
  lastHash(): string | null {
    return this.lastStmt.get()?.hash ?? null;
  }
  iterate(): IterableIterator<LocalAuditRow> {
    return this.iterateStmt.iterate();
  }
  count(): number {
    return this.countStmt.get()!.n;
  }
  byId(id: string): LocalAuditRow | null {
    return this.byIdStmt.get(id) ?? null;
  }
  localForEntity(entityType: string, entityId: string): LocalAuditRow[] {
    return this.localForEntityStmt.all(entityType, entityId);
  }
  remoteForEntity(entityType: string, entityId: string): AuditRow[] {
    return this.remoteForEntityStmt.all(entityType, entityId);
  }
  upsertRemote(row: AuditRow): void {
    this.upsertRemoteStmt.run(row);
  }
  signIns(staffId: string): { local: LocalAuditRow[]; remote: AuditRow[] } {
    return { local: this.signInsStmt.all(staffId), remote: this.remoteSignInsStmt.all(staffId) };
  }
  range(from: string, to: string): LocalAuditRow[] {
    return this.rangeStmt.all(from, to);
  }
}
