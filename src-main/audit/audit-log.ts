/**
 * This device's tamper-evident audit log, merged with the server's events for display (DESIGN.md §7).
 *
 * Verification names the first event where the stored log disagrees with its chain, walking in seq order:
 * - 'hash-mismatch': the event's own content no longer hashes to its stored hash (a field was altered);
 * - 'link-mismatch': its prevHash is not the previous row's hash and no event in the log has that hash,
 *   so the predecessor is gone (an event was removed);
 * - 'order-mismatch': its prevHash is not the previous row's hash but is the hash of an event still in the
 *   log (or the genesis hash, away from the first row), so events are present but out of order.
 * Content is checked before the link, so an edited prevHash is reported as altered content.
 * Limit: removing the newest events leaves a valid shorter chain; the server's synced copy is the anchor for
 * that (every event is pushed from the log by seq, store/repos/audit-push.ts).
 */
import type { AuditAction, AuditEntityType, AuditRecord, Role } from '../../src-shared/domain';
import type { PulledAuditRecord } from '../../src-shared/sync';
import type { AuditEntryView, VerifyResult } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { AuditRow } from '../store/repos/audit';
import { rebuildableTransaction } from '../store/durability';
import type { Store } from '../store/store';
import { GENESIS_HASH, chainHash, tupleHash } from './chain';
import { toFhirBundle, type ExportEvent } from './fhir';

export interface AuditActor {
  staffId: string | null;
  role: Role | null;
}

export interface AuditEventInput {
  action: AuditAction;
  entityType: AuditEntityType;
  entityId: string | null;
  outcome: 'success' | 'failure';
  /** Names of changed fields (never values). */
  fields?: readonly string[];
  /** Defaults to 'staff' when the actor has a staff id, else 'system'. */
  actorKind?: 'staff' | 'system';
  /** issue 14a: 'BTG' for an access under emergency access (FHIR AuditEvent.purposeOfEvent). */
  purposeOfEvent?: 'BTG';
}

export interface AuditExportFilter {
  entityType?: AuditEntityType;
  entityId?: string;
  /** Inclusive ISO instants. */
  from?: string;
  to?: string;
}

/** Display names of the backend's own device ids (AuditRecord.deviceId). */
export const SERVER_DEVICE_NAMES: Readonly<Record<string, string>> = {
  server: 'Portal backend',
  portal: 'Patient portal',
};

/** Most entries a trail or the account activity shows; the server holds the complete history. */
export const TRAIL_LIMIT = 500;
export const ACTIVITY_LIMIT = 200;

// Same bounds as AuditRecord in src-shared/domain.ts, so a recorded event is never rejected at push.
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_FIELDS = 64;
const MAX_ID = 64;

/**
 * The per-record index table of the log (migration 020) is filled after the audited calls, never in their own
 * commits while the tail is short: from ENTITY_INDEX_BATCH unindexed events a flush is scheduled for after the
 * call, in steps of at most ENTITY_INDEX_STEP events, each its own commit (`rebuildableTransaction`) and its own
 * task, so a step holds the event loop for a few ms (measured: 256 events in one step took 16–20 ms and 330 pages
 * at load 6, as many pages per event as one entry per commit: the work is moved off the call, not reduced). At
 * ENTITY_INDEX_CAP the call's own commit indexes the whole tail, so the tail a trail query scans stays bounded
 * even when nothing yields between calls (a tight loop such as the bench's).
 */
export const ENTITY_INDEX_BATCH = 64;
export const ENTITY_INDEX_STEP = 128;
export const ENTITY_INDEX_CAP = 2048;

type Sourced = { row: AuditRow; source: 'local' | 'server' };

type Unchained = Omit<AuditRecord, 'prevHash' | 'hash'>;

/** The chain head kept in memory was not the log's last event: the append is undone and chained from the log. */
class StaleHead extends Error {}

export class AuditLog {
  private readonly appendTx: (batch: readonly { event: Unchained; fieldsJson: string }[]) => AuditRecord[];

  private readonly indexFollowers: (() => void)[] = [];

  /** A flush of the per-record index is scheduled (ENTITY_INDEX_BATCH). */
  private flushScheduled = false;

  /**
   * The chain's head (the newest event's seq and hash) as this log last committed it, so an append chains from
   * memory instead of reading the log's last hash (session 10, issue 16 §3: that read was 4.8 µs per call in
   * bench/profile-router.ts, 2.8 µs alone; checking PRAGMA data_version instead would cost 2.0 µs). Checked by the
   * first append's seq, which must be head + 1: any event appended since, by another AuditLog or another
   * connection, moves the log's end (rows cannot be deleted: triggers), so the attempt is undone (its savepoint)
   * and chained from the log. Not kept after an append nested in a caller's transaction (it may roll back) or a
   * failed one; a new AuditLog (a reopened store) starts from the log. An event replaced below the API (triggers
   * dropped) is not chained onto: the next event links to the event this log committed, so verify() names the
   * gap.
   */
  private head: { seq: number; hash: string } | null = null;
  /** The head the last appendOnce wrote (committed or not). */
  private written: { seq: number; hash: string } | null = null;

  /**
   * @param later runs a task after the current call has returned (default setImmediate): the per-record index
   * flush (ENTITY_INDEX_BATCH).
   */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deviceId: () => string,
    private readonly later: (task: () => void) => void = (task) => void setImmediate(task),
  ) {
    // Built once: the transaction wrapper and the repos' statements are reused for every event (hot path).
    // Nested in a caller's transaction it becomes a savepoint and rolls back with the caller's change. A batch
    // (a list read's per-record events) chains in memory: one savepoint, not one per event.
    const appendOnce = (batch: readonly { event: Unchained; fieldsJson: string }[]): AuditRecord[] => {
      const head = this.head;
      let prevHash = head !== null ? head.hash : (store.audit.lastHash() ?? GENESIS_HASH);
      const out: AuditRecord[] = [];
      let seq = 0;
      for (const { event, fieldsJson } of batch) {
        const hash = chainHash({ ...event, fieldsJson, prevHash });
        const record: AuditRecord = { ...event, prevHash, hash };
        // Written once: the push reads it from the log by seq (store/repos/audit-push.ts, issue 16).
        seq = store.audit.appendRecord(record, fieldsJson);
        // The head in memory was not the log's last event (an append through another AuditLog, or by another
        // connection): undo this attempt (its savepoint) and chain from the log.
        if (head !== null && out.length === 0 && seq !== head.seq + 1) throw new StaleHead();
        out.push(record);
        prevHash = hash;
      }
      const tail = seq - store.audit.entityIndexedThrough();
      if (tail >= ENTITY_INDEX_CAP) store.audit.indexEntityTail();
      else if (tail >= ENTITY_INDEX_BATCH) this.scheduleIndexFlush();
      this.written = { seq, hash: prevHash };
      return out;
    };
    const tx = store.db.transaction(appendOnce);
    this.appendTx = (batch) => {
      const nested = store.db.inTransaction;
      this.written = null;
      let out: AuditRecord[];
      try {
        out = tx(batch);
      } catch (error) {
        this.head = null;
        if (!(error instanceof StaleHead)) throw error;
        out = tx(batch);
      }
      // Kept only once committed: a caller's transaction (nested) may still roll the events back.
      this.head = nested ? null : this.written;
      return out;
    };
  }

  /**
   * Bring the per-record index table up to the newest event now (or `limit` seqs further), migration 020, in its
   * own commit without an fsync (derived rows: `rebuildableTransaction`); inside a caller's transaction, as part
   * of it. Returns how many index rows were written.
   */
  flushEntityIndex(limit?: number): number {
    return rebuildableTransaction(this.store.db, () => {
      const n = this.store.audit.indexEntityTail(limit);
      for (const follow of this.indexFollowers) follow();
      return n;
    });
  }

  /**
   * Other data derived from the log that keeps up with the per-record index's batches, run in each batch's commit
   * (session 9: the seen marks' watermark, src-main/inbox/seen-marks.ts).
   */
  followIndex(follow: () => void): void {
    this.indexFollowers.push(follow);
  }

  private scheduleIndexFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.later(() => {
      this.flushScheduled = false;
      const db = this.store.db;
      if (!db.open) return;
      // Still inside someone's transaction (an await between statements): the next event schedules it again.
      if (db.inTransaction) return;
      try {
        this.flushEntityIndex(ENTITY_INDEX_STEP);
        // More left: the next step in a task of its own (calls that arrive meanwhile go first).
        if (this.store.audit.lastSeq() > this.store.audit.entityIndexedThrough()) this.scheduleIndexFlush();
      } catch {
        // Derived rows only: the tail stays longer and the next batch (or the cap) writes them.
      }
    });
  }

  /** Append one event to the chain (pushed to the server from the log), in one transaction. */
  record(actor: AuditActor, event: AuditEventInput): AuditRecord {
    return this.recordMany(actor, [event])[0]!;
  }

  /**
   * Append several events of one actor, in order, in one transaction (all or none), each pushed to the
   * server from the log. Throws RangeError (naming the rule, never the value) before writing anything if one is malformed.
   */
  recordMany(actor: AuditActor, events: readonly AuditEventInput[]): AuditRecord[] {
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    const deviceId = this.deviceId();
    const batch = events.map((event) => {
      const fields = event.fields ? [...event.fields] : [];
      // Messages name the rule, never the offending value (it could be patient data).
      if (fields.length > MAX_FIELDS) throw new RangeError('audit: too many field names');
      for (const f of fields) {
        if (!FIELD_NAME.test(f)) throw new RangeError('audit: a field name is not a plain identifier');
      }
      if (event.entityId !== null && (event.entityId.length === 0 || event.entityId.length > MAX_ID)) {
        throw new RangeError('audit: entity id length out of range');
      }
      return {
        event: {
          id: uuidv7(now),
          at,
          staffId: actor.staffId,
          role: actor.role,
          deviceId,
          action: event.action,
          entityType: event.entityType,
          entityId: event.entityId,
          outcome: event.outcome,
          fields,
          actorKind: event.actorKind ?? (actor.staffId !== null ? 'staff' : 'system'),
          ...(event.purposeOfEvent ? { purposeOfEvent: event.purposeOfEvent } : {}),
          version: 0,
        } satisfies Unchained,
        fieldsJson: JSON.stringify(fields),
      };
    });
    return batch.length === 0 ? [] : this.appendTx(batch);
  }

  /** Walk the local log in seq order and name the first event that breaks the chain. */
  verify(): VerifyResult {
    let expectedPrev = GENESIS_HASH;
    let count = 0;
    let bad: { id: string; prevHash: string; reason: 'hash-mismatch' | 'link' } | null = null;
    for (const t of this.store.audit.iterateChain()) {
      const prevHash = t[11];
      if ((t[0] as string | null) === null) {
        // A pruned event's tombstone (checkpoint.ts): its content was verified before it was pruned; the link
        // from its predecessor and to its successor still has to hold.
        if (prevHash !== expectedPrev) {
          bad = { id: `pruned:${count}`, prevHash, reason: 'link' };
          break;
        }
        expectedPrev = t[12];
        count++;
        continue;
      }
      const hash = tupleHash(t);
      if (hash !== t[12]) {
        bad = { id: t[0], prevHash, reason: 'hash-mismatch' };
        break;
      }
      if (prevHash !== expectedPrev) {
        bad = { id: t[0], prevHash, reason: 'link' };
        break;
      }
      expectedPrev = t[12];
      count++;
    }
    if (bad === null) return { ok: true, count };
    // The iterator is closed by the break above, so the connection is free for these lookups.
    let reason: 'hash-mismatch' | 'link-mismatch' | 'order-mismatch' = 'hash-mismatch';
    if (bad.reason === 'link') {
      const predecessorPresent = bad.prevHash === GENESIS_HASH || this.store.audit.hashExists(bad.prevHash);
      reason = predecessorPresent ? 'order-mismatch' : 'link-mismatch';
    }
    return { ok: false, count: this.store.audit.count(), firstBadEventId: bad.id, reason };
  }

  /**
   * Keep an event pulled from the server (other desks, the portal, the backend, and this device's own events
   * coming back). Idempotent by id. The caller has validated it (sync validates every server answer).
   */
  applyRemote(record: PulledAuditRecord): void {
    this.store.audit.upsertRemote({
      id: record.id,
      at: record.at,
      staff_id: record.staffId,
      role: record.role,
      device_id: record.deviceId,
      action: record.action,
      entity_type: record.entityType,
      entity_id: record.entityId,
      outcome: record.outcome,
      fields: JSON.stringify(record.fields),
      actor_kind: record.actorKind,
      purpose_of_event: record.purposeOfEvent ?? null,
    });
  }

  /** Who saw or changed this record: local and server events merged by id, newest first. */
  trail(entityType: AuditEntityType, entityId: string): AuditEntryView[] {
    const a = this.store.audit;
    return this.toViews(
      merge(
        a.localForEntity(entityType, entityId, TRAIL_LIMIT),
        a.remoteForEntity(entityType, entityId, TRAIL_LIMIT),
      ),
      TRAIL_LIMIT,
    );
  }

  /** A staff member's own sign-in history (sign-in, failed sign-in, sign-out, lock, unlock), newest first. */
  accountActivity(staffId: string): AuditEntryView[] {
    const { local, remote } = this.store.audit.accountActivity(staffId, ACTIVITY_LIMIT);
    // The backend records its own event for each sign-in it answers; on this PC the console's own record of
    // the same attempt is already there, so the backend's copy for this device would show every sign-in twice.
    const self = this.deviceId();
    const localIds = new Set(local.map((e) => e.id));
    const others = remote.filter((e) => e.device_id !== self || localIds.has(e.id));
    return this.toViews(merge(local, others), ACTIVITY_LIMIT);
  }

  /**
   * A FHIR R4 Bundle (collection) of AuditEvent resources, oldest first, as JSON text. Carries ids, staff and
   * device names and field names only: no patient data. The caller records the export itself.
   */
  exportFhir(filter: AuditExportFilter): string {
    const f = {
      entityType: filter.entityType ?? null,
      entityId: filter.entityId ?? null,
      from: filter.from !== undefined ? normalizeInstant(filter.from) : null,
      to: filter.to !== undefined ? normalizeInstant(filter.to) : null,
    };
    const byId = new Map<string, ExportEvent>();
    const names = this.nameResolver();
    for (const r of this.store.audit.remoteFiltered(f))
      byId.set(r.id, { ...names.view(r, 'server'), staffId: r.staff_id, chain: null });
    // Local rows win: they carry the hash chain, which lets a reader check the export against the device.
    for (const r of this.store.audit.localFiltered(f)) {
      const source = byId.has(r.id) ? 'server' : 'local';
      byId.set(r.id, {
        ...names.view(r, source),
        staffId: r.staff_id,
        chain: { prevHash: r.prev_hash, hash: r.hash },
      });
    }
    const events = [...byId.values()].sort((x, y) => compareAt(x, y));
    const now = this.clock.now();
    return JSON.stringify(toFhirBundle(events, { id: uuidv7(now), timestamp: new Date(now).toISOString() }));
  }

  /** A describer of stored rows as display views; names are looked up once per describer (one answer). */
  describer(): (row: AuditRow, source: 'local' | 'server') => AuditEntryView {
    return this.nameResolver().view;
  }

  private toViews(rows: Sourced[], limit: number): AuditEntryView[] {
    const names = this.nameResolver();
    return rows
      .map(({ row, source }) => names.view(row, source))
      .sort((x, y) => compareAt(y, x))
      .slice(0, limit);
  }

  /** Staff and device names, looked up once per name for one answer. */
  private nameResolver(): { view: (r: AuditRow, source: 'local' | 'server') => AuditEntryView } {
    const staff = new Map<string, string>();
    const devices = new Map<string, string>();
    const staffName = (id: string): string => {
      let name = staff.get(id);
      if (name === undefined) {
        // An id not (yet) synced still attributes the event; better than a blank.
        name = this.store.staff.byId(id)?.displayName ?? id;
        staff.set(id, name);
      }
      return name;
    };
    const deviceName = (id: string): string => {
      let name = devices.get(id);
      if (name === undefined) {
        name = SERVER_DEVICE_NAMES[id] ?? this.store.devices.nameOf(id) ?? id;
        devices.set(id, name);
      }
      return name;
    };
    return {
      view: (r, source) => ({
        id: r.id,
        at: r.at,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        outcome: r.outcome,
        fields: parseFields(r.fields),
        actorKind: r.actor_kind,
        // A patient's id is never turned into a name here (no PHI in the trail).
        staffName: r.staff_id !== null && r.actor_kind !== 'patient' ? staffName(r.staff_id) : null,
        role: r.role,
        deviceId: r.device_id,
        deviceName: deviceName(r.device_id),
        source,
        ...(r.purpose_of_event ? { purposeOfEvent: r.purpose_of_event } : {}),
      }),
    };
  }
}

/** Local and server rows by id; an event the server has sent back counts as 'server' (confirmed). */
function merge(local: readonly AuditRow[], remote: readonly AuditRow[]): Sourced[] {
  const byId = new Map<string, Sourced>();
  for (const row of remote) byId.set(row.id, { row, source: 'server' });
  for (const row of local) byId.set(row.id, { row, source: byId.has(row.id) ? 'server' : 'local' });
  return [...byId.values()];
}

/** Chronological by instant (offsets allowed in server times), then by id (UUIDv7 ids sort by creation). */
function compareAt(x: { at: string; id: string }, y: { at: string; id: string }): number {
  const d = Date.parse(x.at) - Date.parse(y.at);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
}

function parseFields(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    // Altered rows still display; verify() reports them.
    return [];
  }
}

/** Stored times are toISOString() text, so filters are compared in the same form. */
function normalizeInstant(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError('audit: export time is not an ISO instant');
  return new Date(t).toISOString();
}
