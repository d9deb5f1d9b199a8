/** ServerStore on better-sqlite3 (WAL), the embedded default. Its SQL lives here and in schema.ts. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type {
  AppointmentRecord,
  AttachmentRecord,
  AuditRecord,
  MessageRecord,
  PatientRecord,
  ProviderRecord,
  LocationRecord,
  VisitTypeRecord,
  SeriesRecord,
  WaitlistRecord,
  StaffRecord,
  ThreadRecord,
} from '../../src-shared/domain';
import { SLOT_HOLDING_STATUSES, type Role } from '../../src-shared/domain';
import type { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from '../../src-shared/availability';
import {
  exceptionFromRow,
  exceptionParams,
  templateFromRow,
  templateParams,
  type AvailabilityExceptionRow,
  type AvailabilityTemplateRow,
} from './availability-rows';
import type { Change, EntityName } from '../../src-shared/sync';
import { idsByEntity } from './change-refs';
import type { BreakGlassGrant, PoolRecord } from '../../src-shared/triage';
import { MIGRATIONS } from './schema';
import type { AbsenceRecord, CoverageMoveOutcome } from '../../src-shared/coverage';
import type { ClinicSettingsRecord, PoolTemplateRecord } from '../../src-shared/triage';
import {
  ABSENCE_COLUMNS,
  absenceFromRow,
  absenceParams,
  clinicSettingsFromRow,
  coverageMoveFromRow,
  poolTemplateFromRow,
  poolTemplateParams,
  type AbsenceRow,
  type ClinicSettingsRow,
  type CoverageMove,
  type CoverageMoveRow,
  type PoolTemplateRow,
} from './coverage-rows';
import { UnstorableTextError, hasNul } from './text';
import {
  appointmentFromRow,
  appointmentParams,
  attachmentFromRow,
  auditFromRow,
  messageFromRow,
  patientFromRow,
  providerFromRow,
  locationFromRow,
  visitTypeFromRow,
  seriesFromRow,
  waitlistFromRow,
  type JsonRecordRow,
  JSON_RECORD_TABLES,
  jsonRecordParams,
  type JsonRecordEntity,
  staffFromRow,
  threadFromRow,
  threadParams,
  type AppointmentRow,
  type AttachmentRow,
  type AuditRow,
  type MessageRow,
  type PatientRow,
  type ProviderRow,
  type LocationRow,
  type VisitTypeRow,
  type StaffRow,
  type ThreadRow,
  poolFromRow,
  poolParams,
  type PoolRow,
  deviceFromRow,
  refreshTokenFromRow,
  auditAlertFromRow,
  patientLoginFromRow,
  attachmentParams,
  deviceParams,
  messageParams,
  patientParams,
  providerParams,
  staffParams,
  locationParams,
  visitTypeParams,
  type DeviceRow,
  type RefreshTokenRow,
  type AuditAlertRow,
  type PatientLoginRow,
} from './rows';
import type {
  AccessToken,
  AppointmentOrigin,
  AttachmentMeta,
  AuditAlert,
  AuditOrigin,
  AuditReceipt,
  ChangeRef,
  Device,
  DeviceAuditHead,
  PatientLogin,
  PatientMfa,
  PortalToken,
  RefreshToken,
  ServerStore,
  StaffAuth,
  TransactionOptions,
  BreakGlassInsert,
} from './types';

import { ChangeCounts } from './changes-count';
import {
  SQL_ENCODED,
  joinedPageSql,
  pullPageSql,
  recordChangeSql,
  type SqlEncodedEntity,
  type WireOptions,
  type WirePage,
  type WireRow,
} from './wire-json';

const HOLDING = SLOT_HOLDING_STATUSES.map((s) => `'${s}'`).join(',');

/** Entities SqliteStore.loadChanges reads set-based: table and row mapper (as patient(), thread(), … read one). */
const SET_LOADED = {
  patient: ['patients', patientFromRow],
  thread: ['threads', threadFromRow],
  message: ['messages', messageFromRow],
  appointment: ['appointments', appointmentFromRow],
  audit: ['audit_events', auditFromRow],
} as const;

export class SqliteStore implements ServerStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<() => void>();
  /** Set while `fn` of the open transaction runs, in its async context only. */
  private readonly scope = new AsyncLocalStorage<true>();
  /** Settles when the last queued transaction has ended. */
  private tail: Promise<void> = Promise.resolve();
  private inTransaction = false;
  /** Exact counts of the change log after a cursor, from the last page's count (changes-count.ts). */
  private readonly remaining = new ChangeCounts(
    () => this.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM changes')?.seq ?? 0,
    (after, upTo) =>
      // session 7, s7srv: the whole log (a first pull) counted on the narrow (entity, id) index, not the rows,
      // which hold the kept wire texts since schema 11 (9 against 109 ms at scale 100); sequence numbers start at 1
      (after <= 0 && upTo === null
        ? this.one<{ n: number }>('SELECT COUNT(*) AS n FROM changes')?.n
        : this.one<{ n: number }>(
            'SELECT COUNT(*) AS n FROM changes WHERE seq > ? AND seq <= ?',
            after,
            upTo ?? Number.MAX_SAFE_INTEGER,
          )?.n) ?? 0,
  );

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'portal.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // Durable commits (fsync of the WAL before a commit returns): a push answered "applied" must survive a power
    // cut, because the console then moves its push pointer past it and keeps no other copy of an audit event
    // it pushed (DESIGN §5, §7; the console's own rule: src-main/store/durability.ts). PostgreSQL's default,
    // synchronous_commit = on, gives the same.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.utf8Database = this.db.pragma('encoding', { simple: true }) === 'UTF-8';
  }

  /**
   * The database holds its text as UTF-8 (SQLite's default, and what this store creates). A file made elsewhere in
   * UTF-16 would give a joined page's bytes in UTF-16 (pullPage), so such a store serves pages row by row.
   */
  private readonly utf8Database: boolean;

  /** The connection's `PRAGMA synchronous` level (2 = FULL): what a commit waits for before it returns. */
  synchronousLevel(): number {
    return this.db.pragma('synchronous', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    MIGRATIONS.forEach((sql, index) => {
      if (index < current) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${index + 1}`);
      })();
    });
  }

  /** Prepared statements are cached by their SQL text. */
  private sql(text: string): Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  private one<T>(text: string, ...params: unknown[]): T | undefined {
    return this.sql(text).get(...params) as T | undefined;
  }

  private all<T>(text: string, ...params: unknown[]): T[] {
    return this.sql(text).all(...params) as T[];
  }

  private run(text: string, ...params: unknown[]): number {
    if (hasNul(params)) throw new UnstorableTextError();
    return this.sql(text).run(...params).changes;
  }

  /**
   * One transaction at a time on the one connection: `fn` runs between BEGIN IMMEDIATE and COMMIT, and store
   * calls from outside it (other requests) wait until it ends, so they neither see nor join its writes.
   */
  async transaction<T>(fn: () => Promise<T>, _options?: TransactionOptions): Promise<T> {
    if (this.scope.getStore()) return fn();
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.inTransaction = true;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.scope.run(true, fn);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.inTransaction = false;
      release();
    }
  }

  /**
   * True while another caller's transaction is open (a call from inside it passes). Methods loop
   * `while (this.busy()) await this.tail;` and then run their statements synchronously, so nothing can
   * begin a transaction between the check and the statement.
   */
  private busy(): boolean {
    return this.inTransaction && !this.scope.getStore();
  }

  /**
   * Runs the synchronous statements of one store method as one unit: in the caller's open transaction, else in a
   * transaction of their own (BEGIN IMMEDIATE), so a failure between them (disk full, the database locked by the
   * admin CLI) applies none, as PostgresStore's `write` does (session 8, sec8; review 8: `setStaffActive` outside a
   * route's transaction could leave an account inactive but still signed in on its PCs, and a record written
   * without its change row is never pulled: DESIGN §5). One commit instead of one per statement.
   */
  private atomic<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn).immediate();
  }

  /**
   * One write (`sql` with its `params`) and its change-log row for `entity` `id`, as one unit (`atomic`): a record
   * is never written without the change that makes consoles pull it (DESIGN §5). PgStore's `runWithChange` does the
   * same in one statement of its own dialect.
   */
  private runWithChange(entity: EntityName, id: string, sql: string, ...params: unknown[]): void {
    this.atomic(() => {
      this.run(sql, ...params);
      this.recordChange(entity, id);
    });
  }

  async close(): Promise<void> {
    while (this.busy()) await this.tail;
    if (this.db.open) this.db.close();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private recordChange(entity: EntityName, id: string): void {
    // session 7, s7srv: with the record's wire text for a pull (schema 11, server/db/wire-json.ts)
    if (SQL_ENCODED.has(entity)) this.sql(recordChangeSql(entity as SqlEncodedEntity)).run({ entity, id });
    else this.run('INSERT OR REPLACE INTO changes (entity, id) VALUES (?, ?)', entity, id);
    for (const listener of this.listeners) listener();
  }

  async getMeta(key: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return this.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /* ---- staff, devices ---- */

  async insertStaff(r: StaffRecord, passwordHash: string, totpSecret: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'staff',
      r.id,
      `INSERT INTO staff (id, username, display_name, role, provider_id, password_hash, totp_secret, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ...staffParams(r, passwordHash, totpSecret),
    );
  }

  async staff(id: string): Promise<StaffRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<StaffRow>('SELECT * FROM staff WHERE id = ?', id);
    return row ? staffFromRow(row) : null;
  }

  async staffAuthByUsername(username: string): Promise<StaffAuth | null> {
    while (this.busy()) await this.tail;
    const row = this.one<StaffRow>('SELECT * FROM staff WHERE username = ?', username);
    if (!row) return null;
    return {
      record: staffFromRow(row),
      passwordHash: row.password_hash,
      totpSecret: row.totp_secret,
      totpLastStep: row.totp_last_step,
      active: row.active === 1,
    };
  }

  async setStaffActive(staffId: string, active: boolean, at: string): Promise<StaffRecord | null> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      const flag = active ? 1 : 0;
      const changed = this.run(
        'UPDATE staff SET active = ?, version = version + 1 WHERE id = ? AND active <> ?',
        flag,
        staffId,
        flag,
      );
      if (changed > 0) this.recordChange('staff', staffId);
      if (changed > 0 && !active) {
        // The person's tokens end for good: a reactivation does not bring an old session back to life.
        this.run('DELETE FROM access_tokens WHERE staff_id = ?', staffId);
        this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE staff_id = ?', staffId);
        // ...and they count as signed out on every PC (review 8): no device keeps their clearance.
        this.run(
          'UPDATE device_staff SET signed_out_at = ? WHERE staff_id = ? AND signed_out_at IS NULL',
          at,
          staffId,
        );
      }
      const row = this.one<StaffRow>('SELECT * FROM staff WHERE id = ?', staffId);
      return row ? staffFromRow(row) : null;
    });
  }

  async staffOfProvider(providerId: string): Promise<StaffRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<StaffRow>('SELECT * FROM staff WHERE provider_id = ? ORDER BY id', providerId).map(
      staffFromRow,
    );
  }

  async setTotpLastStep(staffId: string, step: number): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('UPDATE staff SET totp_last_step = ? WHERE id = ?', step, staffId);
  }

  async countStaff(): Promise<number> {
    while (this.busy()) await this.tail;
    return this.one<{ n: number }>('SELECT COUNT(*) AS n FROM staff')?.n ?? 0;
  }

  async insertDevice(d: Device): Promise<void> {
    while (this.busy()) await this.tail;
    // Consoles pull device names so every desk's audit trail can say which PC an event came from.
    this.runWithChange(
      'device',
      d.id,
      `INSERT INTO devices (id, name, created_at, revoked_at, secret_hash, enrolled_by, chain_anchor)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ...deviceParams(d),
    );
  }

  async device(id: string): Promise<Device | null> {
    while (this.busy()) await this.tail;
    const row = this.one<DeviceRow>('SELECT * FROM devices WHERE id = ?', id);
    return row ? deviceFromRow(row) : null;
  }

  async linkDeviceStaff(deviceId: string, staffId: string, at: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      `INSERT INTO device_staff (device_id, staff_id, first_at, last_online_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (device_id, staff_id) DO UPDATE SET last_online_at = excluded.last_online_at,
         signed_out_at = NULL`,
      deviceId,
      staffId,
      at,
      at,
    );
  }

  async isDeviceStaff(deviceId: string, staffId: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return !!this.one('SELECT 1 FROM device_staff WHERE device_id = ? AND staff_id = ?', deviceId, staffId);
  }

  /* ---- tokens (hashes only) ---- */

  async insertAccessToken(hash: string, t: AccessToken): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO access_tokens (token_hash, staff_id, device_id, family, expires_at) VALUES (?, ?, ?, ?, ?)',
      hash,
      t.staffId,
      t.deviceId,
      t.family,
      t.expiresAt,
    );
  }

  async accessToken(hash: string): Promise<AccessToken | null> {
    while (this.busy()) await this.tail;
    const row = this.one<{ staff_id: string; device_id: string; family: string; expires_at: number }>(
      'SELECT * FROM access_tokens WHERE token_hash = ?',
      hash,
    );
    return row
      ? { staffId: row.staff_id, deviceId: row.device_id, family: row.family, expiresAt: row.expires_at }
      : null;
  }

  async deleteAccessToken(hash: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('DELETE FROM access_tokens WHERE token_hash = ?', hash);
  }

  async insertRefreshToken(hash: string, t: AccessToken): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO refresh_tokens (token_hash, family, staff_id, device_id, expires_at) VALUES (?, ?, ?, ?, ?)',
      hash,
      t.family,
      t.staffId,
      t.deviceId,
      t.expiresAt,
    );
  }

  async refreshToken(hash: string): Promise<RefreshToken | null> {
    while (this.busy()) await this.tail;
    const row = this.one<RefreshTokenRow>('SELECT * FROM refresh_tokens WHERE token_hash = ?', hash);
    return row ? refreshTokenFromRow(row) : null;
  }

  async markRefreshTokenUsed(hash: string, at: number): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?', at, hash);
  }

  async revokeFamily(family: string): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      this.run('DELETE FROM access_tokens WHERE family = ?', family);
      // Used refresh tokens stay (expired) so a replayed one is still recognised as reuse.
      this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE family = ?', family);
    });
  }

  async insertPortalToken(hash: string, t: PortalToken): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO portal_tokens (token_hash, patient_id, expires_at) VALUES (?, ?, ?)',
      hash,
      t.patientId,
      t.expiresAt,
    );
  }

  async portalToken(hash: string): Promise<PortalToken | null> {
    while (this.busy()) await this.tail;
    const row = this.one<{ patient_id: string; expires_at: number }>(
      'SELECT * FROM portal_tokens WHERE token_hash = ?',
      hash,
    );
    return row ? { patientId: row.patient_id, expiresAt: row.expires_at } : null;
  }

  async purgeExpired(now: number): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('DELETE FROM access_tokens WHERE expires_at < ?', now);
    this.run('DELETE FROM portal_tokens WHERE expires_at < ?', now);
    this.run(
      'DELETE FROM refresh_tokens WHERE expires_at < ? AND (used_at IS NULL OR used_at < ?)',
      now,
      now - 30 * 86_400_000,
    );
    this.run('DELETE FROM auth_failures WHERE at < ?', now - 86_400_000);
  }

  async addAuthFailure(key: string, at: number): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('INSERT INTO auth_failures (key, at) VALUES (?, ?)', key, at);
  }

  async authFailuresSince(key: string, since: number): Promise<number[]> {
    while (this.busy()) await this.tail;
    return this.all<{ at: number }>(
      'SELECT at FROM auth_failures WHERE key = ? AND at >= ? ORDER BY at',
      key,
      since,
    ).map((r) => r.at);
  }

  async clearAuthFailures(key: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('DELETE FROM auth_failures WHERE key = ?', key);
  }

  /* ---- providers, patients ---- */

  async insertProvider(r: ProviderRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'provider',
      r.id,
      `INSERT INTO providers (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version,
         location_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ...providerParams(r),
    );
  }

  // issue 13a: clinic locations
  async upsertLocation(r: LocationRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'location',
      r.id,
      `INSERT INTO locations (id, name, time_zone, version, walk_in_minutes) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
         version = excluded.version, walk_in_minutes = excluded.walk_in_minutes`,
      ...locationParams(r),
    );
  }

  async location(id: string): Promise<LocationRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<LocationRow>('SELECT * FROM locations WHERE id = ?', id);
    return row ? locationFromRow(row) : null;
  }

  async locations(): Promise<LocationRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<LocationRow>('SELECT * FROM locations ORDER BY id').map(locationFromRow);
  }

  async upsertVisitType(r: VisitTypeRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'visitType',
      r.id,
      `INSERT INTO visit_types (id, name, minutes, provider_ids, version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, minutes = excluded.minutes,
         provider_ids = excluded.provider_ids, version = excluded.version`,
      ...visitTypeParams(r),
    );
  }

  async visitType(id: string): Promise<VisitTypeRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<VisitTypeRow>('SELECT * FROM visit_types WHERE id = ?', id);
    return row ? visitTypeFromRow(row) : null;
  }

  async visitTypes(): Promise<VisitTypeRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<VisitTypeRow>('SELECT * FROM visit_types ORDER BY id').map(visitTypeFromRow);
  }

  async deviceLastChangeAt(deviceId: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ last_change_at: string | null }>('SELECT last_change_at FROM devices WHERE id = ?', deviceId)
        ?.last_change_at ?? null
    );
  }

  async raiseDeviceLastChangeAt(deviceId: string, at: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      `UPDATE devices SET last_change_at = ? WHERE id = ? AND (last_change_at IS NULL OR last_change_at < ?)`,
      at,
      deviceId,
      at,
    );
  }

  // session 4, 13c: availability (issue 13 §3)
  async upsertAvailabilityTemplate(r: AvailabilityTemplateRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'availabilityTemplate',
      r.id,
      `INSERT INTO availability_templates (id, provider_id, location_id, blocks, version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET blocks = excluded.blocks, version = excluded.version`,
      ...templateParams(r),
    );
  }

  async availabilityTemplate(id: string): Promise<AvailabilityTemplateRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AvailabilityTemplateRow>('SELECT * FROM availability_templates WHERE id = ?', id);
    return row ? templateFromRow(row) : null;
  }

  async availabilityTemplateFor(
    providerId: string,
    locationId: string,
  ): Promise<AvailabilityTemplateRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AvailabilityTemplateRow>(
      'SELECT * FROM availability_templates WHERE provider_id = ? AND location_id = ?',
      providerId,
      locationId,
    );
    return row ? templateFromRow(row) : null;
  }

  async insertAvailabilityException(r: AvailabilityExceptionRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'availabilityException',
      r.id,
      `INSERT INTO availability_exceptions (id, kind, location_id, provider_id, from_date, to_date, start_minute,
         end_minute, label, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...exceptionParams(r),
    );
  }

  async availabilityException(id: string): Promise<AvailabilityExceptionRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AvailabilityExceptionRow>('SELECT * FROM availability_exceptions WHERE id = ?', id);
    return row ? exceptionFromRow(row) : null;
  }

  async deleteAvailabilityException(id: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      if (!this.one('SELECT 1 AS x FROM availability_exceptions WHERE id = ?', id)) return false;
      this.run('DELETE FROM availability_exceptions WHERE id = ?', id);
      this.recordChange('availabilityException', id);
      return true;
    });
  }

  async availabilityExceptions(
    locationId: string,
    fromDate: string,
    toDate: string,
  ): Promise<AvailabilityExceptionRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<AvailabilityExceptionRow>(
      `SELECT * FROM availability_exceptions WHERE location_id = ? AND to_date >= ? AND from_date <= ?
       ORDER BY from_date, id`,
      locationId,
      fromDate,
      toDate,
    ).map(exceptionFromRow);
  }

  async deviceStaffFirstAt(deviceId: string, staffId: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ first_at: string | null }>(
        'SELECT first_at FROM device_staff WHERE device_id = ? AND staff_id = ?',
        deviceId,
        staffId,
      )?.first_at ?? null
    );
  }

  async patientUpcomingVisitCount(
    patientId: string,
    after: string,
    origin: AppointmentOrigin,
  ): Promise<number> {
    while (this.busy()) await this.tail;
    return this.one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM appointments WHERE patient_id = ? AND start > ? AND created_via = ?
         AND status IN (${HOLDING})`,
      patientId,
      after,
      origin,
    )!.n;
  }

  async patientVisitsOverlapping(
    patientId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<AppointmentRow>(
      `SELECT * FROM appointments WHERE patient_id = ? AND start < ? AND "end" > ? AND id IS NOT ?
         AND status IN (${HOLDING}) ORDER BY start`,
      patientId,
      end,
      start,
      excludeId,
    ).map(appointmentFromRow);
  }

  async setProviderLocation(providerId: string, locationId: string): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      if (!this.one('SELECT 1 AS x FROM locations WHERE id = ?', locationId))
        throw new Error('Unknown location.');
      this.run(
        'UPDATE providers SET location_id = ?, version = version + 1 WHERE id = ?',
        locationId,
        providerId,
      );
      this.recordChange('provider', providerId);
    });
  }

  async provider(id: string): Promise<ProviderRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<ProviderRow>('SELECT * FROM providers WHERE id = ?', id);
    return row ? providerFromRow(row) : null;
  }

  async providers(): Promise<ProviderRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<ProviderRow>('SELECT * FROM providers ORDER BY id').map(providerFromRow);
  }

  async insertPatient(r: PatientRecord, portalPasswordHash: string | null): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'patient',
      r.id,
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, portal_password_hash, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ...patientParams(r, portalPasswordHash),
    );
  }

  async patient(id: string): Promise<PatientRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<PatientRow>('SELECT * FROM patients WHERE id = ?', id);
    return row ? patientFromRow(row) : null;
  }

  async patientAuthByMrn(
    mrn: string,
  ): Promise<{ record: PatientRecord; portalPasswordHash: string | null } | null> {
    while (this.busy()) await this.tail;
    const row = this.one<PatientRow>('SELECT * FROM patients WHERE mrn = ?', mrn);
    return row ? { record: patientFromRow(row), portalPasswordHash: row.portal_password_hash } : null;
  }

  /* ---- threads, messages, attachments ---- */

  async insertThread(r: ThreadRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'thread',
      r.id,
      `INSERT INTO threads (patient_id, subject, status, priority, assignee_id, provider_id, created_at,
         updated_at, last_message_at, due_at, topic, pool_id, version, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...threadParams(r),
    );
  }

  async updateThread(r: ThreadRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'thread',
      r.id,
      `UPDATE threads SET patient_id = ?, subject = ?, status = ?, priority = ?, assignee_id = ?, provider_id = ?,
         created_at = ?, updated_at = ?, last_message_at = ?, due_at = ?, topic = ?, pool_id = ?, version = ?
       WHERE id = ?`,
      ...threadParams(r),
    );
  }

  async thread(id: string): Promise<ThreadRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<ThreadRow>('SELECT * FROM threads WHERE id = ?', id);
    return row ? threadFromRow(row) : null;
  }

  async threadsOfPatient(patientId: string, limit: number): Promise<ThreadRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<ThreadRow>(
      'SELECT * FROM threads WHERE patient_id = ? ORDER BY last_message_at DESC, id LIMIT ?',
      patientId,
      limit,
    ).map(threadFromRow);
  }

  async insertMessage(r: MessageRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'message',
      r.id,
      `INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ...messageParams(r),
    );
  }

  async message(id: string): Promise<MessageRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<MessageRow>('SELECT * FROM messages WHERE id = ?', id);
    return row ? messageFromRow(row) : null;
  }

  async messagesOfThread(threadId: string): Promise<MessageRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<MessageRow>(
      'SELECT * FROM messages WHERE thread_id = ? ORDER BY sent_at, id',
      threadId,
    ).map(messageFromRow);
  }

  async insertAttachment(r: AttachmentRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'attachment',
      r.id,
      `INSERT INTO attachments (id, message_id, file_name, mime_type, size, content, version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ...attachmentParams(r),
    );
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AttachmentRow>('SELECT * FROM attachments WHERE id = ?', id);
    return row ? attachmentFromRow(row) : null;
  }

  async attachmentsOfThread(threadId: string): Promise<AttachmentMeta[]> {
    while (this.busy()) await this.tail;
    return this.all<Omit<AttachmentRow, 'content' | 'version'>>(
      `SELECT a.id, a.message_id, a.file_name, a.mime_type, a.size FROM attachments a
       JOIN messages m ON m.id = a.message_id WHERE m.thread_id = ? ORDER BY a.id`,
      threadId,
    ).map((r) => ({
      id: r.id,
      messageId: r.message_id,
      fileName: r.file_name,
      mimeType: r.mime_type,
      size: r.size,
    }));
  }

  /* ---- appointments ---- */

  async insertAppointment(r: AppointmentRecord, origin: AppointmentOrigin): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'appointment',
      r.id,
      `INSERT INTO appointments (patient_id, provider_id, start, "end", status, reason, cancel_reason, virtual_link,
         version, id, cancel_code, overlap_reason, series_id, created_via)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...appointmentParams(r),
      origin,
    );
  }

  async updateAppointment(r: AppointmentRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'appointment',
      r.id,
      `UPDATE appointments SET patient_id = ?, provider_id = ?, start = ?, "end" = ?, status = ?, reason = ?,
         cancel_reason = ?, virtual_link = ?, version = ?, cancel_code = ?, overlap_reason = ? WHERE id = ?`,
      ...appointmentParams(r).slice(0, 9),
      r.cancelCode,
      r.overlapReason,
      r.id,
    );
  }

  async appointment(id: string): Promise<AppointmentRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', id);
    return row ? appointmentFromRow(row) : null;
  }

  async appointmentOrigin(id: string): Promise<AppointmentOrigin | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ created_via: AppointmentOrigin }>('SELECT created_via FROM appointments WHERE id = ?', id)
        ?.created_via ?? null
    );
  }

  async findSlotHolder(
    providerId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord | null> {
    while (this.busy()) await this.tail;
    // Times are normalised UTC ISO strings, so text comparison is time order.
    const row = this.one<AppointmentRow>(
      `SELECT * FROM appointments WHERE provider_id = ? AND start < ? AND "end" > ? AND id IS NOT ?
         AND status IN (${HOLDING}) ORDER BY start LIMIT 1`,
      providerId,
      end,
      start,
      excludeId,
    );
    return row ? appointmentFromRow(row) : null;
  }

  async appointmentsOfPatient(patientId: string, limit: number): Promise<AppointmentRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<AppointmentRow>(
      'SELECT * FROM appointments WHERE patient_id = ? ORDER BY start DESC LIMIT ?',
      patientId,
      limit,
    ).map(appointmentFromRow);
  }

  /* ---- audit ---- */

  async insertAuditEvent(r: AuditRecord, origin: AuditOrigin): Promise<void> {
    while (this.busy()) await this.tail;
    this.insertAudit(r, origin, null, 0);
  }

  private insertAudit(
    r: AuditRecord,
    origin: AuditOrigin,
    receivedAt: string | null,
    skewFlag: number,
  ): void {
    this.run(
      `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
         fields_json, actor_kind, prev_hash, hash, version, origin, received_at, skew_flag, purpose_of_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.at,
      r.staffId,
      r.role,
      r.deviceId,
      r.action,
      r.entityType,
      r.entityId,
      r.outcome,
      JSON.stringify(r.fields),
      r.actorKind,
      r.prevHash,
      r.hash,
      r.version,
      origin,
      receivedAt,
      skewFlag,
      r.purposeOfEvent ?? null,
    );
    this.recordChange('audit', r.id);
  }

  async auditEvent(id: string): Promise<AuditRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AuditRow>('SELECT * FROM audit_events WHERE id = ?', id);
    return row ? auditFromRow(row) : null;
  }

  async lastServerAuditHash(): Promise<string> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ hash: string }>(
        "SELECT hash FROM audit_events WHERE origin = 'server' ORDER BY seq DESC LIMIT 1",
      )?.hash ?? ''
    );
  }

  async auditForEntity(entityType: string, entityId: string, limit: number): Promise<AuditRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<AuditRow>(
      'SELECT * FROM audit_events WHERE entity_type = ? AND entity_id = ? ORDER BY at DESC, seq DESC LIMIT ?',
      entityType,
      entityId,
      limit,
    ).map(auditFromRow);
  }

  /* ---- change log ---- */

  async latestSeq(): Promise<number> {
    while (this.busy()) await this.tail;
    return this.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM changes')?.seq ?? 0;
  }

  async changesAfter(after: number, limit: number): Promise<ChangeRef[]> {
    while (this.busy()) await this.tail;
    return this.all<ChangeRef>(
      'SELECT seq, entity, id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
      after,
      limit,
    );
  }

  async countChangesAfter(after: number, page?: { from: number; rows: number }): Promise<number> {
    while (this.busy()) await this.tail;
    return this.remaining.count(after, page);
  }

  async loadChange(entity: EntityName, id: string): Promise<Change> {
    while (this.busy()) await this.tail;
    switch (entity) {
      case 'staff':
        return { entity, id, data: await this.staff(id) };
      case 'provider':
        return { entity, id, data: await this.provider(id) };
      case 'patient':
        return { entity, id, data: await this.patient(id) };
      case 'thread':
        return { entity, id, data: await this.thread(id) };
      case 'message':
        return { entity, id, data: await this.message(id) };
      case 'attachment':
        return { entity, id, data: await this.attachment(id) };
      case 'appointment':
        return { entity, id, data: await this.appointment(id) };
      case 'audit':
        return { entity, id, data: await this.auditEvent(id) };
      case 'device': {
        const d = await this.device(id);
        return { entity, id, data: d ? { id: d.id, name: d.name, version: 1 } : null };
      }
      case 'location':
        return { entity, id, data: await this.location(id) };
      case 'visitType':
        return { entity, id, data: await this.visitType(id) };
      case 'pool':
        return { entity, id, data: await this.triagePool(id) };
      case 'series':
        return { entity, id, data: await this.series(id) };
      case 'waitlist':
        return { entity, id, data: await this.waitlistEntry(id) };
      case 'availabilityTemplate':
        return { entity, id, data: await this.availabilityTemplate(id) };
      case 'availabilityException':
        return { entity, id, data: await this.availabilityException(id) };
      // session 4, 14c
      case 'absence':
        return { entity, id, data: await this.absence(id) };
      case 'clinicSettings': {
        const row = this.one<ClinicSettingsRow>('SELECT * FROM clinic_settings WHERE id = ?', id);
        return { entity, id, data: row ? clinicSettingsFromRow(row) : null };
      }
      case 'poolTemplate':
        return { entity, id, data: await this.poolTemplate(id) };
    }
  }

  /* ---- issue 13 §4/§5: recurring series, waitlist ---- */

  async series(id: string): Promise<SeriesRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.jsonRecordRow('series', id);
    return row ? seriesFromRow(row) : null;
  }

  async putSeries(r: SeriesRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.putJsonRecord('series', r);
  }

  async waitlistEntry(id: string): Promise<WaitlistRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.jsonRecordRow('waitlist', id);
    return row ? waitlistFromRow(row) : null;
  }

  async putWaitlistEntry(r: WaitlistRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.putJsonRecord('waitlist', r);
  }

  /** The row of `entity` `id` in its JSON-record table (JSON_RECORD_TABLES), or undefined if there is none. */
  private jsonRecordRow(entity: JsonRecordEntity, id: string): JsonRecordRow | undefined {
    return this.one<JsonRecordRow>(`SELECT * FROM ${JSON_RECORD_TABLES[entity]} WHERE id = ?`, id);
  }

  /** Inserts or replaces record `r` of `entity` in its JSON-record table, with its change (`runWithChange`). */
  private putJsonRecord(entity: JsonRecordEntity, r: SeriesRecord | WaitlistRecord): void {
    this.runWithChange(
      entity,
      r.id,
      `INSERT INTO ${JSON_RECORD_TABLES[entity]} (id, data, version) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = excluded.version`,
      ...jsonRecordParams(r),
    );
  }

  /* ---- issue 14a: triage pools, device clearance ---- */

  async pools(): Promise<PoolRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<PoolRow>('SELECT * FROM pools ORDER BY id').map(poolFromRow);
  }

  async triagePool(id: string): Promise<PoolRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<PoolRow>('SELECT * FROM pools WHERE id = ?', id);
    return row ? poolFromRow(row) : null;
  }

  async upsertPool(r: PoolRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'pool',
      r.id,
      `INSERT INTO pools (name, kind, topics, sla, version, id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, topics = excluded.topics,
         sla = excluded.sla, version = excluded.version`,
      ...poolParams(r),
    );
  }

  async insertBreakGlass(g: BreakGlassInsert): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      `INSERT INTO break_glass (id, staff_id, device_id, entity_type, entity_id, reason, opened_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      g.id,
      g.staffId,
      g.deviceId,
      g.entityType,
      g.entityId,
      g.reason,
      g.openedAt,
      g.expiresAt,
    );
  }

  async activeBreakGlass(staffId: string, entityId: string, nowIso: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ one: number }>(
        'SELECT 1 AS one FROM break_glass WHERE staff_id = ? AND entity_id = ? AND expires_at > ? LIMIT 1',
        staffId,
        entityId,
        nowIso,
      ) !== undefined
    );
  }

  async breakGlassReport(limit: number): Promise<BreakGlassGrant[]> {
    while (this.busy()) await this.tail;
    return this.all<BreakGlassGrant>(
      `SELECT g.id, g.staff_id AS "staffId", s.display_name AS "staffName", s.role AS role, g.device_id AS "deviceId",
         g.entity_type AS "entityType", g.entity_id AS "entityId", g.reason, g.opened_at AS "openedAt",
         g.expires_at AS "expiresAt", g.acknowledged_by AS "acknowledgedBy", g.acknowledged_at AS "acknowledgedAt",
         (SELECT count(*) FROM audit_events e WHERE e.purpose_of_event = 'BTG' AND e.action = 'read'
            AND e.origin = 'console' AND e.staff_id = g.staff_id AND e.entity_id = g.entity_id
            AND e.at >= g.opened_at AND e.at <= g.expires_at) AS reads,
         (SELECT count(*) FROM audit_events e WHERE e.purpose_of_event = 'BTG' AND e.action = 'read'
            AND e.origin = 'server' AND e.staff_id = g.staff_id AND e.entity_id = g.entity_id
            AND e.at >= g.opened_at AND e.at <= g.expires_at) AS served
       FROM break_glass g LEFT JOIN staff s ON s.id = g.staff_id
       ORDER BY g.opened_at DESC, g.id LIMIT ?`,
      limit,
    );
  }

  async acknowledgeBreakGlass(id: string, staffId: string, at: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return (
      this.run(
        'UPDATE break_glass SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL',
        staffId,
        at,
        id,
      ) > 0 || this.one<{ one: number }>('SELECT 1 AS one FROM break_glass WHERE id = ?', id) !== undefined
    );
  }

  async deviceStaffRoles(deviceId: string, onlineSince: string): Promise<Role[]> {
    while (this.busy()) await this.tail;
    return this.all<{ role: Role }>(
      `SELECT DISTINCT s.role AS role FROM device_staff d JOIN staff s ON s.id = d.staff_id
       WHERE d.device_id = ? AND d.signed_out_at IS NULL AND d.last_online_at >= ? AND s.active = 1`,
      deviceId,
      onlineSince,
    ).map((r) => r.role);
  }

  /* ---- session 4, 14c: coverage, clinic settings, pool templates ---- */

  async upsertAbsence(a: AbsenceRecord): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      const cols = ABSENCE_COLUMNS.join(', ');
      const sets = ABSENCE_COLUMNS.filter((c) => c !== 'id')
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      this.run(
        `INSERT INTO absences (${cols}) VALUES (${ABSENCE_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (id) DO UPDATE SET ${sets}`,
        ...absenceParams(a),
      );
      this.recordChange('absence', a.id);
    });
  }

  async absence(id: string): Promise<AbsenceRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<AbsenceRow>('SELECT * FROM absences WHERE id = ?', id);
    return row ? absenceFromRow(row) : null;
  }

  async absencesInvolving(staffIds: readonly string[]): Promise<AbsenceRecord[]> {
    while (this.busy()) await this.tail;
    const list = JSON.stringify(staffIds);
    return this.all<AbsenceRow>(
      `SELECT * FROM absences WHERE phase <> 'ended' AND (staff_id IN (SELECT value FROM json_each(?))
         OR cover_id IN (SELECT value FROM json_each(?))) ORDER BY starts_at, id`,
      list,
      list,
    ).map(absenceFromRow);
  }

  async absencesDue(nowIso: string): Promise<AbsenceRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<AbsenceRow>(
      "SELECT * FROM absences WHERE phase <> 'ended' AND starts_at <= ? ORDER BY starts_at, id",
      nowIso,
    ).map(absenceFromRow);
  }

  async openThreadsAssignedTo(staffId: string, limit: number): Promise<ThreadRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<ThreadRow>(
      "SELECT * FROM threads WHERE assignee_id = ? AND status <> 'done' ORDER BY id LIMIT ?",
      staffId,
      limit,
    ).map(threadFromRow);
  }

  async openAssignedThreadsOfPool(poolId: string): Promise<ThreadRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<ThreadRow>(
      "SELECT * FROM threads WHERE pool_id = ? AND assignee_id IS NOT NULL AND status <> 'done' ORDER BY id",
      poolId,
    ).map(threadFromRow);
  }

  async upsertCoverageMove(m: CoverageMove): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      `INSERT OR REPLACE INTO coverage_moves
         (absence_id, thread_id, from_staff, to_staff, moved_at, returned_at, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      m.absenceId,
      m.threadId,
      m.fromStaff,
      m.toStaff,
      m.movedAt,
      m.returnedAt,
      m.outcome,
    );
  }

  async openCoverageMoves(absenceId: string): Promise<CoverageMove[]> {
    while (this.busy()) await this.tail;
    return this.all<CoverageMoveRow>(
      'SELECT * FROM coverage_moves WHERE absence_id = ? AND returned_at IS NULL ORDER BY thread_id',
      absenceId,
    ).map(coverageMoveFromRow);
  }

  async settleCoverageMove(
    absenceId: string,
    threadId: string,
    at: string,
    outcome: CoverageMoveOutcome,
  ): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'UPDATE coverage_moves SET returned_at = ?, outcome = ? WHERE absence_id = ? AND thread_id = ?',
      at,
      outcome,
      absenceId,
      threadId,
    );
  }

  async clinicSettings(): Promise<ClinicSettingsRecord> {
    while (this.busy()) await this.tail;
    return clinicSettingsFromRow(
      this.one<ClinicSettingsRow>("SELECT * FROM clinic_settings WHERE id = 'clinic'")!,
    );
  }

  async setClinicSettings(r: ClinicSettingsRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'clinicSettings',
      r.id,
      `INSERT INTO clinic_settings (id, break_glass_minutes, version) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET break_glass_minutes = excluded.break_glass_minutes,
         version = excluded.version`,
      r.id,
      r.breakGlassMinutes,
      r.version,
    );
  }

  async poolTemplates(): Promise<PoolTemplateRecord[]> {
    while (this.busy()) await this.tail;
    return this.all<PoolTemplateRow>('SELECT * FROM pool_templates ORDER BY pool_id, title, id').map(
      poolTemplateFromRow,
    );
  }

  async poolTemplate(id: string): Promise<PoolTemplateRecord | null> {
    while (this.busy()) await this.tail;
    const row = this.one<PoolTemplateRow>('SELECT * FROM pool_templates WHERE id = ?', id);
    return row ? poolTemplateFromRow(row) : null;
  }

  async upsertPoolTemplate(t: PoolTemplateRecord): Promise<void> {
    while (this.busy()) await this.tail;
    this.runWithChange(
      'poolTemplate',
      t.id,
      `INSERT INTO pool_templates (id, pool_id, title, body, version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pool_id = excluded.pool_id, title = excluded.title,
         body = excluded.body, version = excluded.version`,
      ...poolTemplateParams(t),
    );
  }

  async deletePoolTemplate(id: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      if (this.run('DELETE FROM pool_templates WHERE id = ?', id) === 0) return false;
      this.recordChange('poolTemplate', id);
      return true;
    });
  }

  /**
   * The records of a page of changes, in the refs' order (data null for a deleted record). The high-volume
   * entities (SET_LOADED) are read with one statement per entity for the whole page instead of one awaited
   * lookup each (session 5, 16s: issue 16 §2, an initial sync's backend CPU); the rest one by one.
   */
  async loadChanges(refs: readonly ChangeRef[]): Promise<Change[]> {
    while (this.busy()) await this.tail;
    const found = new Map<string, unknown>();
    for (const [entity, list] of idsByEntity(refs, (entity) => entity in SET_LOADED)) {
      const [table, fromRow] = SET_LOADED[entity as keyof typeof SET_LOADED];
      const rows = this.all<{ id: string }>(
        `SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(list),
      );
      for (const row of rows) found.set(`${entity}:${row.id}`, (fromRow as (r: unknown) => unknown)(row));
    }
    const out: Change[] = [];
    for (const ref of refs) {
      if (ref.entity in SET_LOADED) {
        const data = found.get(`${ref.entity}:${ref.id}`) ?? null;
        out.push({ entity: ref.entity, id: ref.id, data } as Change);
      } else out.push(await this.loadChange(ref.entity, ref.id));
    }
    return out;
  }

  /**
   * Session 7, s7srv: see ServerStore.pullPage. Joinable: the page as one run of bytes of the kept wire texts (one
   * statement), and the rows that need more (wire-json.ts specialSql) read with their records encoded here.
   * The bytes are the text as SQLite holds it, so only for a UTF-8 database (utf8Database), and checked: SQLite
   * keeps what it was given, and a lone UTF-16 surrogate bound from JavaScript is stored as bytes that are not
   * UTF-8 (ED A0 80); such a page is decoded and encoded again, each bad byte becoming U+FFFD as the text path did
   * before session 16 (review of session 16). Checking costs about 2 ms for the 113 pages of a scale-100 sync.
   */
  async pullPage(after: number, limit: number, options: WireOptions, joinable = true): Promise<WirePage> {
    while (this.busy()) await this.tail;
    if (!joinable || !this.utf8Database) {
      const rows = this.all<WireRow>(pullPageSql('sqlite', { ...options, stored: true }), after, limit);
      return { joined: null, rows, last: rows.at(-1)?.seq ?? null, count: rows.length };
    }
    const head = this.one<{ joined: Buffer | null; last: number | null; n: number; specials: number | null }>(
      joinedPageSql(options),
      after,
      limit,
    )!;
    const rows =
      (head.specials ?? 0) > 0
        ? this.all<WireRow>(pullPageSql('sqlite', { ...options, stored: true }, true), after, head.last)
        : [];
    const joined = head.joined ?? Buffer.alloc(0);
    return {
      joined: isUtf8(joined) ? joined : Buffer.from(joined.toString('utf8'), 'utf8'),
      rows,
      last: head.last,
      count: head.n,
    };
  }

  /* ---- issue 10: enrolled devices, attribution, per-device audit chains ---- */

  async devices(): Promise<Device[]> {
    while (this.busy()) await this.tail;
    return this.all<DeviceRow>('SELECT * FROM devices ORDER BY created_at DESC, id').map(deviceFromRow);
  }

  async revokeDevice(id: string, at: string): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      this.run('UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', at, id);
      this.run('DELETE FROM access_tokens WHERE device_id = ?', id);
      this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE device_id = ?', id);
    });
  }

  async deviceStaffLastOnline(deviceId: string, staffId: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ last_online_at: string | null }>(
        'SELECT last_online_at FROM device_staff WHERE device_id = ? AND staff_id = ?',
        deviceId,
        staffId,
      )?.last_online_at ?? null
    );
  }

  async copyDeviceStaff(from: string, to: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      `INSERT OR IGNORE INTO device_staff (device_id, staff_id, first_at, last_online_at, signed_out_at)
       SELECT ?, staff_id, first_at, last_online_at, signed_out_at FROM device_staff WHERE device_id = ?`,
      to,
      from,
    );
  }

  async markDeviceStaffSignedOut(deviceId: string, staffId: string, at: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'UPDATE device_staff SET signed_out_at = ? WHERE device_id = ? AND staff_id = ?',
      at,
      deviceId,
      staffId,
    );
  }

  async deviceStaffSignedOutAt(deviceId: string, staffId: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ signed_out_at: string | null }>(
        'SELECT signed_out_at FROM device_staff WHERE device_id = ? AND staff_id = ?',
        deviceId,
        staffId,
      )?.signed_out_at ?? null
    );
  }

  async deviceAuditHead(deviceId: string): Promise<DeviceAuditHead | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<DeviceAuditHead>(
        `SELECT id, hash, at FROM audit_events WHERE device_id = ? AND origin = 'console'
         ORDER BY seq DESC LIMIT 1`,
        deviceId,
      ) ?? null
    );
  }

  async deviceAuditHasHash(deviceId: string, hash: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return !!this.one(
      "SELECT 1 FROM audit_events WHERE device_id = ? AND origin = 'console' AND hash = ?",
      deviceId,
      hash,
    );
  }

  async insertConsoleAuditEvent(r: AuditRecord, receipt: AuditReceipt): Promise<void> {
    while (this.busy()) await this.tail;
    this.insertAudit(r, 'console', receipt.receivedAt, receipt.skewFlag ? 1 : 0);
  }

  async insertAuditAlert(a: Omit<AuditAlert, 'seq'>): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO audit_alerts (at, device_id, event_id, kind, detail) VALUES (?, ?, ?, ?, ?)',
      a.at,
      a.deviceId,
      a.eventId,
      a.kind,
      a.detail,
    );
  }

  async auditAlerts(limit: number): Promise<AuditAlert[]> {
    while (this.busy()) await this.tail;
    return this.all<AuditAlertRow>('SELECT * FROM audit_alerts ORDER BY seq DESC LIMIT ?', limit).map(
      auditAlertFromRow,
    );
  }

  async setPasswordHash(staffId: string, passwordHash: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('UPDATE staff SET password_hash = ? WHERE id = ?', passwordHash, staffId);
  }

  async setPortalPasswordHash(patientId: string, passwordHash: string): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('UPDATE patients SET portal_password_hash = ? WHERE id = ?', passwordHash, patientId);
  }

  async patientMfa(patientId: string): Promise<PatientMfa | null> {
    while (this.busy()) await this.tail;
    const row = this.one<{ secret: string; enabled: number; last_step: number }>(
      'SELECT secret, enabled, last_step FROM patient_mfa WHERE patient_id = ?',
      patientId,
    );
    return row ? { secret: row.secret, enabled: row.enabled === 1, lastStep: row.last_step } : null;
  }

  async setPatientMfaSecret(patientId: string, secret: string): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      this.run(
        `INSERT INTO patient_mfa (patient_id, secret, enabled, last_step) VALUES (?, ?, 0, -1)
         ON CONFLICT (patient_id) DO UPDATE SET secret = excluded.secret, enabled = 0, last_step = -1`,
        patientId,
        secret,
      );
      this.run('DELETE FROM patient_recovery_codes WHERE patient_id = ?', patientId);
    });
  }

  async enablePatientMfa(patientId: string, step: number, recoveryCodeHashes: string[]): Promise<void> {
    while (this.busy()) await this.tail;
    return this.atomic(() => {
      this.run('UPDATE patient_mfa SET enabled = 1, last_step = ? WHERE patient_id = ?', step, patientId);
      this.run('DELETE FROM patient_recovery_codes WHERE patient_id = ?', patientId);
      for (const hash of recoveryCodeHashes) {
        this.run('INSERT INTO patient_recovery_codes (patient_id, code_hash) VALUES (?, ?)', patientId, hash);
      }
    });
  }

  async setPatientMfaLastStep(patientId: string, step: number): Promise<void> {
    while (this.busy()) await this.tail;
    this.run('UPDATE patient_mfa SET last_step = ? WHERE patient_id = ?', step, patientId);
  }

  async useRecoveryCode(patientId: string, codeHash: string, at: string): Promise<boolean> {
    while (this.busy()) await this.tail;
    return (
      this.run(
        'UPDATE patient_recovery_codes SET used_at = ? WHERE patient_id = ? AND code_hash = ? AND used_at IS NULL',
        at,
        patientId,
        codeHash,
      ) === 1
    );
  }

  async insertPatientLogin(l: Omit<PatientLogin, 'seq'>): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO patient_logins (patient_id, at, client, outcome, method) VALUES (?, ?, ?, ?, ?)',
      l.patientId,
      l.at,
      l.client,
      l.outcome,
      l.method,
    );
  }

  async patientLogins(patientId: string, limit: number): Promise<PatientLogin[]> {
    while (this.busy()) await this.tail;
    return this.all<PatientLoginRow>(
      'SELECT * FROM patient_logins WHERE patient_id = ? ORDER BY seq DESC LIMIT ?',
      patientId,
      limit,
    ).map(patientLoginFromRow);
  }

  /* ---- at-most-once ---- */

  async appliedMutation(deviceId: string, mutationId: string): Promise<string | null> {
    while (this.busy()) await this.tail;
    return (
      this.one<{ result_json: string }>(
        'SELECT result_json FROM applied_mutations WHERE device_id = ? AND mutation_id = ?',
        deviceId,
        mutationId,
      )?.result_json ?? null
    );
  }

  async saveAppliedMutation(
    deviceId: string,
    mutationId: string,
    resultJson: string,
    at: string,
  ): Promise<void> {
    while (this.busy()) await this.tail;
    this.run(
      'INSERT INTO applied_mutations (device_id, mutation_id, result_json, applied_at) VALUES (?, ?, ?, ?)',
      deviceId,
      mutationId,
      resultJson,
      at,
    );
  }
}
