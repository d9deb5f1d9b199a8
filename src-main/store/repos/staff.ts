import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Role, StaffRecord } from '../../../src-shared/domain';

interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  provider_id: string | null;
  version: number;
}
const toRecord = (r: StaffRow): StaffRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  providerId: r.provider_id,
  version: r.version,
});

export interface CredentialRow {
  username: string;
  staff_id: string;
  verifier: string | null;
  verified_at: string | null;
  failed_count: number;
  locked: number;
  last_failed_at: string | null;
}

export class StaffRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  private readonly byUsernameStmt;
  private readonly listStmt;
  private readonly credStmt;
  private readonly saveCredStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO staff (id, username, display_name, role, provider_id, version)
       VALUES (@id, @username, @displayName, @role, @providerId, @version)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
         role = excluded.role, provider_id = excluded.provider_id, version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM staff WHERE id = ?');
    this.byUsernameStmt = db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE username = ?');
    this.listStmt = db.prepare<[], StaffRow>('SELECT * FROM staff ORDER BY display_name');
    this.credStmt = db.prepare<[string], CredentialRow>('SELECT * FROM staff_credentials WHERE username = ?');
    this.saveCredStmt = db.prepare(
      `INSERT INTO staff_credentials (username, staff_id, verifier, verified_at, failed_count, locked, last_failed_at)
       VALUES (@username, @staff_id, @verifier, @verified_at, @failed_count, @locked, @last_failed_at)
       ON CONFLICT (username) DO UPDATE SET staff_id = excluded.staff_id, verifier = excluded.verifier,
         verified_at = excluded.verified_at, failed_count = excluded.failed_count, locked = excluded.locked,
         last_failed_at = excluded.last_failed_at`,
    );
  }
  upsert(record: StaffRecord): void {
    this.upsertStmt.run(record);
  }
  byId(id: string): StaffRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }
  byUsername(username: string): StaffRecord | null {
    const row = this.byUsernameStmt.get(username);
    return row ? toRecord(row) : null;
  }
  list(): StaffRecord[] {
    return this.listStmt.all().map(toRecord);
  }
  credential(username: string): CredentialRow | null {
    return this.credStmt.get(username) ?? null;
  }
  saveCredential(row: CredentialRow): void {
    this.saveCredStmt.run(row);
  }
  /** Remove a record the server deleted (sync). */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
