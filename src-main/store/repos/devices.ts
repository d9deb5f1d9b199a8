import type { Database } from 'better-sqlite3-multiple-ciphers';

export class DevicesRepo {
  private readonly upsertStmt;
  private readonly nameStmt;
  private readonly selfStmt;
  private readonly clearSelfStmt;
  constructor(db: Database) {
    this.clearSelfStmt = db.prepare('UPDATE devices SET is_self = 0 WHERE is_self = 1');
    this.upsertStmt = db.prepare(
      `INSERT INTO devices (id, name, is_self) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, is_self = max(is_self, excluded.is_self)`,
    );
    this.nameStmt = db.prepare<[string], { name: string }>('SELECT name FROM devices WHERE id = ?');
    this.selfStmt = db.prepare<[], { id: string; name: string }>(
      'SELECT id, name FROM devices WHERE is_self = 1',
    );
  }
  upsert(id: string, name: string, isSelf = false): void {
    this.upsertStmt.run(id, name, isSelf ? 1 : 0);
  }
  /** This PC's own (newly enrolled) device: the only row marked self. Call inside a transaction. */
  setSelf(id: string, name: string): void {
    this.clearSelfStmt.run();
    this.upsertStmt.run(id, name, 1);
  }
  nameOf(id: string): string | null {
    return this.nameStmt.get(id)?.name ?? null;
  }
  self(): { id: string; name: string } | null {
    return this.selfStmt.get() ?? null;
  }
}
