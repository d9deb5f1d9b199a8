/**
 * The read side of sync (DESIGN.md §5): validate a pulled batch, then apply it and advance the cursor in ONE
 * transaction, so a crash mid-batch leaves the store at the previous cursor with none of the batch applied.
 */
import type { z } from 'zod';
import { type Change, type EntityName, PullResponse, type PulledAuditRecord } from '../../src-shared/sync';
import type { BulkLoad } from '../store/bulk-load';
import type { AuditRow } from '../store/repos/audit';
import type { Store } from '../store/store';
import { pullExtras } from './pull-extras';
import { applyPullRows, changesOfRows, pullRows, recordsOfRows, ROW_ENTITIES, rowCount } from './pull-rows';

export const CURSOR_KEY = 'cursor';
/** Entities a pull writes even while a local change to the same id waits (issue 13 §4/§5; audit: append-only). */
const UNGUARDED = new Set<EntityName>(['audit', 'series', 'waitlist']);
export const LAST_SYNCED_KEY = 'lastSyncedAt';
/** During a long pull, the search index is refreshed once this many threads changed (see applyPullBatch). */
const SEARCH_REFRESH_EVERY = 5000;

/**
 * Called for each pulled audit event (inside the batch's transaction); src-main/audit can merge it its way. Its
 * chain hashes may be absent (a pull asks for them to be left out: PULL_LEAN_HEADER).
 */
export type AuditRecordHandler = (record: PulledAuditRecord) => void;

/** A server answer that failed validation: nothing of it was written. The message names paths, never values. */
export class SyncProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncProtocolError';
  }
}

/** Validate any server answer with its zod schema; the error names the offending paths only (values may be PHI). */
export function validateAnswer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`)
    .join('; ');
  throw new SyncProtocolError(`The server sent an invalid ${what} (${where}).`);
}

export const parsePullResponse = (json: unknown): PullResponse =>
  validateAnswer(PullResponse, json, 'pull answer');

export function auditRowOf(r: PulledAuditRecord): AuditRow {
  return {
    id: r.id,
    at: r.at,
    staff_id: r.staffId,
    role: r.role,
    device_id: r.deviceId,
    action: r.action,
    entity_type: r.entityType,
    entity_id: r.entityId,
    outcome: r.outcome,
    fields: JSON.stringify(r.fields),
    actor_kind: r.actorKind,
    purpose_of_event: r.purposeOfEvent ?? null,
  };
}

export const defaultAuditHandler =
  (store: Store): AuditRecordHandler =>
  (record) =>
    store.audit.upsertRemote(auditRowOf(record));

/** Write one validated server record (or its deletion) into the store. Call inside a transaction. */
export function applyChange(store: Store, change: Change, onAudit: AuditRecordHandler): void {
  switch (change.entity) {
    case 'staff':
      if (change.data) store.staff.upsert(change.data);
      else store.staff.delete(change.id);
      return;
    case 'provider':
      if (change.data) store.providers.upsert(change.data);
      else store.providers.delete(change.id);
      return;
    case 'patient':
      if (change.data) store.patients.upsert(change.data);
      else store.patients.delete(change.id);
      return;
    case 'thread':
      if (change.data) store.threads.upsert(change.data);
      else store.threads.delete(change.id);
      return;
    case 'message':
      if (change.data) store.messages.upsert(change.data);
      else store.messages.delete(change.id);
      return;
    case 'attachment':
      if (change.data) store.messages.upsertAttachment(change.data);
      else store.messages.deleteAttachment(change.id);
      return;
    case 'appointment':
      if (change.data) store.appointments.upsert(change.data);
      else store.appointments.delete(change.id);
      return;
    case 'audit':
      // Audit events are append-only everywhere: a "delete" of one is ignored, never obeyed.
      if (change.data) onAudit(change.data);
      return;
    case 'device':
      // Names only: which device is this PC is known locally and never taken from the server.
      if (change.data) store.devices.upsert(change.data.id, change.data.name);
      return;
    case 'location':
      if (change.data) store.locations.upsert(change.data);
      else store.locations.delete(change.id);
      return;
    case 'visitType':
      if (change.data) store.visitTypes.upsert(change.data);
      else store.visitTypes.delete(change.id);
      return;
    case 'pool':
      if (change.data) store.pools.upsert(change.data);
      else store.pools.delete(change.id);
      return;
    // issue 13 §4/§5
    case 'series':
      if (change.data) store.series.upsert(change.data);
      else store.series.delete(change.id);
      return;
    case 'waitlist':
      if (change.data) store.waitlist.upsert(change.data);
      else store.waitlist.delete(change.id);
      return;
    case 'availabilityTemplate':
      if (change.data) store.availability.upsertTemplate(change.data);
      else store.availability.deleteTemplate(change.id);
      return;
    case 'availabilityException':
      if (change.data) store.availability.upsertException(change.data);
      else store.availability.deleteException(change.id);
      return;
    // session 4, 14c: coverage, clinic settings, pool templates
    case 'absence':
      if (change.data) store.coverage.upsertAbsence(change.data);
      else store.coverage.deleteAbsence(change.id);
      return;
    case 'clinicSettings':
      if (change.data) store.coverage.setClinicSettings(change.data);
      else store.coverage.deleteClinicSettings(change.id);
      return;
    case 'poolTemplate':
      if (change.data) store.coverage.upsertPoolTemplate(change.data);
      else store.coverage.deletePoolTemplate(change.id);
      return;
  }
}

/**
 * The local version of a thread, appointment or message, or null when not held (other entities: null).
 * Used to keep an answer that left the server earlier (a record fetched by id, a push answer's `current`)
 * from overwriting a newer version a pull wrote meanwhile.
 */
function localVersion(store: Store, change: Change): number | null {
  switch (change.entity) {
    case 'thread':
      return store.threads.byId(change.id)?.version ?? null;
    case 'appointment':
      return store.appointments.byId(change.id)?.version ?? null;
    case 'message': {
      const row = store.db
        .prepare<[string], { version: number }>('SELECT version FROM messages WHERE id = ?')
        .get(change.id);
      return row?.version ?? null;
    }
    default:
      return null;
  }
}

/**
 * applyChange for a record read outside the pull's order (issue 12 review: a late fetch answer): never writes
 * an older version over a newer one already held. A deletion (data null) is applied as is.
 */
export function applyUnlessOlder(store: Store, change: Change, onAudit: AuditRecordHandler): boolean {
  const data = change.data as { version?: number } | null;
  if (data && typeof data.version === 'number') {
    const held = localVersion(store, change);
    if (held !== null && held > data.version) return false;
  }
  applyChange(store, change, onAudit);
  return true;
}

export interface ApplyResult {
  applied: number;
  /** Changes not written because a local change to the same record waits in the outbox. */
  skipped: number;
  entities: EntityName[];
  cursor: string;
}

/**
 * Apply a validated batch and advance the cursor atomically. A record with a pending outbox row is not
 * overwritten: the local change is pushed first. The skipped server record is kept as the record's server
 * image (src-main/sync/server-images.ts) and shown again if the local change ends unapplied, so the cursor
 * never moves past data the console then loses.
 */
export function applyPullBatch(
  store: Store,
  batch: PullResponse,
  options: {
    /**
     * Told each pulled audit event instead of the default handler (the row written as is). With a handler of its
     * own, a page's audit events are handed over after the page's other records, not in page order (session 9:
     * the other records go in as JSON rows, src-main/sync/pull-rows.ts); the product passes none.
     */
    onAuditRecord?: AuditRecordHandler;
    nowIso?: string;
    /** The bulk load this batch is part of (issue 16 §2), told the message bodies written. */
    bulk?: Pick<BulkLoad, 'noteSearchWords' | 'noteCommitted' | 'markLoaded'> | null;
  } = {},
): ApplyResult {
  const onAudit = options.onAuditRecord ?? defaultAuditHandler(store);
  const entities = new Set<EntityName>();
  let applied = 0;
  let skipped = 0;
  const bodies: string[] | null = options.bulk ? [] : null;
  // The page's threads, messages, appointments and audit events as JSON rows, when the worker split them off
  // (pull-rows.ts, session 9: one statement per entity instead of one per record).
  const rows = pullRows.get(batch) ?? null;
  // Without an fsync: a power cut that loses this commit loses the cursor's move with it, so the batch is pulled
  // again (src-main/store/durability.ts). Every commit with an audit event or an outbox row stays durable.
  store.repullableTransaction(() => {
    const pending = store.outbox.count() > 0 ? store.outbox.pendingEntityIds() : null;
    // The rows go in SQL only when every record of them is written as it comes (no local change waits);
    // otherwise they are changes again, on the per-record path below.
    const inSql = rows !== null && pending === null;
    const changes = rows === null || inSql ? batch.changes : [...batch.changes, ...changesOfRows(rows)];
    for (const change of changes) {
      // Series and waitlist entries have no server image (server-images.ts): the server's record is shown at
      // once, and a refused local change to one is undone from the push answer (series-waitlist settle).
      if (pending !== null && pending.has(change.id) && !UNGUARDED.has(change.entity)) {
        // Not lost: kept as the record's server image, shown if the local change ends unapplied.
        if (change.entity === 'appointment' || change.entity === 'thread') store.syncShadows.put(change);
        skipped++;
        continue;
      }
      applyChange(store, change, onAudit);
      if (bodies !== null && change.entity === 'message' && change.data) bodies.push(change.data.body);
      entities.add(change.entity);
      applied++;
    }
    let rowMessages = 0;
    if (inSql) {
      // Audit events in SQL only with the default handler (which writes exactly that row); else one by one.
      const ownAudit = options.onAuditRecord !== undefined && rows.json.audit !== undefined;
      applyPullRows(store, ownAudit ? { ...rows, json: { ...rows.json, audit: undefined } } : rows);
      if (ownAudit)
        for (const r of recordsOfRows(rows, 'audit') as unknown as PulledAuditRecord[]) onAudit(r);
      for (const entity of ROW_ENTITIES) if (rows.counts[entity]) entities.add(entity);
      applied += rowCount(rows);
      rowMessages = rows.counts.message ?? 0;
    }
    if (bodies !== null) {
      // The worker's words when they are of exactly the bodies written (none skipped for a pending local change).
      const extras = pullExtras.get(batch);
      const written = bodies.length + rowMessages;
      if (extras?.messages !== written && rowMessages > 0)
        for (const m of recordsOfRows(rows!, 'message')) bodies.push(m.body as string);
      options.bulk!.noteSearchWords(
        bodies,
        extras?.messages === written ? extras.messageWords : undefined,
        written,
      );
    }
    // Re-index changed threads for search in bulk rather than row by row: while more batches follow, only once
    // several thousand threads changed (fewer, larger index segments); a search refreshes first in any case.
    // issue 14a: bodies the server withheld from this session's role are fetched when someone allowed opens them.
    if (batch.withheld) for (const id of batch.withheld) store.threads.markBodiesWithheld(id);
    store.threads.refreshSearch(batch.hasMore ? SEARCH_REFRESH_EVERY : 1);
    store.syncState.set(CURSOR_KEY, batch.cursor);
    if (options.nowIso) store.syncState.set(LAST_SYNCED_KEY, options.nowIso);
  });
  options.bulk?.noteCommitted();
  if (!batch.hasMore) options.bulk?.markLoaded();
  return { applied, skipped, entities: [...entities], cursor: batch.cursor };
}

export const readCursor = (store: Store): string => store.syncState.get(CURSOR_KEY) ?? '0';
