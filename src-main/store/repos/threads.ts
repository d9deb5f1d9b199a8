import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { Priority, ThreadRecord, ThreadStatus } from '../../../src-shared/domain';
import type { Queue } from '../../../src-shared/views';
import type { QueueSort } from '../../../src-shared/views';
import { TRIAGE_DUE_SQL, TRIAGE_RANK_SQL } from '../migrations/009-triage-pools';
import { parseSearch, snippetOf } from '../../../src-shared/search-text';
import { SearchIndex, TAG, searchKeyRange } from './search-index';
import { threadFromRow, type ThreadRecordRow } from '../../../src-shared/record-rows';

/** A `threads` row: the record's columns (src-shared/record-rows.ts) and this PC's own. */
export interface ThreadRow extends ThreadRecordRow {
  seen_at: string | null;
  // issue 14a (migration 007)
  bodies_withheld: number;
  overdue: number;
}

/** A thread joined with the names the inbox shows. */
export interface ThreadListRow extends ThreadRow {
  patient_name: string;
  assignee_name: string | null;
  snippet: string | null;
}

/** A thread's record from its row (src-shared/record-rows.ts, shared with the portal backend). */
export const threadRecordOf: (r: ThreadRow) => ThreadRecord = threadFromRow;

/** A thread as opened (thread.get): its list row and its patient's fields, read together (session 10). */
export interface ThreadDetailRow extends ThreadListRow {
  patient_mrn: string;
  patient_given_name: string;
  patient_family_name: string;
  patient_birth_date: string;
  patient_phone: string | null;
}

/**
 * What one call asks of a thread in several places before it reads it (session 10, issue 16 §3): the on-demand
 * check (withheld bodies) and the audit (its patient, for the patient's trail). The access check reads the pool's
 * kind from the row itself (PoolsRepo.kindOfThread): a security decision sees every commit (session 10 review,
 * R10-1).
 */
export interface ThreadFacts {
  patientId: string;
  /** The kind of its pool as stored (pools.kind), null when it has no pool or one this PC does not know. */
  poolKind: string | null;
  /** The server withheld its bodies from an earlier session's role (issue 14a, migration 011). */
  withheld: boolean;
}

export interface InboxQuery {
  queue: Queue;
  staffId: string;
  providerId?: string;
  priority?: Priority;
  status?: ThreadStatus;
  since?: string;
  search?: string;
  offset: number;
  limit: number;
  /** issue 14a: one triage pool's queue. */
  poolId?: string;
  /** issue 14a: the order; default 'priority' (STAT, then overdue, then asap, urgent, routine; by due time). */
  sort?: QueueSort;
  /** issue 14a: leave out threads of clinical pools (a receptionist's search must not match their bodies). */
  administrativeOnly?: boolean;
}

/** issue 14a: ORDER BY of each queue sort (TRIAGE_* match the indexes of migration 007). */
const SORT_SQL: Record<QueueSort, string> = {
  priority: `${TRIAGE_RANK_SQL}, ${TRIAGE_DUE_SQL}, t.id`,
  due: `${TRIAGE_DUE_SQL}, t.id`,
  received: 't.last_message_at DESC, t.id',
  patient: 'p.family_name, p.given_name, t.id',
};

const URGENT: readonly Priority[] = ['urgent', 'asap', 'stat'];

/** Column names of the two places a queue is asked of: the threads table, and `thread_counts` (migration 3). */
interface QueueColumns {
  status: string;
  priority: string;
  provider: string;
  assignee: string;
  /** How "no assignee" reads there: NULL in threads, '' in thread_counts. */
  unassigned: string;
  /** Messages-since filter column; thread_counts has none, so `total` counts threads then. */
  since: string | null;
}
const THREAD_COLUMNS: QueueColumns = {
  status: 't.status',
  priority: 't.priority',
  provider: 't.provider_id',
  assignee: 't.assignee_id',
  unassigned: 't.assignee_id IS NULL',
  since: 't.last_message_at',
};
const COUNT_COLUMNS: QueueColumns = {
  status: 'status',
  priority: 'priority',
  provider: 'provider',
  assignee: 'assignee',
  unassigned: `assignee = ''`,
  since: null,
};

/**
 * The WHERE clause of a queue and its filters. Over threads, each queue meets one of the partial indexes of
 * migration 3 (the status terms must read exactly as the indexes' WHERE clauses).
 */
function queueWhere(
  q: InboxQuery,
  c: QueueColumns = THREAD_COLUMNS,
): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const open = `${c.status} IN ('new', 'in_progress')`;
  switch (q.queue) {
    case 'unassigned':
      where.push(c.unassigned, open);
      break;
    case 'mine':
      where.push(`${c.assignee} = @staffId`, open);
      params.staffId = q.staffId;
      break;
    case 'urgent':
      where.push(`${c.priority} IN (${URGENT.map((p) => `'${p}'`).join(', ')})`, open);
      break;
    case 'all':
      where.push(open);
      break;
    case 'closed':
      where.push(`${c.status} = 'done'`);
      break;
  }
  if (q.providerId) {
    where.push(`${c.provider} = @providerId`);
    params.providerId = q.providerId;
  }
  if (q.priority) {
    where.push(`${c.priority} = @priority`);
    params.priority = q.priority;
  }
  if (q.status) {
    where.push(`${c.status} = @status`);
    params.status = q.status;
  }
  if (q.since && c.since) {
    where.push(`${c.since} >= @since`);
    params.since = q.since;
  }
  return { where, params };
}

/**
 * The same queue and filters for the search index (repos/search-index.ts): open or closed and the date are a
 * range of keys, the rest are tag tokens.
 */
function searchFilter(q: InboxQuery): { open: boolean; tags: string[] } {
  const tags: string[] = [];
  switch (q.queue) {
    case 'unassigned':
      tags.push(TAG.assignee(null));
      break;
    case 'mine':
      tags.push(TAG.assignee(q.staffId));
      break;
    case 'urgent':
      tags.push(TAG.urgent);
      break;
    case 'all':
    case 'closed':
      break;
  }
  if (q.providerId) tags.push(TAG.provider(q.providerId));
  if (q.priority) tags.push(TAG.priority(q.priority));
  if (q.status) tags.push(TAG.status(q.status));
  if (q.poolId !== undefined) tags.push(TAG.pool(q.poolId));
  // issue 14a: a receptionist's search never matches bodies of clinical pools, not even as a hit count.
  if (q.administrativeOnly) tags.push(TAG.administrative);
  return { open: q.queue !== 'closed', tags };
}

/**
 * Turn free text into an FTS5 query over the word and gram columns (src-shared/search-text.ts: folded as the
 * index is, one-letter words dropped, prefixes from three letters, CJK runs as bigrams); every term is quoted,
 * so user input is never FTS syntax. Null when there is nothing to search.
 *
 * With `complete` (SearchIndex.completions), a word prefix is asked for as the OR of the indexed words it
 * completes to, which FTS5 walks lazily (its own prefix query merges every match first: issue 14 §6); `complete`
 * returns null for a prefix with too many completions (FTS5's prefix query then), and no completion at all
 * means nothing can match ('none' is returned).
 */
export function ftsQueryOf(
  text: string,
  complete?: (prefix: string) => string[] | null,
): string | null | 'none' {
  const { terms } = parseSearch(text);
  if (terms.length === 0) return null;
  let none = false;
  const termQuery = (t: { token: string; prefix: boolean; column: string }): string => {
    if (!t.prefix) return `"${t.token}"`;
    const words = t.column === 'words' && complete ? complete(t.token) : null;
    if (words === null) return `"${t.token}"*`;
    if (words.length === 0) none = true;
    return words.length === 1 ? `"${words[0]}"` : `(${words.map((w) => `"${w}"`).join(' OR ')})`;
  };
  const column = (name: 'words' | 'grams', fts: string) => {
    const of = terms.filter((t) => t.column === name);
    // Explicit AND: FTS5 allows an implicit AND between phrases only, not next to a bracketed OR.
    return of.length === 0 ? [] : [`{${fts}} : (${of.map(termQuery).join(' AND ')})`];
  };
  const query = [...column('words', 'body'), ...column('grams', 'grams')].join(' AND ');
  return none ? 'none' : query;
}

/** A pulled thread's upsert (named parameters: ThreadRecord's keys); also run per page over JSON rows (sync/pull-rows.ts). */
export const THREAD_UPSERT_SQL = `INSERT INTO threads (id, patient_id, subject, status, priority, assignee_id, provider_id, created_at,
     updated_at, last_message_at, due_at, version, topic, pool_id)
   VALUES (@id, @patientId, @subject, @status, @priority, @assigneeId, @providerId, @createdAt, @updatedAt,
     @lastMessageAt, @dueAt, @version, @topic, @poolId)
   ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, subject = excluded.subject,
     status = excluded.status, priority = excluded.priority, assignee_id = excluded.assignee_id,
     provider_id = excluded.provider_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
     last_message_at = excluded.last_message_at, due_at = excluded.due_at, version = excluded.version,
     topic = excluded.topic, pool_id = excluded.pool_id,
     overdue = CASE WHEN excluded.due_at IS threads.due_at AND excluded.status = threads.status
       THEN threads.overdue ELSE 0 END`;

const LIST_COLUMNS = `t.*, p.given_name || ' ' || p.family_name AS patient_name, s.display_name AS assignee_name`;

export class ThreadsRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly detailStmt;
  private readonly updateStmt;
  private readonly seenStmt;
  private readonly deleteStmt;
  private readonly byPatientStmt;
  private readonly countsStmt;
  private readonly bodiesStmt;
  private readonly cache = new Map<string, Statement>();
  private readonly search: SearchIndex;
  /** The hooks of onBeforeSeenRead, in the order they were added. */
  private readonly seenReadHooks: (() => void)[] = [];
  /**
   * The connection's write version for a value that may be kept (set by Store: TableChanges.keptVersion(), bumped
   * by every write on this connection, a rolled-back one too; null after a write of the transaction now open):
   * `facts` answers from memory while it is unchanged, within one turn of the event loop. Null (the default):
   * nothing is kept.
   */
  writeVersion: () => number | null = () => null;
  /**
   * Ends the kept facts after the current turn of the event loop (default setImmediate), so another
   * connection's commit (PRAGMA data_version, which costs as much as the point read it would save: 2.0 µs vs
   * 2.8 µs for a one-row read, session 10) is seen by the next call.
   */
  forgetLater: (task: () => void) => void = (task) => void setImmediate(task);
  private readonly factsStmt;
  private readonly detailWithPatientStmt;
  /** The last `facts` answer (one thread), with the write version it was read at. */
  private factsMemo: { id: string; version: number; facts: ThreadFacts | null } | null = null;
  private forgetScheduled = false;
  constructor(private readonly db: Database) {
    this.search = new SearchIndex(db);
    this.upsertStmt = db.prepare(THREAD_UPSERT_SQL);
    this.byIdStmt = db.prepare<[string], ThreadRow>('SELECT * FROM threads WHERE id = ?');
    this.detailStmt = db.prepare<[string], ThreadListRow>(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet FROM threads t JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id WHERE t.id = ?`,
    );
    this.detailWithPatientStmt = db.prepare<[string], ThreadDetailRow>(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet, p.mrn AS patient_mrn, p.given_name AS patient_given_name,
         p.family_name AS patient_family_name, p.birth_date AS patient_birth_date, p.phone AS patient_phone
       FROM threads t JOIN patients p ON p.id = t.patient_id LEFT JOIN staff s ON s.id = t.assignee_id
       WHERE t.id = ?`,
    );
    this.factsStmt = db.prepare<[string], { patient_id: string; pool_kind: string | null; withheld: number }>(
      `SELECT t.patient_id, p.kind AS pool_kind,
         EXISTS (SELECT 1 FROM withheld_threads w WHERE w.thread_id = t.id) AS withheld
       FROM threads t LEFT JOIN pools p ON p.id = t.pool_id WHERE t.id = ?`,
    );
    this.updateStmt = db.prepare(
      `UPDATE threads SET assignee_id = @assigneeId, priority = @priority, status = @status,
         updated_at = @updatedAt, last_message_at = @lastMessageAt, pool_id = @poolId WHERE id = @id`,
    );
    // Only an unread thread is written: opening a thread already seen writes no page (issue 16).
    this.seenStmt = db.prepare(
      'UPDATE threads SET seen_at = ? WHERE id = ? AND (seen_at IS NULL OR seen_at < last_message_at)',
    );
    this.deleteStmt = db.prepare('DELETE FROM threads WHERE id = ?');
    this.byPatientStmt = db.prepare<[string], ThreadListRow>(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet FROM threads t JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       WHERE t.patient_id = ? AND t.status IN ('new', 'in_progress') ORDER BY t.last_message_at DESC`,
    );
    // Unread = new patient activity this console has not opened; summed from the maintained counts (migration 3).
    this.countsStmt = db.prepare<
      { staffId: string },
      { unassigned: number; mine: number; urgent: number; all: number; closed: number }
    >(
      `SELECT
         coalesce(sum(CASE WHEN status != 'done' AND assignee = '' THEN n END), 0) AS unassigned,
         coalesce(sum(CASE WHEN status != 'done' AND assignee = @staffId THEN n END), 0) AS mine,
         coalesce(sum(CASE WHEN status != 'done' AND priority IN ('urgent', 'asap', 'stat') THEN n END), 0) AS urgent,
         coalesce(sum(CASE WHEN status != 'done' THEN n END), 0) AS "all",
         coalesce(sum(CASE WHEN status = 'done' THEN n END), 0) AS closed
       FROM thread_counts WHERE unread = 1`,
    );
    this.bodiesStmt = db
      .prepare<[string], string>('SELECT body FROM messages WHERE thread_id = ? ORDER BY sent_at, id')
      .pluck();
  }

  /**
   * Run `hook` before every read that shows unread state (a queue page, the unread counts, a patient's open
   * threads): the inbox applies there the "seen" marks derived from read events not yet written
   * (src-main/inbox/seen-marks.ts; issue 16 §3, session 9). Every hook added runs, in the order added (session
   * 11, L10: a second inbox on the same store, e.g. a restart in a test or a bench, used to replace the first's
   * silently, and a read then showed a thread unread whose mark was still pending in the first). Returns the
   * function that removes `hook` again (once; later calls do nothing).
   */
  onBeforeSeenRead(hook: () => void): () => void {
    const entry = (): void => hook();
    this.seenReadHooks.push(entry);
    return () => {
      const i = this.seenReadHooks.indexOf(entry);
      if (i >= 0) this.seenReadHooks.splice(i, 1);
    };
  }

  private beforeSeenRead(): void {
    // A copy: a hook removed while they run (an inbox closed from one) must not make the next one be skipped.
    for (const hook of [...this.seenReadHooks]) hook();
  }

  private prepared(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  upsert(record: ThreadRecord): void {
    this.upsertStmt.run({ ...record, topic: record.topic ?? null, poolId: record.poolId ?? null });
  }
  byId(id: string): ThreadRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? threadRecordOf(row) : null;
  }
  listRow(id: string): ThreadListRow | null {
    return this.detailStmt.get(id) ?? null;
  }
  /**
   * The thread's list row with its patient's fields in one point read (thread.get; session 10: one statement
   * instead of two), or null when the thread or its patient is not on this PC.
   */
  detailWithPatient(id: string): ThreadDetailRow | null {
    return this.detailWithPatientStmt.get(id) ?? null;
  }
  /**
   * The thread's patient, pool kind and withheld mark, or null when it is not on this PC. One point read, kept
   * in memory for that one thread until anything is written on this connection (`writeVersion`) and for the
   * current turn of the event loop at most (`forgetLater`: a commit by another connection is seen from the next
   * turn, as a call's separate reads saw it before); never an answer read after a write of the transaction now
   * open, which may roll back (TableChanges.keptVersion: the rule every read cache of the store follows). A
   * thread.get asked it three times (access check, on-demand check, audit subjects): three point reads of the
   * same row (session 10: 8-19 µs each in bench/profile-router.ts at 100k events); the access check has read the
   * row itself again since (R10-1).
   */
  facts(id: string): ThreadFacts | null {
    const version = this.writeVersion();
    const memo = this.factsMemo;
    if (version !== null && memo !== null && memo.id === id && memo.version === version) return memo.facts;
    const r = this.factsStmt.get(id);
    const facts = r ? { patientId: r.patient_id, poolKind: r.pool_kind, withheld: r.withheld === 1 } : null;
    // Read after a write of the open transaction, the row may yet be rolled back: not kept (version null).
    this.factsMemo = version === null ? null : { id, version, facts };
    if (this.factsMemo !== null && !this.forgetScheduled) {
      this.forgetScheduled = true;
      this.forgetLater(() => {
        this.forgetScheduled = false;
        this.factsMemo = null;
      });
    }
    return facts;
  }
  openForPatient(patientId: string): ThreadListRow[] {
    this.beforeSeenRead();
    return this.byPatientStmt.all(patientId);
  }
  /** Optimistic local change; the server's version arrives with the next pull. */
  update(record: ThreadRecord): void {
    this.updateStmt.run({ ...record, poolId: record.poolId ?? null });
  }
  markSeen(id: string, at: string): void {
    this.seenStmt.run(at, id);
  }
  /** A thread's seen mark and newest message time (UTC ISO), or null when it is not on this PC (issue 16 §4). */
  seenState(id: string): { seen_at: string | null; last_message_at: string } | null {
    return (
      (this.prepared('SELECT seen_at, last_message_at FROM threads WHERE id = ?').get(id) as
        { seen_at: string | null; last_message_at: string } | undefined) ?? null
    );
  }

  /**
   * Whether the thread is on this PC, and whether the server withheld its bodies (from `facts`; session 7:
   * thread.get's on-demand check read the whole row and then the withheld mark).
   */
  localState(id: string): 'absent' | 'held' | 'withheld' {
    const f = this.facts(id);
    return f === null ? 'absent' : f.withheld ? 'withheld' : 'held';
  }
  /** The thread's patient id, or null when the thread is not on this PC (from `facts`). */
  patientIdOf(id: string): string | null {
    return this.facts(id)?.patientId ?? null;
  }

  /* ---- issue 14a: withheld bodies, SLA escalation, priority-ordered and per-pool queues ---- */

  /**
   * The server withheld this thread's messages from a pull (the session's role may not have them). Kept in
   * `withheld_threads` (migration 011), so the mark holds even when the thread row arrives in a later batch.
   */
  markBodiesWithheld(id: string): void {
    this.prepared('INSERT OR IGNORE INTO withheld_threads (thread_id) VALUES (?)').run(id);
  }
  clearBodiesWithheld(id: string): void {
    this.prepared('DELETE FROM withheld_threads WHERE thread_id = ?').run(id);
  }
  /** Ids of threads whose messages the server withheld from an earlier pull, at most `limit` of them. */
  withheldIds(limit: number): string[] {
    return this.prepared('SELECT thread_id FROM withheld_threads ORDER BY thread_id LIMIT ?')
      .pluck()
      .all(limit) as string[];
  }
  bodiesWithheld(id: string): boolean {
    return this.prepared('SELECT 1 FROM withheld_threads WHERE thread_id = ?').get(id) !== undefined;
  }
  /**
   * Escalates every open thread whose due time is before `nowIso` (UTC ISO): it gets the overdue badge and joins
   * its pool's urgent queue. Idempotent; walks the `threads_due_open` index. Returns the ids escalated now.
   */
  escalateOverdue(nowIso: string): string[] {
    const ids = this.prepared(
      `SELECT id FROM threads WHERE status IN ('new', 'in_progress') AND overdue = 0 AND due_at < ?`,
    )
      .pluck()
      .all(nowIso) as string[];
    if (ids.length > 0)
      this.prepared(
        `UPDATE threads SET overdue = 1 WHERE status IN ('new', 'in_progress') AND overdue = 0 AND due_at < ?`,
      ).run(nowIso);
    // A clock set back (an NTP step, a person fixing the date) takes back escalations that are not yet due
    // (review 4). Two index ranges of threads_overdue_open, looked at first and written only when they hold a
    // thread: written as one `due_at IS NULL OR due_at >= ?` it scanned every overdue thread on every inbox read
    // (issue 16 §4, session 5: 0.57 ms per inbox.list with 1,805 overdue threads, 0.02 ms as ranges).
    const notDue = `status IN ('new', 'in_progress') AND overdue = 1 AND due_at >= ?`;
    const noDue = `status IN ('new', 'in_progress') AND overdue = 1 AND due_at IS NULL`;
    if (this.prepared(`SELECT 1 FROM threads WHERE ${notDue} LIMIT 1`).get(nowIso) !== undefined)
      this.prepared(`UPDATE threads SET overdue = 0 WHERE ${notDue}`).run(nowIso);
    if (this.prepared(`SELECT 1 FROM threads WHERE ${noDue} LIMIT 1`).get() !== undefined)
      this.prepared(`UPDATE threads SET overdue = 0 WHERE ${noDue}`).run();
    return ids;
  }
  /** Open and urgent (urgent, asap, STAT or overdue) threads per pool id ('' = no pool). */
  poolCounts(): Map<string, { open: number; urgent: number }> {
    const rows = this.prepared(
      `SELECT coalesce(pool_id, '') AS pool, count(*) AS open,
         sum(priority IN ('urgent', 'asap', 'stat') OR overdue = 1) AS urgent
       FROM threads WHERE status IN ('new', 'in_progress') GROUP BY 1`,
    ).all() as { pool: string; open: number; urgent: number }[];
    return new Map(rows.map((r) => [r.pool, { open: r.open, urgent: r.urgent }]));
  }

  /**
   * A queue page in a triage order (issue 14a) or of one pool: the queue's filters plus the pool, the urgent
   * queue holding overdue threads too. Priority order walks an index of migration 007.
   */
  private triagePage(q: InboxQuery): { rows: ThreadListRow[]; total: number } {
    const { where, params } = queueWhere(q);
    if (q.queue === 'urgent') {
      // Escalated (overdue) threads of any priority move to the urgent queue.
      const i = where.findIndex((w) => w.startsWith('t.priority IN'));
      if (i >= 0) where[i] = `(${where[i]} OR t.overdue = 1)`;
    }
    if (q.poolId !== undefined) {
      where.push('t.pool_id = @poolId');
      params.poolId = q.poolId;
    }
    const whereSql = where.join(' AND ');
    const order = SORT_SQL[q.sort ?? 'priority'];
    const rows = this.prepared(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet
       FROM (SELECT t.rowid AS r FROM threads t JOIN patients p ON p.id = t.patient_id WHERE ${whereSql}
             ORDER BY ${order} LIMIT @limit OFFSET @offset) page
       JOIN threads t ON t.rowid = page.r JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       ORDER BY ${order}`,
    ).all({ ...params, limit: q.limit, offset: q.offset }) as ThreadListRow[];
    return { rows, total: this.triageTotal(q, whereSql, params) };
  }

  /**
   * A triage queue's size. Without a pool or date filter it comes from the maintained `thread_counts` (the urgent
   * queue adds its escalated threads of a lower priority from `overdue_counts`, migration 016), instead
   * of counting every open thread of the queue on each first page (issue 16 §4, session 5, 16r).
   */
  private triageTotal(q: InboxQuery, whereSql: string, params: Record<string, unknown>): number {
    if (q.poolId !== undefined || q.since) {
      return (
        this.prepared(`SELECT count(*) AS n FROM threads t WHERE ${whereSql}`).get(params) as { n: number }
      ).n;
    }
    const counted = this.total(q, whereSql, params);
    if (q.queue !== 'urgent') return counted;
    // Escalated threads of a lower priority, from overdue_counts (migration 016) under the queue's other filters.
    const rest = queueWhere({ ...q, queue: 'all' }, COUNT_COLUMNS);
    const lower = `priority NOT IN (${URGENT.map((p) => `'${p}'`).join(', ')})`;
    const overdue = this.prepared(
      `SELECT coalesce(sum(n), 0) AS n FROM overdue_counts WHERE ${[...rest.where, lower].join(' AND ')}`,
    ).get(rest.params) as { n: number };
    return counted + overdue.n;
  }
  unreadCounts(staffId: string): {
    unassigned: number;
    mine: number;
    urgent: number;
    all: number;
    closed: number;
  } {
    this.beforeSeenRead();
    const counts = this.countsStmt.get({ staffId })!;
    // The urgent queue lists escalated (overdue) threads of any priority too (review 4: the count left them out);
    // thread_counts has no overdue key, so the unread escalated routine threads are read from the one row
    // migration 018 keeps (counting them on threads_overdue_open took ~50 ms at 100k threads).
    const overdueRoutine = this.prepared('SELECT n FROM overdue_unread_count WHERE one = 1')
      .pluck()
      .get() as number;
    return { ...counts, urgent: counts.urgent + overdueRoutine };
  }

  /**
   * One page of a queue (newest activity first) and the queue's total; a search's total may be a lower bound
   * (`totalIsLowerBound`, see searchPage).
   */
  page(q: InboxQuery): { rows: ThreadListRow[]; total: number; totalIsLowerBound?: true } {
    this.beforeSeenRead();
    if (q.search !== undefined && q.search !== '') return this.searchPage(q);
    // The urgent queue holds escalated (overdue) threads too, in any order: only triagePage knows them.
    if (q.poolId !== undefined || q.queue === 'urgent' || (q.sort ?? 'priority') !== 'received')
      return this.triagePage(q);
    const { where, params } = queueWhere(q);
    const whereSql = where.join(' AND ');
    // The page is cut from the queue's index alone (an OFFSET skips index entries, not joined rows); only the
    // page's threads are then read and joined with names.
    const rows = this.prepared(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet
       FROM (SELECT t.rowid AS r FROM threads t JOIN patients p ON p.id = t.patient_id WHERE ${whereSql}
             ORDER BY t.last_message_at DESC, t.id LIMIT @limit OFFSET @offset) page
       JOIN threads t ON t.rowid = page.r JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       ORDER BY t.last_message_at DESC, t.id`,
    ).all({ ...params, limit: q.limit, offset: q.offset }) as ThreadListRow[];
    return { rows, total: this.total(q, whereSql, params) };
  }

  /** A queue's size: from the maintained counts, or (for a date filter, which they do not keep) by counting. */
  private total(q: InboxQuery, whereSql: string, params: Record<string, unknown>): number {
    if (q.since) {
      return (
        this.prepared(`SELECT count(*) AS n FROM threads t WHERE ${whereSql}`).get(params) as { n: number }
      ).n;
    }
    const counts = queueWhere(q, COUNT_COLUMNS);
    return (
      this.prepared(
        `SELECT coalesce(sum(n), 0) AS n FROM thread_counts WHERE ${counts.where.join(' AND ')}`,
      ).get(counts.params) as { n: number }
    ).n;
  }

  /**
   * Threads of the queue with a message containing every word of the search (ftsQueryOf), newest activity
   * first, each with a snippet of its best-matching message. Counting and paging run inside the FTS index
   * (repos/search-index.ts) in one pass that stops after SEARCH_COUNT_CAP threads (or the page's end): the total
   * is then a lower bound ("1,000+"). Only the page's threads and their messages are read.
   */
  private searchPage(q: InboxQuery): { rows: ThreadListRow[]; total: number; totalIsLowerBound?: true } {
    this.search.refresh();
    const words = ftsQueryOf(q.search ?? '', (prefix) => this.search.completions(prefix));
    if (words === null || words === 'none') return { rows: [], total: 0 };
    const { highlights } = parseSearch(q.search ?? '');
    // A receptionist's search (administrativeOnly) asks for the administrative-pool tag inside FTS5, so clinical
    // bodies never match, not even as a count (issue 14a).
    const { open, tags } = searchFilter(q);
    const match =
      tags.length === 0 ? words : `${words} AND {tags} : (${tags.map((t) => `"${t}"`).join(' AND ')})`;
    const { keys, total, totalIsLowerBound } = this.search.scan(
      { match, ...searchKeyRange(open, q.since) },
      q.offset,
      q.limit,
    );
    const bound = totalIsLowerBound ? ({ totalIsLowerBound: true } as const) : {};
    if (keys.length === 0) return { rows: [], total, ...bound };
    const found = this.prepared(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet, k.key AS search_key
       FROM search_keys k JOIN threads t ON t.id = k.thread_id JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       WHERE k.key IN (SELECT value FROM json_each(@keys))`,
    ).all({ keys: JSON.stringify(keys) }) as (ThreadListRow & { search_key?: number })[];
    const byKey = new Map(found.map((r) => [r.search_key, r]));
    const rows: ThreadListRow[] = [];
    for (const key of keys) {
      const row = byKey.get(key);
      if (!row) continue;
      delete row.search_key;
      row.snippet = snippetOf(this.bodiesStmt.all(row.id), highlights);
      rows.push(row);
    }
    return { rows, total, ...bound };
  }

  /**
   * Bring the search index up to date with every change so far; with `atLeast`, only once that many threads
   * changed (searches always refresh first, so they never see a stale index either way).
   */
  refreshSearch(atLeast = 1): void {
    this.search.refresh(atLeast);
  }

  /** The search refresh at the end of a bulk load (SearchIndex.refreshAfterBulkLoad; issue 16 §2). */
  refreshSearchAfterBulkLoad(): void {
    this.search.refreshAfterBulkLoad();
  }

  /**
   * Add the vocabulary words of message bodies a bulk load wrote (SearchIndex.addWordsOf; issue 16 §2); `words`:
   * vocabularyWordsOf(bodies), when made in the pull decoder's worker.
   */
  addSearchWordsOf(bodies: readonly string[], words?: readonly string[]): void {
    this.search.addWordsOf(bodies, words);
  }

  /**
   * Merge the search index if messages were deleted since the last merge, so their terms leave the disk (review 7
   * U7; SearchIndex.mergeIfPending: about 1 s of CPU at 200k messages). @returns true when it merged.
   */
  mergeSearchIfPending(): boolean {
    return this.search.mergeIfPending();
  }

  /** Drop search-vocabulary words the index no longer holds (after an eviction; SearchIndex.pruneVocabulary). */
  pruneSearchVocabulary(): number {
    return this.search.pruneVocabulary();
  }

  /** Remove a record the server deleted (sync). */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
