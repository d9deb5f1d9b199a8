import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Role, StaffRecord } from '../../../src-shared/domain';

interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  provider_id: string | null;
  version: number;
  /** 1 while the backend says the account is active (console migration 019). */
  active: number;
}
const toRecord = (r: StaffRow): StaffRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  providerId: r.provider_id,
  version: r.version,
  active: r.active === 1,
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
  private readonly dropVerifierStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  private readonly byUsernameStmt;
  private readonly listStmt;
  private readonly credStmt;
  private readonly saveCredStmt;
  private readonly countFailureStmt;
  private readonly forgiveFailureStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO staff (id, username, display_name, role, provider_id, version, active)
       VALUES (@id, @username, @displayName, @role, @providerId, @version, @active)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
         role = excluded.role, provider_id = excluded.provider_id, version = excluded.version,
         active = excluded.active`,
    );
    this.dropVerifierStmt = db.prepare<[string]>(
      `UPDATE staff_credentials SET verifier = NULL, verified_at = NULL
       WHERE staff_id = ? AND (verifier IS NOT NULL OR verified_at IS NOT NULL)`,
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
    // One statement each, so a failure counted by another attempt is never overwritten by a stale row.
    this.countFailureStmt = db.prepare<
      { username: string; staff_id: string; at: string; lockout: number },
      { failed_count: number }
    >(
      `INSERT INTO staff_credentials (username, staff_id, verifier, verified_at, failed_count, locked, last_failed_at)
       VALUES (@username, @staff_id, NULL, NULL, 1, CASE WHEN 1 >= @lockout THEN 1 ELSE 0 END, @at)
       ON CONFLICT (username) DO UPDATE SET failed_count = failed_count + 1,
         locked = CASE WHEN failed_count + 1 >= @lockout THEN 1 ELSE locked END, last_failed_at = excluded.last_failed_at
       RETURNING failed_count`,
    );
    this.forgiveFailureStmt = db.prepare(
      `UPDATE staff_credentials SET
         locked = CASE WHEN failed_count = @counted THEN @locked ELSE locked END,
         last_failed_at = CASE WHEN failed_count = @counted THEN NULL ELSE last_failed_at END,
         failed_count = CASE WHEN failed_count = @counted THEN 0 ELSE max(failed_count - 1, 0) END
       WHERE username = @username`,
    );
  }
  /**
   * Count one failed attempt now, before the password is checked (issue 11); locks the account on this device
   * at `lockout` failures. Returns the count this attempt wrote.
   */
  countFailure(username: string, staffId: string, at: string, lockout: number): number {
    return this.countFailureStmt.get({ username, staff_id: staffId, at, lockout })!.failed_count;
  }
  /**
   * The attempt that wrote `counted` succeeded: when no other failure was counted since, the count is reset
   * (and the lock flag restored to `lockedBefore`); otherwise only this attempt's own count is taken back, so a
   * success never erases failures counted meanwhile.
   */
  forgiveFailure(username: string, counted: number, lockedBefore: number): void {
    this.forgiveFailureStmt.run({ username, counted, locked: lockedBefore });
  }
  private readonly roleListeners = new Set<(staffId: string, from: Role, to: Role) => void>();
  /**
   * Called, inside the writer's transaction, when an upsert changes a known staff member's role (the audit
   * log records it: issue 11). Returns an unsubscribe function.
   */
  onRoleChange(listener: (staffId: string, from: Role, to: Role) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }
  private readonly deactivationListeners = new Set<(staffId: string) => void>();
  /**
   * Called, inside the writer's transaction, when an upsert marks a staff member inactive (review 7 U9: an admin
   * deactivated the account on the backend). Returns an unsubscribe function.
   */
  onDeactivation(listener: (staffId: string) => void): () => void {
    this.deactivationListeners.add(listener);
    return () => this.deactivationListeners.delete(listener);
  }
  /**
   * Insert or update a staff record (a pull, or an online sign-in's own record). `active: false` also drops the
   * PC's offline verifier of that person (review 7 U9, DESIGN §6: only an online sign-in, which the backend
   * refuses while the account is inactive, makes a new one); an absent `active` is active.
   */
  upsert(record: StaffRecord): void {
    const listening = this.roleListeners.size > 0 || this.deactivationListeners.size > 0;
    const before = listening ? this.byIdStmt.get(record.id) : undefined;
    const active = record.active === false ? 0 : 1;
    this.upsertStmt.run({ ...record, active });
    if (before && before.role !== record.role) {
      for (const l of this.roleListeners) l(record.id, before.role, record.role);
    }
    if (active === 0) {
      this.dropVerifierStmt.run(record.id);
      if (before?.active !== 0) for (const l of this.deactivationListeners) l(record.id);
    }
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
