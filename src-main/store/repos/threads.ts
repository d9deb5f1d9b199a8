import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { Priority, ThreadRecord, ThreadStatus } from '../../../src-shared/domain';
import type { Queue } from '../../../src-shared/views';

export interface ThreadRow {
  id: string;
  patient_id: string;
  subject: string;
  status: ThreadStatus;
  priority: Priority;
  assignee_id: string | null;
  provider_id: string | null;
  created_at: string;
  updated_at: string;
  last_message_at: string;
  due_at: string | null;
  version: number;
  seen_at: string | null;
}

/** A thread joined with the names the inbox shows. */
export interface ThreadListRow extends ThreadRow {
  patient_name: string;
  assignee_name: string | null;
  snippet: string | null;
}

export const threadRecordOf = (r: ThreadRow): ThreadRecord => ({
  id: r.id,
  patientId: r.patient_id,
  subject: r.subject,
  status: r.status,
  priority: r.priority,
  assigneeId: r.assignee_id,
  providerId: r.provider_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastMessageAt: r.last_message_at,
  dueAt: r.due_at,
  version: r.version,
});

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
}

const URGENT: readonly Priority[] = ['urgent', 'asap', 'stat'];

/** The WHERE clause of a queue, written so each queue meets one of the thread indexes of migration 2. */
function queueWhere(q: InboxQuery): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  switch (q.queue) {
    case 'unassigned':
      where.push(`t.assignee_id IS NULL`, `t.status IN ('new', 'in_progress')`);
      break;
    case 'mine':
      where.push(`t.assignee_id = @staffId`, `t.status IN ('new', 'in_progress')`);
      params.staffId = q.staffId;
      break;
    case 'urgent':
      where.push(
        `t.priority IN (${URGENT.map((p) => `'${p}'`).join(', ')})`,
        `t.status IN ('new', 'in_progress')`,
      );
      break;
    case 'all':
      where.push(`t.status IN ('new', 'in_progress')`);
      break;
    case 'closed':
      where.push(`t.status = 'done'`);
      break;
  }
  if (q.providerId) {
    where.push('t.provider_id = @providerId');
    params.providerId = q.providerId;
  }
  if (q.priority) {
    where.push('t.priority = @priority');
    params.priority = q.priority;
  }
  if (q.status) {
    where.push('t.status = @status');
    params.status = q.status;
  }
  if (q.since) {
    where.push('t.last_message_at >= @since');
    params.since = q.since;
  }
  return { where, params };
}

/** Turn free text into an FTS5 query of quoted prefix terms, so user input is never FTS syntax. */
export function ftsQueryOf(text: string): string | null {
  const terms = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, 8);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t}"*`).join(' ');
}

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
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO threads (id, patient_id, subject, status, priority, assignee_id, provider_id, created_at,
         updated_at, last_message_at, due_at, version)
       VALUES (@id, @patientId, @subject, @status, @priority, @assigneeId, @providerId, @createdAt, @updatedAt,
         @lastMessageAt, @dueAt, @version)
       ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, subject = excluded.subject,
         status = excluded.status, priority = excluded.priority, assignee_id = excluded.assignee_id,
         provider_id = excluded.provider_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
         last_message_at = excluded.last_message_at, due_at = excluded.due_at, version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], ThreadRow>('SELECT * FROM threads WHERE id = ?');
    this.detailStmt = db.prepare<[string], ThreadListRow>(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet FROM threads t JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id WHERE t.id = ?`,
    );
    this.updateStmt = db.prepare(
      `UPDATE threads SET assignee_id = @assigneeId, priority = @priority, status = @status,
         updated_at = @updatedAt, last_message_at = @lastMessageAt WHERE id = @id`,
    );
    this.seenStmt = db.prepare('UPDATE threads SET seen_at = ? WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM threads WHERE id = ?');
    this.byPatientStmt = db.prepare<[string], ThreadListRow>(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet FROM threads t JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       WHERE t.patient_id = ? AND t.status IN ('new', 'in_progress') ORDER BY t.last_message_at DESC`,
    );
    // Unread = new patient activity this console has not opened; counted per queue in one pass.
    this.countsStmt = db.prepare<
      { staffId: string },
      { unassigned: number; mine: number; urgent: number; all: number; closed: number }
    >(
      `SELECT
         coalesce(sum(status != 'done' AND assignee_id IS NULL), 0) AS unassigned,
         coalesce(sum(status != 'done' AND assignee_id = @staffId), 0) AS mine,
         coalesce(sum(status != 'done' AND priority IN ('urgent', 'asap', 'stat')), 0) AS urgent,
         coalesce(sum(status != 'done'), 0) AS "all",
         coalesce(sum(status = 'done'), 0) AS closed
       FROM threads WHERE seen_at IS NULL OR seen_at < last_message_at`,
    );
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
    this.upsertStmt.run(record);
  }
  byId(id: string): ThreadRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? threadRecordOf(row) : null;
  }
  listRow(id: string): ThreadListRow | null {
    return this.detailStmt.get(id) ?? null;
  }
  openForPatient(patientId: string): ThreadListRow[] {
    return this.byPatientStmt.all(patientId);
  }
  /** Optimistic local change; the server's version arrives with the next pull. */
  update(record: ThreadRecord): void {
    this.updateStmt.run(record);
  }
  markSeen(id: string, at: string): void {
    this.seenStmt.run(at, id);
  }
  unreadCounts(staffId: string): {
    unassigned: number;
    mine: number;
    urgent: number;
    all: number;
    closed: number;
  } {
    return this.countsStmt.get({ staffId })!;
  }

  /** One page of a queue (newest activity first) and the queue's total. */
  page(q: InboxQuery): { rows: ThreadListRow[]; total: number } {
    const { where, params } = queueWhere(q);
    const all = { ...params, limit: q.limit, offset: q.offset };
    const fts = q.search ? ftsQueryOf(q.search) : null;
    if (q.search && !fts) return { rows: [], total: 0 };
    if (fts) {
      // Search: threads with a matching message, the best-ranked match's snippet shown. FTS5 refuses snippet()
      // under GROUP BY, so the best message's rowid is kept per thread and its snippet taken for the page only.
      const hits = `SELECT m.thread_id AS thread_id, min(f.rank) AS rank, f.rowid AS best
                    FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
                    WHERE messages_fts MATCH @fts GROUP BY m.thread_id`;
      const from = `FROM (${hits}) h JOIN threads t ON t.id = h.thread_id
                    JOIN patients p ON p.id = t.patient_id LEFT JOIN staff s ON s.id = t.assignee_id
                    WHERE ${where.join(' AND ')}`;
      const rows = this.prepared(
        `SELECT page.*, (SELECT snippet(messages_fts, 0, '[', ']', '…', 12) FROM messages_fts
                          WHERE messages_fts MATCH @fts AND rowid = page.best) AS snippet
         FROM (SELECT ${LIST_COLUMNS}, h.best AS best ${from} ORDER BY t.last_message_at DESC, t.id
               LIMIT @limit OFFSET @offset) page`,
      ).all({ ...all, fts }) as (ThreadListRow & { best?: number })[];
      for (const r of rows) delete r.best;
      const total = (this.prepared(`SELECT count(*) AS n ${from}`).get({ ...params, fts }) as { n: number })
        .n;
      return { rows, total };
    }
    const whereSql = where.join(' AND ');
    const rows = this.prepared(
      `SELECT ${LIST_COLUMNS}, NULL AS snippet FROM threads t JOIN patients p ON p.id = t.patient_id
       LEFT JOIN staff s ON s.id = t.assignee_id
       WHERE ${whereSql} ORDER BY t.last_message_at DESC, t.id LIMIT @limit OFFSET @offset`,
    ).all(all) as ThreadListRow[];
    const total = (
      this.prepared(`SELECT count(*) AS n FROM threads t WHERE ${whereSql}`).get(params) as { n: number }
    ).n;
    return { rows, total };
  }
  /** Remove a record the server deleted (sync). */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
