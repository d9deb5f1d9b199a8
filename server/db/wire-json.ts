/**
 * A pull page's records as wire JSON text built by the database (session 7, s7srv; issue 16 §2): the high-volume
 * entities of an initial sync (patients, threads, messages, appointments, audit events: 556k of the 561k changes
 * at scale 100) are encoded by SQLite's `json_quote` or PostgreSQL's `to_json` in the same read-only snapshot as
 * the change log page, one SQL statement per page, so the backend neither builds a JS object per column nor
 * stringifies it again. Nothing is cached or stored: each page is encoded from the rows as they are in that
 * snapshot, so an update, a deletion, a re-route or a role change is served as of the pull and the text can
 * never be stale.
 *
 * Measured on the scale-100 bench store (bench/profile-pull.ts): `SELECT *` of 5,000 messages plus mapping and
 * JSON.stringify ~35 ms a page; the same page encoded by SQLite ~10 ms including the change log scan.
 *
 * Each record's text has the same fields and values as the row mappers in rows.ts give (`patientFromRow`,
 * `threadFromRow`, …; tests: server/db/wire-json.test.ts compares both on every kind and writes the expected
 * answers by hand). Other entities (attachments, whose content is base64 of a BLOB, and the rare kinds) are
 * left to the caller (`json` null).
 */
import type { EntityName } from '../../src-shared/sync';

export type SqlDialect = 'sqlite' | 'postgres';

/**
 * How a column becomes a JSON member: its value; JSON text kept as is; left out when NULL; left out when NULL
 * or ''; present (as "BTG") only when the column is 'BTG'.
 */
type Kind = 'value' | 'json' | 'omitNull' | 'omitEmpty' | 'btgOnly';
type Field = readonly [key: string, column: string, kind?: Kind];

/** The wire fields of each entity encoded in SQL, in the mappers' order (rows.ts). */
const FIELDS = {
  patient: {
    table: 'patients',
    fields: [
      ['id', 'id'],
      ['mrn', 'mrn'],
      ['givenName', 'given_name'],
      ['familyName', 'family_name'],
      ['birthDate', 'birth_date'],
      ['phone', 'phone'],
      ['version', 'version'],
    ],
  },
  thread: {
    table: 'threads',
    fields: [
      ['id', 'id'],
      ['patientId', 'patient_id'],
      ['subject', 'subject'],
      ['status', 'status'],
      ['priority', 'priority'],
      ['assigneeId', 'assignee_id'],
      ['providerId', 'provider_id'],
      ['createdAt', 'created_at'],
      ['updatedAt', 'updated_at'],
      ['lastMessageAt', 'last_message_at'],
      ['dueAt', 'due_at'],
      ['version', 'version'],
      ['topic', 'topic', 'omitNull'],
      ['poolId', 'pool_id', 'omitNull'],
    ],
  },
  message: {
    table: 'messages',
    fields: [
      ['id', 'id'],
      ['threadId', 'thread_id'],
      ['authorKind', 'author_kind'],
      ['authorId', 'author_id'],
      ['body', 'body'],
      ['sentAt', 'sent_at'],
      ['version', 'version'],
    ],
  },
  appointment: {
    table: 'appointments',
    fields: [
      ['id', 'id'],
      ['patientId', 'patient_id'],
      ['providerId', 'provider_id'],
      ['start', 'start'],
      ['end', '"end"'],
      ['status', 'status'],
      ['reason', 'reason'],
      ['cancelReason', 'cancel_reason'],
      ['virtualLink', 'virtual_link'],
      ['version', 'version'],
      ['cancelCode', 'cancel_code'],
      ['overlapReason', 'overlap_reason'],
      // appointmentFromRow leaves out a NULL or empty series id
      ['seriesId', 'series_id', 'omitEmpty'],
    ],
  },
  audit: {
    table: 'audit_events',
    fields: [
      ['id', 'id'],
      ['at', 'at'],
      ['staffId', 'staff_id'],
      ['role', 'role'],
      ['deviceId', 'device_id'],
      ['action', 'action'],
      ['entityType', 'entity_type'],
      ['entityId', 'entity_id'],
      ['outcome', 'outcome'],
      ['fields', 'fields_json', 'json'],
      ['actorKind', 'actor_kind'],
      ['purposeOfEvent', 'purpose_of_event', 'btgOnly'],
      ['prevHash', 'prev_hash'],
      ['hash', 'hash'],
      ['version', 'version'],
    ],
  },
} as const satisfies Partial<Record<EntityName, { table: string; fields: readonly Field[] }>>;

/** The entities whose pulled records the database encodes (the rest: `json` null in a WireRow). */
export type SqlEncodedEntity = keyof typeof FIELDS;
export const SQL_ENCODED: ReadonlySet<EntityName> = new Set(Object.keys(FIELDS) as EntityName[]);

/** Audit fields a console asking `x-sync-lean` does not get (server/sync/pull.ts, PULL_LEAN_HEADER). */
const CHAIN_FIELDS: ReadonlySet<string> = new Set(['prevHash', 'hash']);

export interface WireOptions {
  /** Leave the audit events' chain hashes out (PULL_LEAN_AUDIT_CHAIN). */
  leanAudit: boolean;
  /** Also read each message's thread and that thread's pool (for a receptionist's filter, issue 14a). */
  threadPools: boolean;
}

/**
 * One change log row of a pull page.
 * - `json`: the change's wire text `{"entity":…,"id":…,"data":…}` (data null for a deleted record), or null when
 *   the entity is not encoded in SQL (attachments, rare kinds: the caller loads and encodes those).
 * - `threadId`, `poolId`: for a message still present, its thread and that thread's pool (null: none, or the
 *   thread is gone); only read with `threadPools`, else null.
 */
export interface WireRow {
  seq: number;
  entity: EntityName;
  id: string;
  json: string | null;
  threadId: string | null;
  poolId: string | null;
}

const q = (dialect: SqlDialect, expr: string) =>
  dialect === 'sqlite' ? `json_quote(${expr})` : `coalesce(to_json(${expr})::text, 'null')`;

/** JSON text from a column the store wrote with JSON.stringify (checked: malformed text fails the pull). */
const asJson = (dialect: SqlDialect, expr: string) =>
  dialect === 'sqlite' ? `coalesce(json(${expr}), 'null')` : `coalesce((${expr})::json::text, 'null')`;

/** A JSON string literal as SQL (keys and entity names are fixed ASCII words, no escaping needed). */
const lit = (text: string) => `'${text}'`;

/** SQL for one record's JSON object text from alias `r` of its table. */
function objectSql(
  dialect: SqlDialect,
  fields: readonly Field[],
  options: Pick<WireOptions, 'leanAudit'>,
): string {
  const parts: string[] = [];
  let first = true;
  for (const [key, column, kind = 'value'] of fields) {
    if (options.leanAudit && CHAIN_FIELDS.has(key) && fields === FIELDS.audit.fields) continue;
    const sep = first ? '{' : ',';
    first = false;
    const col = `r.${column}`;
    const member = lit(`${sep}"${key}":`);
    if (kind === 'value') parts.push(member, q(dialect, col));
    else if (kind === 'json') parts.push(member, asJson(dialect, col));
    else if (kind === 'omitNull' || kind === 'omitEmpty') {
      const absent = kind === 'omitNull' ? `${col} IS NULL` : `${col} IS NULL OR ${col} = ''`;
      parts.push(`CASE WHEN ${absent} THEN '' ELSE ${member} || ${q(dialect, col)} END`);
    } else parts.push(`CASE WHEN ${col} = 'BTG' THEN ${lit(`${sep}"${key}":"BTG"`)} ELSE '' END`);
  }
  parts.push(lit('}'));
  return parts.join(' || ');
}

/**
 * SQL for one change's wire text `{"entity":…,"id":…,"data":…}` of the record with id `idExpr` (data null when
 * the row is gone), read from its table as it is when the statement runs.
 */
export function changeWireSql(
  dialect: SqlDialect,
  entity: SqlEncodedEntity,
  idExpr: string,
  options: Pick<WireOptions, 'leanAudit'>,
): string {
  const { table, fields } = FIELDS[entity];
  const envelope = `${lit(`{"entity":"${entity}","id":`)} || ${q(dialect, idExpr)} || ${lit(',"data":')}`;
  const data = `coalesce((SELECT ${objectSql(dialect, fields, options)} FROM ${table} r WHERE r.id = ${idExpr}), 'null')`;
  return `${envelope} || ${data} || '}'`;
}

/**
 * The SQL of one pull page: WireRow's columns for the change log rows after the cursor (parameter 1) in order,
 * at most parameter 2 of them (SQLite `?`, PostgreSQL `$1`, `$2`); with `specialsUpTo`, only the rows up to
 * parameter 2 (a seq) that SPECIAL_SQL marks.
 * `stored`: the change log keeps each record's lean wire text as written (SQLite, schema 11: `changes.wire`,
 * `changes.thread_id`; NULL where not kept or made stale, then encoded here); chain hashes, when asked for, are
 * always encoded here.
 */
export function pullPageSql(
  dialect: SqlDialect,
  options: WireOptions & { stored: boolean },
  specialsUpTo = false,
): string {
  const encoded = `CASE c.entity ${Object.keys(FIELDS)
    .map(
      (entity) =>
        `WHEN ${lit(entity)} THEN ${changeWireSql(dialect, entity as SqlEncodedEntity, 'c.id', options)}`,
    )
    .join('\n      ')} END`;
  const json = !options.stored
    ? encoded
    : options.leanAudit
      ? `coalesce(c.wire, ${encoded})`
      : `CASE WHEN c.entity = 'audit' THEN ${encoded} ELSE coalesce(c.wire, ${encoded}) END`;
  const lookedUp = 'SELECT m.thread_id FROM messages m WHERE m.id = c.id';
  const thread = options.stored ? `coalesce(c.thread_id, (${lookedUp}))` : `(${lookedUp})`;
  const [after, second] = dialect === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
  const threadCols = options.threadPools
    ? `CASE WHEN c.entity = 'message' THEN ${thread} END AS "threadId",
      CASE WHEN c.entity = 'message' THEN (SELECT t.pool_id FROM threads t WHERE t.id = ${thread}) END AS "poolId"`
    : `CAST(NULL AS TEXT) AS "threadId", CAST(NULL AS TEXT) AS "poolId"`;
  const where = specialsUpTo
    ? `c.seq > ${after} AND c.seq <= ${second} AND (${specialSql(options)}) ORDER BY c.seq`
    : `c.seq > ${after} ORDER BY c.seq LIMIT ${second}`;
  return `SELECT c.seq AS seq, c.entity AS entity, c.id AS id,
      ${json} AS json,
      ${threadCols}
    FROM changes c WHERE ${where}`;
}

/**
 * SQLite (schema 11): the change log rows of a page whose kept text cannot be sent as it is: none kept (an
 * attachment, a rare kind, a row cleared or written before schema 11), an audit event when chain hashes are
 * asked for, a message when its thread's pool decides (a receptionist).
 */
function specialSql(options: WireOptions): string {
  return [
    'c.wire IS NULL',
    ...(options.leanAudit ? [] : ["c.entity = 'audit'"]),
    ...(options.threadPools ? ["c.entity = 'message'"] : []),
  ].join(' OR ');
}

/**
 * One pull page as a store reads it (ServerStore.pullPage).
 * - `joined` null: `rows` is every row of the page, in order.
 * - `joined` bytes (SQLite, joinedPageSql): the page's kept wire texts as UTF-8, joined by ',', with each row of
 *   `rows` (the special ones, in order) marked in its place by `JOIN_MARK<seq>JOIN_MARK`.
 * `last`: the page's last seq (null: the page is empty); `count`: its number of rows.
 */
export interface WirePage {
  joined: Buffer | null;
  rows: WireRow[];
  last: number | null;
  count: number;
}

/**
 * Marks a special row's place in a joined page, as a byte: JSON text never holds a raw U+0001 (json_quote escapes
 * it), and in UTF-8 the byte 0x01 is that character and nothing else (every byte of a longer character is ≥ 0x80).
 */
export const JOIN_MARK = 0x01;

/**
 * SQLite (schema 11): one pull page as one value, one row: `joined` the kept wire texts of the page's rows in
 * order, joined by ',', with each special row (specialSql) replaced by `\u0001<seq>\u0001`, as a BLOB of its UTF-8
 * bytes; `last` the page's last seq (NULL: empty); `n` its row count; `specials` how many are marked. Parameters:
 * the cursor, the page size. Measured at scale 100 (session 7's machine, load 5-7): ~4-7 CPU-ms a page of 5,000
 * against ~14 for the same rows read one by one; on session 16's machine, in isolation, 9-12 CPU-ms a page as text,
 * 5-9 as bytes.
 * Bytes, not text (session 16): the page goes out as the bytes the database holds (server/sync/pull.ts). As text it
 * was decoded from UTF-8 into a JavaScript string and encoded again for the socket, 1.5 MB a page: the joined
 * page's statement took about 3 s (3.06 s under SqliteStore.one in a CPU profile of the backend) and the socket
 * writes 1.1 s of the backend's ~4.3 CPU-s in an initial sync at scale 100 (bench/profile-sync.ts, 113 pages).
 */
export function joinedPageSql(options: WireOptions): string {
  return `SELECT CAST(group_concat(
        CASE WHEN ${specialSql(options)} THEN char(1) || c.seq || char(1) ELSE c.wire END, ',' ORDER BY c.seq
      ) AS BLOB) AS joined, max(c.seq) AS last, count(*) AS n,
      sum(CASE WHEN ${specialSql(options)} THEN 1 ELSE 0 END) AS specials
    FROM (SELECT seq, entity, wire FROM changes WHERE seq > ? ORDER BY seq LIMIT ?) c`;
}

/**
 * SQLite (schema 11): the change log row of a record as it is now, with its lean wire text and, for a message,
 * its thread (named parameters @entity, @id). Run right after the record's write, in the same transaction; a
 * later write of the record without a new change row clears both (the triggers of schema 11), so a kept text is
 * never older than its row.
 */
export function recordChangeSql(entity: SqlEncodedEntity): string {
  let text = recordChangeTexts.get(entity);
  if (text === undefined) recordChangeTexts.set(entity, (text = buildRecordChangeSql(entity)));
  return text;
}
/** Built once per entity: a write path runs it for every change (building it each time cost ~100 µs). */
const recordChangeTexts = new Map<SqlEncodedEntity, string>();

function buildRecordChangeSql(entity: SqlEncodedEntity): string {
  const thread =
    entity === 'message' ? '(SELECT m.thread_id FROM messages m WHERE m.id = @id)' : 'CAST(NULL AS TEXT)';
  return `INSERT OR REPLACE INTO changes (entity, id, wire, thread_id)
    VALUES (@entity, @id, ${changeWireSql('sqlite', entity, '@id', { leanAudit: true })}, ${thread})`;
}

/** The tables whose rows have kept wire texts, and their entity names (schema 11's triggers). */
export const WIRE_TABLES: readonly (readonly [table: string, entity: SqlEncodedEntity])[] = Object.entries(
  FIELDS,
).map(([entity, { table }]) => [table, entity as SqlEncodedEntity] as const);
