import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AuditAction, AuditEntityType, AuditRecord, Role } from '../../../src-shared/domain';

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
  /** issue 14a (migration 007): 'BTG' for a read under emergency access, else null. */
  purpose_of_event?: string | null;
}
export interface LocalAuditRow extends AuditRow {
  seq: number;
  prev_hash: string;
  hash: string;
}

/**
 * The one mapping between a local audit row and the record that travels (src-shared/domain.ts AuditRecord),
 * both ways: a column added to `audit_events` (and to the chain) is added here and rides along in the push
 * (issue 16: events are pushed straight from the log).
 */
export function auditRowOf(
  record: AuditRecord,
  fieldsJson: string = JSON.stringify(record.fields),
): Omit<LocalAuditRow, 'seq'> {
  return {
    id: record.id,
    at: record.at,
    staff_id: record.staffId,
    role: record.role,
    device_id: record.deviceId,
    action: record.action,
    entity_type: record.entityType,
    entity_id: record.entityId,
    outcome: record.outcome,
    fields: fieldsJson,
    actor_kind: record.actorKind,
    prev_hash: record.prevHash,
    hash: record.hash,
    purpose_of_event: record.purposeOfEvent ?? null,
  };
}

/** The record of a local row as pushed to the server (the inverse of auditRowOf). */
export function auditRecordOf(row: LocalAuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    staffId: row.staff_id,
    role: row.role,
    deviceId: row.device_id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    outcome: row.outcome,
    fields: parseFieldNames(row.fields),
    actorKind: row.actor_kind,
    ...(row.purpose_of_event === 'BTG' ? { purposeOfEvent: 'BTG' as const } : {}),
    prevHash: row.prev_hash,
    hash: row.hash,
    version: 0,
  };
}

function parseFieldNames(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    // An altered row is still pushed as it is; its hash no longer matches and the server refuses it, visibly.
    return [];
  }
}

/**
 * A local row as a positional tuple, in canonical field order (see src-main/audit/chain.ts).
 * Raw rows skip building an object per row, which keeps verifying 100k events well under a second.
 */
export type ChainTuple = [
  id: string,
  at: string,
  staffId: string | null,
  role: string | null,
  deviceId: string,
  action: string,
  entityType: string,
  entityId: string | null,
  outcome: string,
  fields: string,
  actorKind: string,
  prevHash: string,
  hash: string,
  /** issue 14a: FHIR AuditEvent.purposeOfEvent ('BTG') or null. */
  purposeOfEvent: string | null,
];

/** Optional filters for an export; null means "any". Times are ISO instants compared as text (UTC 'Z'). */
export interface AuditFilter {
  entityType: string | null;
  entityId: string | null;
  from: string | null;
  to: string | null;
}

/** Actions shown in a staff member's own account activity. */
const ACCOUNT_ACTIONS = `('sign-in', 'failed-sign-in', 'sign-out', 'lock', 'unlock')`;
const FILTER = `(@entityType IS NULL OR entity_type = @entityType) AND (@entityId IS NULL OR entity_id = @entityId)
  AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at <= @to)`;

/** A pulled audit event kept (named parameters: AuditRow's keys); also run per page over JSON rows (sync/pull-rows.ts). */
export const AUDIT_REMOTE_UPSERT_SQL = `INSERT OR IGNORE INTO audit_remote (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
  fields, actor_kind, purpose_of_event)
VALUES (@id, @at, @staff_id, @role, @device_id, @action, @entity_type, @entity_id, @outcome, @fields, @actor_kind,
  @purpose_of_event)`;

/** Raw access to the append-only tables; hashing and verification live in src-main/audit. */
export class AuditRepo {
  private readonly appendStmt;
  private readonly lastStmt;
  private readonly iterateStmt;
  private readonly chainStmt;
  private readonly hashExistsStmt;
  private readonly countStmt;
  private readonly localForEntityStmt;
  private readonly indexedThroughStmt;
  private readonly lastSeqStmt;
  private readonly indexTailStmt;
  private readonly setIndexedThroughStmt;
  private readonly indexIdTailStmt;
  private readonly indexAtTailStmt;
  private readonly indexDevicesTailStmt;
  private readonly remoteForEntityStmt;
  private readonly upsertRemoteStmt;
  private readonly localActivityStmt;
  private readonly remoteActivityStmt;
  private readonly byIdStmt;
  private readonly localFilteredStmt;
  private readonly remoteFilteredStmt;
  constructor(db: Database) {
    this.appendStmt = db.prepare(
      `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields,
         actor_kind, prev_hash, hash, purpose_of_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.lastStmt = db.prepare<[], { hash: string }>(
      'SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    this.iterateStmt = db.prepare<[], LocalAuditRow>('SELECT * FROM audit_events ORDER BY seq');
    this.chainStmt = db
      .prepare<[], ChainTuple>(
        // Pruned events (migration 4) come back as link-only tombstones: id NULL, prev_hash and hash kept.
        `SELECT id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields, actor_kind,
           prev_hash, hash, purpose_of_event FROM (
             SELECT seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields,
               actor_kind, prev_hash, hash, purpose_of_event FROM audit_events
             UNION ALL
             SELECT seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, prev_hash, hash, NULL
               FROM audit_pruned)
         ORDER BY seq`,
      )
      .raw(true);
    // No index on hash: this runs once, only after verification already found a broken link.
    this.hashExistsStmt = db.prepare<{ hash: string }, { one: number }>(
      `SELECT 1 AS one FROM audit_events WHERE hash = @hash
       UNION ALL SELECT 1 FROM audit_pruned WHERE hash = @hash LIMIT 1`,
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_events');
    // Indexed events by the index table, the tail after its watermark by a scan of the tail (migration 020).
    this.localForEntityStmt = db.prepare<{ t: string; id: string; limit: number }, LocalAuditRow>(
      `SELECT * FROM (
         SELECT e.* FROM audit_entity_index x JOIN audit_events e ON e.seq = x.seq
           WHERE x.entity_type = @t AND x.entity_id = @id
         UNION ALL
         SELECT * FROM audit_events
           WHERE seq > (SELECT through FROM audit_entity_indexed) AND entity_type = @t AND entity_id = @id)
       ORDER BY at DESC, id DESC LIMIT @limit`,
    );
    this.lastSeqStmt = db.prepare<[], number>('SELECT max(seq) FROM audit_events').pluck();
    this.indexedThroughStmt = db
      .prepare<[], number>('SELECT through FROM audit_entity_indexed WHERE one = 1')
      .pluck();
    this.indexTailStmt = db.prepare(
      `INSERT INTO audit_entity_index (entity_type, entity_id, seq)
         SELECT entity_type, entity_id, seq FROM audit_events
         WHERE seq > @through AND seq <= @upto AND entity_id IS NOT NULL ORDER BY 1, 2, 3`,
    );
    // The look-up by id (migration 021), same batches and watermark. OR IGNORE: an id written twice (never by this
    // code: UUIDv7 ids) must not stop the index for every later event; byId then finds the first.
    this.indexIdTailStmt = db.prepare(
      `INSERT OR IGNORE INTO audit_id_index (id, seq)
         SELECT id, seq FROM audit_events WHERE seq > @through AND seq <= @upto ORDER BY id`,
    );
    this.indexAtTailStmt = db.prepare(
      `INSERT OR IGNORE INTO audit_at_index (at, id, seq)
         SELECT at, id, seq FROM audit_events WHERE seq > @through AND seq <= @upto ORDER BY 1, 2, 3`,
    );
    this.indexDevicesTailStmt = db.prepare(
      `INSERT OR IGNORE INTO audit_devices (device_id)
         SELECT DISTINCT device_id FROM audit_events WHERE seq > @through AND seq <= @upto`,
    );
    this.setIndexedThroughStmt = db.prepare(
      `UPDATE audit_entity_indexed SET through = min(@upto, coalesce((SELECT max(seq) FROM audit_events), through))
       WHERE one = 1`,
    );
    this.remoteForEntityStmt = db.prepare<[string, string, number], AuditRow>(
      'SELECT * FROM audit_remote WHERE entity_type = ? AND entity_id = ? ORDER BY at DESC, id DESC LIMIT ?',
    );
    this.upsertRemoteStmt = db.prepare(AUDIT_REMOTE_UPSERT_SQL);
    this.localActivityStmt = db.prepare<[string, number], LocalAuditRow>(
      `SELECT * FROM audit_events WHERE staff_id = ? AND action IN ${ACCOUNT_ACTIONS}
       ORDER BY at DESC, id DESC LIMIT ?`,
    );
    this.remoteActivityStmt = db.prepare<[string, number], AuditRow>(
      `SELECT * FROM audit_remote WHERE staff_id = ? AND action IN ${ACCOUNT_ACTIONS}
       ORDER BY at DESC, id DESC LIMIT ?`,
    );
    // By the id index table up to its watermark, else a scan of the tail after it (migration 021).
    this.byIdStmt = db.prepare<{ id: string }, LocalAuditRow>(
      `SELECT * FROM (
         SELECT e.* FROM audit_id_index x JOIN audit_events e ON e.seq = x.seq WHERE x.id = @id
         UNION ALL
         SELECT * FROM audit_events WHERE seq > (SELECT through FROM audit_entity_indexed) AND id = @id)
       ORDER BY seq LIMIT 1`,
    );
    this.localFilteredStmt = db.prepare<[AuditFilter], LocalAuditRow>(
      `SELECT * FROM audit_events WHERE ${FILTER} ORDER BY seq`,
    );
    this.remoteFilteredStmt = db.prepare<[AuditFilter], AuditRow>(
      `SELECT * FROM audit_remote WHERE ${FILTER} ORDER BY at, id`,
    );
  }
  /** Append one event; returns its seq. */
  append(row: LocalAuditRow | Omit<LocalAuditRow, 'seq'>): number {
    // Positional parameters: 6.1-6.4 µs per insert against 8.7 µs named (session 10, 5,000 inserts in one
    // transaction on a test store); every audited call appends one or two.
    return Number(
      this.appendStmt.run(
        row.id,
        row.at,
        row.staff_id,
        row.role,
        row.device_id,
        row.action,
        row.entity_type,
        row.entity_id,
        row.outcome,
        row.fields,
        row.actor_kind,
        row.prev_hash,
        row.hash,
        row.purpose_of_event ?? null,
      ).lastInsertRowid,
    );
  }
  /**
   * Append one event of this device's chain as `AuditLog` builds it (the same row as `append(auditRowOf(record,
   * fieldsJson))`, without the intermediate row object: the audited calls' hot path, session 10); returns its seq.
   */
  appendRecord(record: AuditRecord, fieldsJson: string): number {
    return Number(
      this.appendStmt.run(
        record.id,
        record.at,
        record.staffId,
        record.role,
        record.deviceId,
        record.action,
        record.entityType,
        record.entityId,
        record.outcome,
        fieldsJson,
        record.actorKind,
        record.prevHash,
        record.hash,
        record.purposeOfEvent ?? null,
      ).lastInsertRowid,
    );
  }
  /** The seq up to which `audit_entity_index` lists every event by record (migration 020). */
  entityIndexedThrough(): number {
    return this.indexedThroughStmt.get() ?? 0;
  }
  /**
   * Add the events after the watermark (at most `limit` seqs of them; default all) to `audit_entity_index`,
   * `audit_id_index`, `audit_at_index` and `audit_devices` (migration 021) and move
   * the watermark past them, in the caller's transaction (migration 020). Returns how many index rows were
   * written.
   */
  indexEntityTail(limit: number = Number.MAX_SAFE_INTEGER): number {
    const through = this.entityIndexedThrough();
    const upto = through + limit;
    const n = this.indexTailStmt.run({ through, upto }).changes;
    this.indexIdTailStmt.run({ through, upto });
    this.indexAtTailStmt.run({ through, upto });
    this.indexDevicesTailStmt.run({ through, upto });
    this.setIndexedThroughStmt.run({ upto });
    return n;
  }
  /** The newest event's seq (0 for an empty log). */
  lastSeq(): number {
    return this.lastSeqStmt.get() ?? 0;
  }
  lastHash(): string | null {
    return this.lastStmt.get()?.hash ?? null;
  }
  iterate(): IterableIterator<LocalAuditRow> {
    return this.iterateStmt.iterate();
  }
  /** Local events in seq order as tuples; the connection is busy until the iterator ends or is returned. */
  iterateChain(): IterableIterator<ChainTuple> {
    return this.chainStmt.iterate();
  }
  hashExists(hash: string): boolean {
    return this.hashExistsStmt.get({ hash }) !== undefined;
  }
  count(): number {
    return this.countStmt.get()!.n;
  }
  /** This device's event with this id, or null (migration 021: the id index table, then the tail). */
  byId(id: string): LocalAuditRow | null {
    return this.byIdStmt.get({ id }) ?? null;
  }
  /** Newest first, at most `limit`. */
  localForEntity(entityType: string, entityId: string, limit: number): LocalAuditRow[] {
    return this.localForEntityStmt.all({ t: entityType, id: entityId, limit });
  }
  /** Newest first, at most `limit`. */
  remoteForEntity(entityType: string, entityId: string, limit: number): AuditRow[] {
    return this.remoteForEntityStmt.all(entityType, entityId, limit);
  }
  /** Idempotent: an id already stored is left as it is. */
  upsertRemote(row: AuditRow): void {
    this.upsertRemoteStmt.run({ ...row, purpose_of_event: row.purpose_of_event ?? null });
  }
  /** Sign-in, failed sign-in, sign-out, lock and unlock of one staff member, newest first. */
  accountActivity(staffId: string, limit: number): { local: LocalAuditRow[]; remote: AuditRow[] } {
    return {
      local: this.localActivityStmt.all(staffId, limit),
      remote: this.remoteActivityStmt.all(staffId, limit),
    };
  }
  localFiltered(filter: AuditFilter): IterableIterator<LocalAuditRow> {
    return this.localFilteredStmt.iterate(filter);
  }
  remoteFiltered(filter: AuditFilter): IterableIterator<AuditRow> {
    return this.remoteFilteredStmt.iterate(filter);
  }
}
