import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

/**
 * How one reference table stores its records: the clinic data the server owns and a console only mirrors
 * (providers, locations, visit types, triage pools; DESIGN §5 sync).
 */
export interface ReferenceTable<R extends { id: string }> {
  table: string;
  /** The column of each record field (every field, so a new field cannot be forgotten); `id` is the key. */
  columns: { [F in keyof R & string]-?: string };
  /** Fields stored as JSON text (arrays, objects). */
  json?: readonly (keyof R & string)[];
  /** The `ORDER BY` of `list()`, in column names, e.g. 'minutes DESC, name'. */
  orderBy: string;
  /** Checks a record read back (e.g. its zod schema's `parse`); by default it is returned as read. */
  parse?: (record: unknown) => R;
}

/**
 * The one upsert / delete / list / byId repo of a reference table, as sync writes it (the version the server
 * last sent wins; a record the server deleted is deleted). SQLite errors (a missing table, a constraint, a
 * corrupt JSON column) are thrown as they come (`SqliteError`, `SyntaxError`, or the `parse` check's error).
 */
export class ReferenceTableRepo<R extends { id: string }> {
  private readonly upsertStmt: Statement<[Record<string, unknown>]>;
  private readonly listStmt: Statement<[], Record<string, unknown>>;
  private readonly byIdStmt: Statement<[string], Record<string, unknown>>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly fields: [field: string, column: string, json: boolean][];
  constructor(
    db: Database,
    private readonly spec: ReferenceTable<R>,
  ) {
    this.fields = Object.entries<string>(spec.columns).map(([field, column]) => [
      field,
      column,
      spec.json?.includes(field as keyof R & string) ?? false,
    ]);
    const columns = this.fields.map(([, column]) => column);
    const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
    this.upsertStmt = db.prepare(
      `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
    );
    this.listStmt = db.prepare(`SELECT * FROM ${spec.table} ORDER BY ${spec.orderBy}`);
    this.byIdStmt = db.prepare(`SELECT * FROM ${spec.table} WHERE id = ?`);
    this.deleteStmt = db.prepare(`DELETE FROM ${spec.table} WHERE id = ?`);
  }
  /** Insert the record, or overwrite the row with its id. */
  upsert(record: R): void {
    const row: Record<string, unknown> = {};
    for (const [field, column, json] of this.fields) {
      const value = record[field as keyof R];
      row[column] = json ? JSON.stringify(value) : value;
    }
    this.upsertStmt.run(row);
  }
  /** Every record, in the table's `orderBy`. */
  list(): R[] {
    return this.listStmt.all().map((row) => this.toRecord(row));
  }
  byId(id: string): R | null {
    const row = this.byIdStmt.get(id);
    return row ? this.toRecord(row) : null;
  }
  /** Remove a record the server deleted (sync); nothing happens when it is not here. */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
  private toRecord(row: Record<string, unknown>): R {
    const record: Record<string, unknown> = {};
    for (const [field, column, json] of this.fields)
      record[field] = json ? (JSON.parse(row[column] as string) as unknown) : row[column];
    return this.spec.parse ? this.spec.parse(record) : (record as R);
  }
}
