import type { Database } from 'better-sqlite3-multiple-ciphers';
import { PoolRecord } from '../../../src-shared/triage';

interface PoolRow {
  id: string;
  name: string;
  kind: string;
  topics: string;
  sla: string;
  version: number;
}

/** The clinic's triage pools (issue 14a), as the server synced them. */
export class PoolsRepo {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly deleteStmt;
  private readonly kindOfThreadStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO pools (id, name, kind, topics, sla, version) VALUES (@id, @name, @kind, @topics, @sla, @version)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, topics = excluded.topics,
         sla = excluded.sla, version = excluded.version`,
    );
    this.listStmt = db.prepare<[], PoolRow>('SELECT * FROM pools ORDER BY kind DESC, name');
    this.deleteStmt = db.prepare('DELETE FROM pools WHERE id = ?');
    this.kindOfThreadStmt = db
      .prepare<[string], string | null>(
        'SELECT p.kind FROM threads t LEFT JOIN pools p ON p.id = t.pool_id WHERE t.id = ?',
      )
      .pluck();
  }
  upsert(record: PoolRecord): void {
    this.upsertStmt.run({
      ...record,
      topics: JSON.stringify(record.topics),
      sla: JSON.stringify(record.sla),
    });
  }
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
  list(): PoolRecord[] {
    // Stored rows were validated on arrival; parsing again keeps a corrupt row from reaching the renderer.
    return this.listStmt.all().map((r) =>
      PoolRecord.parse({
        ...r,
        topics: JSON.parse(r.topics) as unknown,
        sla: JSON.parse(r.sla) as unknown,
      }),
    );
  }
  byId(id: string): PoolRecord | null {
    return this.list().find((p) => p.id === id) ?? null;
  }
  /**
   * The kind of the pool a thread is in: 'clinical' / 'administrative', null when the thread has no pool or
   * one this PC does not know (callers read null as clinical), undefined when the thread is not held here.
   */
  kindOfThread(threadId: string): 'clinical' | 'administrative' | null | undefined {
    const kind = this.kindOfThreadStmt.get(threadId);
    if (kind === undefined) return undefined;
    return kind === 'clinical' || kind === 'administrative' ? kind : null;
  }
}
