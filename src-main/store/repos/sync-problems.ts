import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { SyncProblem } from '../../../src-shared/views';

interface ProblemRow {
  id: string;
  at: string;
  kind: 'conflict' | 'rejected';
  operation: string;
  entity_id: string;
  message: string;
  slot_start: string | null;
}

export class SyncProblemsRepo {
  private readonly addStmt;
  private readonly listStmt;
  private readonly dismissStmt;
  private readonly countStmt;
  constructor(db: Database) {
    this.addStmt = db.prepare(
      `INSERT OR IGNORE INTO sync_problems (id, at, kind, operation, entity_id, message, slot_start)
       VALUES (@id, @at, @kind, @operation, @entityId, @message, @slotStart)`,
    );
    this.listStmt = db.prepare<[], ProblemRow>(
      'SELECT * FROM sync_problems WHERE dismissed = 0 ORDER BY at DESC',
    );
    this.dismissStmt = db.prepare('UPDATE sync_problems SET dismissed = 1 WHERE id = ?');
    this.countStmt = db.prepare<[], { n: number }>(
      'SELECT count(*) AS n FROM sync_problems WHERE dismissed = 0',
    );
  }
  add(problem: SyncProblem): void {
    this.addStmt.run({ ...problem, slotStart: problem.slotStart ?? null });
  }
  list(): SyncProblem[] {
    return this.listStmt.all().map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      operation: r.operation,
      entityId: r.entity_id,
      message: r.message,
      slotStart: r.slot_start,
    }));
  }
  dismiss(id: string): boolean {
    return this.dismissStmt.run(id).changes > 0;
  }
  count(): number {
    return this.countStmt.get()!.n;
  }
}
