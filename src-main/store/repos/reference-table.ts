import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

/**
 * How one reference table maps to its records: the clinic data the server owns and a console only mirrors
 * (providers, locations, visit types, triage pools; DESIGN §5 sync). `columns` are the table's column names, `id`
 * first; `toRow` gives a value for each of them; `toRecord` reads a `SELECT *` row back.
 */
export interface ReferenceTable<R extends { id: string }, Row> {
  table: string;
  columns: readonly ['id', ...string[]];
  /** The `ORDER BY` of `list()`, e.g. 'name'. */
  orderBy: string;
  toRow(record: R): Record<string, unknown>;
  toRecord(row: Row): R;
}

/**
 * The one upsert / delete / list / byId repo of a reference table, as sync writes it (last version the server
 * sent wins; a record the server deleted is deleted). SQLite errors (a missing table, a constraint) are thrown
 * as better-sqlite3's `SqliteError`.
 */
export class ReferenceTableRepo<R extends { id: string }, Row> {
  private readonly upsertStmt: Statement<[Record<string, unknown>]>;
  private readonly listStmt: Statement<[], Row>;
  private readonly byIdStmt: Statement<[string], Row>;
  private readonly deleteStmt: Statement<[string]>;
  constructor(
    db: Database,
    private readonly spec: ReferenceTable<R, Row>,
  ) {
    const { table, columns } = spec;
    const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
    this.upsertStmt = db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
    );
    this.listStmt = db.prepare<[], Row>(`SELECT * FROM ${table} ORDER BY ${spec.orderBy}`);
    this.byIdStmt = db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE id = ?`);
    this.deleteStmt = db.prepare<[string]>(`DELETE FROM ${table} WHERE id = ?`);
  }
  /** Insert the record, or overwrite the row with its id. */
  upsert(record: R): void {
    this.upsertStmt.run(this.spec.toRow(record));
  }
  /** Every record, in the table's `orderBy`. */
  list(): R[] {
    return this.listStmt.all().map((row) => this.spec.toRecord(row));
  }
  byId(id: string): R | null {
    const row = this.byIdStmt.get(id);
    return row ? this.spec.toRecord(row) : null;
  }
  /** Remove a record the server deleted (sync); no error when it is not here. */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
