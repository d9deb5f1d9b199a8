import type { Database } from 'better-sqlite3-multiple-ciphers';
import { PoolRecord } from '../../../src-shared/triage';
import { ReferenceTableRepo } from './reference-table';

/** The clinic's triage pools (issue 14a), as the server synced them; clinical first, then by name. */
export class PoolsRepo extends ReferenceTableRepo<PoolRecord> {
  private readonly kindOfThreadStmt;
  constructor(db: Database) {
    super(db, {
      table: 'pools',
      columns: { id: 'id', name: 'name', kind: 'kind', topics: 'topics', sla: 'sla', version: 'version' },
      json: ['topics', 'sla'],
      orderBy: 'kind DESC, name',
      // Stored rows were validated on arrival; parsing again keeps a corrupt row from reaching the renderer.
      parse: (record) => PoolRecord.parse(record),
    });
    this.kindOfThreadStmt = db
      .prepare<[string], string | null>(
        'SELECT p.kind FROM threads t LEFT JOIN pools p ON p.id = t.pool_id WHERE t.id = ?',
      )
      .pluck();
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
