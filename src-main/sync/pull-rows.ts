/**
 * A pull page's bulky records applied as rows in SQL (issue 16 §2; session 9, s9sync): during a long pull the
 * pull decoder's worker thread validates each page (pull-feed.ts) and then turns its threads, messages,
 * appointments and audit events into one JSON text per entity (splitPullPage). The main thread applies each text
 * with ONE statement, `INSERT … SELECT … FROM jsonb_each(?)` with the repo's own upsert clause (applyPullRows),
 * instead of one `run()` per record, and receives each text as UTF-8 bytes in a transferred buffer (session 10:
 * no copy, and none left in its V8 heap; see PullRows) instead of ~5,000 objects per page rebuilt by structured
 * clone on the thread that applies.
 *
 * Nothing changes in what is validated or when: the worker validates the whole page with the one PullResponse
 * schema (pull-decode.ts) before it is split; a refused page is never split and gives the same typed error.
 *
 * Same rows as the per-record path (tests: pull-rows.test.ts, with hand-written expected rows):
 * - the statements are the repos' upserts (THREAD_UPSERT_SQL, …) with `VALUES (@key, …)` read from each row, an
 *   array of the record's values in the parameters' order (`value ->> i`; an absent optional key gives NULL, as
 *   `record.topic ?? null` does). Arrays, not objects: `value ->> 'key'` over objects cost more than one `run()`
 *   per record (200k messages, :memory:, one transaction: objects 1.6–1.75 s, `run()` 1.04–1.15 s, arrays
 *   0.78–0.82 s; load 5);
 * - records keep their page order within an entity (a record twice in a page: the last wins, as before); across
 *   entities the order does not matter (no foreign keys between these tables; their triggers only count);
 * - a page is not split, and goes as objects, when it holds a deletion (order matters then), a change whose id
 *   is not its record's, or a string SQLite's JSON would not give back as better-sqlite3 binds it (a NUL, a lone
 *   surrogate: UNSAFE_JSON);
 * - applyPullBatch uses the rows only where the per-record path would write every record as it comes (no local
 *   change waiting, the default audit handler); otherwise it turns them back into changes (changesOfRows) and
 *   takes the per-record path.
 */
import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { Change, PullResponse } from '../../src-shared/sync';
import { APPOINTMENT_UPSERT_SQL } from '../store/repos/appointments';
import { AUDIT_REMOTE_UPSERT_SQL } from '../store/repos/audit';
import { MESSAGE_UPSERT_SQL } from '../store/repos/messages';
import { THREAD_UPSERT_SQL } from '../store/repos/threads';
import type { Store } from '../store/store';

/** The entities a page's rows carry, in the order applyPullRows writes them. */
export const ROW_ENTITIES = ['thread', 'message', 'appointment', 'audit'] as const;
export type RowEntity = (typeof ROW_ENTITIES)[number];

/**
 * One page's records of the row entities: per entity, a JSON array of rows, each an array of the record's values
 * in ROW_KEYS order (an absent optional key written as `false`, a value no such key can hold), in page order.
 *
 * The JSON text travels as its UTF-8 bytes, each in an ArrayBuffer of its own (the worker transfers them to the
 * main thread, which hands them back once the page is applied: PullFeed.next), not as a string. A string
 * crosses by copy into the main thread's V8 heap, where a page's ~1–5 MB texts outlive two scavenges and wait
 * in old space (large-object space) for a mark-compact: the main thread's V8 heap at the pull's sampled peak was
 * 71–118 MB committed with strings (7 runs, up to 49 MB of it large objects), 53–63 MB with bytes (11 runs, 1–6 MB)
 * (session 10, s10rss, bench/profile-sync-memory.ts at scale 100, load 2.2–5.3; docs/performance-history.md,
 * "Memory during the initial sync (session 10, s10rss)").
 */
export interface PullRows {
  /** Per entity, the rows' JSON text as UTF-8 (a view over a whole ArrayBuffer: transferable). */
  json: Partial<Record<RowEntity, Uint8Array>>;
  counts: Partial<Record<RowEntity, number>>;
}

/** A repo upsert's `@param` names, in VALUES order. */
const paramsOf = (sql: string): string[] => {
  const values = /VALUES\s*\(([^)]*)\)/.exec(sql);
  if (!values) throw new Error('pull-rows: an upsert without VALUES');
  return values[1]!.split(',').map((p) => p.trim().replace(/^@/, ''));
};
/** AuditRow's column names as PulledAuditRecord's keys (auditRowOf). */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Each entity's upsert and the record keys of its rows: first its parameters' (VALUES order), then the record's
 * other keys, which the upsert does not write but the record holds (kept so changesOfRows gives it back whole).
 */
const ROW_SPEC: Record<RowEntity, { sql: string; keys: string[] }> = {
  thread: { sql: THREAD_UPSERT_SQL, keys: paramsOf(THREAD_UPSERT_SQL) },
  message: { sql: MESSAGE_UPSERT_SQL, keys: paramsOf(MESSAGE_UPSERT_SQL) },
  appointment: { sql: APPOINTMENT_UPSERT_SQL, keys: paramsOf(APPOINTMENT_UPSERT_SQL) },
  audit: {
    sql: AUDIT_REMOTE_UPSERT_SQL,
    keys: [...paramsOf(AUDIT_REMOTE_UPSERT_SQL).map(camel), 'prevHash', 'hash', 'version'],
  },
};

/**
 * The records' optional keys (absent allowed: src-shared/domain.ts, PulledAuditRecord), written as `false` when
 * absent. A record missing any other key, or holding a key not in ROW_SPEC, is not split (its page goes as
 * objects), so a schema that grows cannot lose a value here.
 */
const OPTIONAL: Record<RowEntity, ReadonlySet<string>> = {
  thread: new Set(['topic', 'poolId']),
  message: new Set(),
  appointment: new Set(['seriesId']),
  audit: new Set(['purposeOfEvent', 'prevHash', 'hash']),
};

/**
 * In JSON.stringify's output, the escapes of a NUL and of a UTF-16 surrogate (JSON.stringify escapes only lone
 * ones): such a page goes as objects, through better-sqlite3's binding, as before rows existed. For a NUL SQLite's
 * JSON could store the text differently; a lone surrogate is stored as the same bytes either way (ED A0 xx, not
 * UTF-8: read back as three U+FFFD; checked in session 17, where an earlier version of this comment said the binding
 * wrote U+FFFD), so for it the check is only caution. An escaped backslash before "u0000" also matches: harmless,
 * the page then goes as objects too.
 */
const UNSAFE_JSON = /\\u(?:0000|d[89a-f])/i;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

const isRowEntity = (entity: string): entity is RowEntity =>
  (ROW_ENTITIES as readonly string[]).includes(entity);

/** A record as its row, or null when it does not fit ROW_SPEC (see OPTIONAL). */
function rowOf(entity: RowEntity, record: Record<string, unknown>): unknown[] | null {
  const { keys } = ROW_SPEC[entity];
  const optional = OPTIONAL[entity];
  let held = 0;
  const row = keys.map((key) => {
    const value = record[key];
    if (value === undefined) {
      if (!optional.has(key)) held = -Infinity;
      return false;
    }
    held++;
    return value;
  });
  return held === Object.keys(record).length ? row : null;
}

/**
 * In the worker, after validation: the page without its row entities' changes (`rest`, in page order) and their
 * records as JSON rows, or null when the page must go whole as objects (see the module comment). Pure.
 */
export function splitPullPage(batch: PullResponse): { rest: PullResponse; rows: PullRows } | null {
  const records: Partial<Record<RowEntity, unknown[][]>> = {};
  const rest: Change[] = [];
  let split = 0;
  for (const change of batch.changes) {
    if (change.data === null) return null;
    if (isRowEntity(change.entity)) {
      if (change.data.id !== change.id) return null;
      const row = rowOf(change.entity, change.data as unknown as Record<string, unknown>);
      if (row === null) return null;
      (records[change.entity] ??= []).push(row);
      split++;
    } else rest.push(change);
  }
  if (split === 0) return null;
  const rows: PullRows = { json: {}, counts: {} };
  for (const entity of ROW_ENTITIES) {
    const list = records[entity];
    if (!list) continue;
    const text = JSON.stringify(list);
    if (UNSAFE_JSON.test(text)) return null;
    rows.json[entity] = utf8Encoder.encode(text); // a buffer of its own (checked by rowBuffers)
    rows.counts[entity] = list.length;
  }
  return { rest: { ...batch, changes: rest }, rows };
}

/**
 * The ArrayBuffers holding a page's rows, to transfer with it (postMessage's transfer list). Only buffers the
 * rows own whole (TextEncoder's are); a shared one is left out (it then crosses by copy). Empty once transferred.
 */
export function rowBuffers(rows: PullRows): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const bytes of Object.values(rows.json))
    if (bytes.byteLength > 0 && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
      out.push(bytes.buffer as ArrayBuffer);
  return out;
}

/** On the main thread: the rows the worker split off each page, found by the page's (rest) object. */
export const pullRows = new WeakMap<PullResponse, PullRows>();

/** How many changes the rows hold. */
export const rowCount = (rows: PullRows): number =>
  ROW_ENTITIES.reduce((n, e) => n + (rows.counts[e] ?? 0), 0);

/** One entity's records back from its rows (each record as the worker validated it: absent keys absent). */
export function recordsOfRows(rows: PullRows, entity: RowEntity): Record<string, unknown>[] {
  const bytes = rows.json[entity];
  if (bytes === undefined) return [];
  const { keys } = ROW_SPEC[entity];
  return (JSON.parse(utf8Decoder.decode(bytes)) as unknown[][]).map((row) => {
    const record: Record<string, unknown> = {};
    keys.forEach((key, i) => {
      if (row[i] !== false) record[key] = row[i];
    });
    return record;
  });
}

/** The rows as changes again (for the per-record path), entity by entity in ROW_ENTITIES order. */
export function changesOfRows(rows: PullRows): Change[] {
  return ROW_ENTITIES.flatMap((entity) =>
    recordsOfRows(rows, entity).map((data) => ({ entity, id: data.id, data }) as Change),
  );
}

/**
 * An upsert with `VALUES (@a, …)` replaced by `SELECT value ->> 0, … FROM jsonb_each(CAST(? AS TEXT)) WHERE true`
 * (the WHERE lets SQLite parse the upsert clause after a SELECT): `nullif(…, 0)` for optional keys (false: absent →
 * NULL, as `record.topic ?? null`), and `value -> i` (JSON text, as JSON.stringify gives it) for audit's `fields`.
 * The rows are bound as a BLOB of UTF-8 (better-sqlite3 binds a Buffer so); the CAST reads it as text in the
 * store's encoding, UTF-8 (a BLOB given to jsonb_each itself would be read as SQLite's binary JSONB).
 * jsonb_each, not json_each (session 16): both parse the text once, but json_each hands each row (an array) to
 * `->>` as JSON text, which each row's first `->>` parses again (perf: SQLite's jsonTranslateBlobToText and
 * jsonTranslateTextToBlob, 3.5% of an initial sync's samples); jsonb_each hands it over in SQLite's binary form,
 * read in place. The same values either way (`->>` gives the same SQL value from text and from JSONB; `->` gives
 * text). bench/profile-apply.ts replay of the 113 scale-100 pages, bulk load, alternating: the apply 1.98-2.05 CPU-s
 * against 2.93-3.42 (three runs each), every table the sync fills or derives identical (PROFILE_DUMP digests).
 */
function sqlOverRows(entity: RowEntity): string {
  const { sql } = ROW_SPEC[entity];
  const values = /VALUES\s*\([^)]*\)/.exec(sql)!;
  const columns = paramsOf(sql).map((param, i) => {
    const key = entity === 'audit' ? camel(param) : param;
    if (entity === 'audit' && key === 'fields') return `value -> ${i}`;
    return OPTIONAL[entity].has(key) ? `nullif(value ->> ${i}, 0)` : `value ->> ${i}`;
  });
  const select = `SELECT ${columns.join(', ')} FROM jsonb_each(CAST(? AS TEXT)) WHERE true`;
  return sql.slice(0, values.index) + select + sql.slice(values.index + values[0].length);
}

const statements = new WeakMap<Database, Record<RowEntity, Statement<[Buffer]>>>();

/**
 * Write a page's rows (call inside the batch's transaction, after its other changes): one statement per entity.
 * Counts the messages in store.messages.writes, as MessagesRepo.upsert does. Errors: SqliteError.
 *
 * Measured (session 9, s9sync, bench/profile-apply.ts replay of the 113 recorded scale-100 pages, bulk load):
 * see docs/performance-history.md, "Initial sync (session 9, s9sync)".
 */
export function applyPullRows(store: Store, rows: PullRows): void {
  let stmts = statements.get(store.db);
  if (!stmts) {
    const db = store.db;
    stmts = {
      thread: db.prepare(sqlOverRows('thread')),
      message: db.prepare(sqlOverRows('message')),
      appointment: db.prepare(sqlOverRows('appointment')),
      audit: db.prepare(sqlOverRows('audit')),
    };
    statements.set(store.db, stmts);
  }
  for (const entity of ROW_ENTITIES) {
    const bytes = rows.json[entity];
    if (bytes === undefined) continue;
    stmts[entity].run(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); // a view, not a copy
    if (entity === 'message') store.messages.writes += rows.counts.message ?? 0;
  }
}
