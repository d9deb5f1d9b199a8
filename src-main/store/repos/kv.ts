import type { Database } from 'better-sqlite3-multiple-ciphers';

/** A small key/value table (settings, sync_state). */
export class KeyValueRepo {
  private readonly getStmt;
  private readonly setStmt;
  constructor(db: Database, table: 'settings' | 'sync_state') {
    this.getStmt = db.prepare<[string], { value: string }>(`SELECT value FROM ${table} WHERE key = ?`);
    this.setStmt = db.prepare(
      `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
  }
  get(key: string): string | null {
    return this.getStmt.get(key)?.value ?? null;
  }
  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}
