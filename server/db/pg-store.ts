/**
 * ServerStore on PostgreSQL (`pg`), for a clinic group running several backend instances on one database.
 *
 * - Transactions: every store call made inside `transaction(fn)` runs on that transaction's connection
 *   (found through AsyncLocalStorage, so callers need not pass a handle). A write transaction takes one
 *   transaction-level advisory lock right after BEGIN (READ COMMITTED), so write transactions of all
 *   instances run one at a time, each statement seeing everything committed before it: change-log sequence
 *   numbers commit in order (a pull never skips one), a mutation's "applied?" check and its result row are
 *   decided together, and the primary key (device_id, mutation_id) of applied_mutations refuses a second
 *   result even if that order were ever broken. Read-only transactions (pulls) use REPEATABLE READ, no lock.
 *   A serialization failure or deadlock re-runs the whole transaction (at most 5 times). Within one instance,
 *   write transactions queue in memory before taking a pooled connection, so waiting writers cannot starve
 *   reads of connections.
 * - Pulls load the changed records with one query per entity kind (`loadChanges`), not one per change.
 * - Pokes: every change-log append queues NOTIFY clinic_changes (in the same statement); PostgreSQL delivers
 *   one per transaction after commit to every instance's LISTEN connection, which calls the onChange
 *   listeners there.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
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
import { PG_MIGRATIONS } from './pg-schema';
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
import { pullPageSql, type WireOptions, type WirePage, type WireRow } from './wire-json';
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

/** The NOTIFY channel of change-log appends. */
export const CHANGES_CHANNEL = 'clinic_changes';
/** Advisory lock keys (arbitrary, fixed): the write lock and the migration lock. */
const WRITE_LOCK = 0x0c11_1c01;
const MIGRATION_LOCK = 0x0c11_1c02;
const MAX_ATTEMPTS = 5;
/** SQLSTATEs after which the whole transaction is run again: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Where each pulled entity lives and how a row becomes its record (`loadChanges`). */
// Rows are typed per table by the mappers; the table lookup itself is keyed by entity name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ENTITY_TABLES: Record<EntityName, { table: string; map: (row: any) => Change['data'] }> = {
  staff: { table: 'staff', map: staffFromRow },
  provider: { table: 'providers', map: providerFromRow },
  patient: { table: 'patients', map: patientFromRow },
  thread: { table: 'threads', map: threadFromRow },
  message: { table: 'messages', map: messageFromRow },
  attachment: { table: 'attachments', map: attachmentFromRow },
  appointment: { table: 'appointments', map: appointmentFromRow },
  audit: { table: 'audit_events', map: auditFromRow },
  device: {
    table: 'devices',
    map: (d: { id: string; name: string }) => ({ id: d.id, name: d.name, version: 1 }),
  },
  location: { table: 'locations', map: locationFromRow },
  visitType: { table: 'visit_types', map: visitTypeFromRow },
  pool: { table: 'pools', map: poolFromRow },
  series: { table: 'appointment_series', map: seriesFromRow },
  waitlist: { table: 'waitlist_entries', map: waitlistFromRow },
  availabilityTemplate: { table: 'availability_templates', map: templateFromRow },
  availabilityException: { table: 'availability_exceptions', map: exceptionFromRow },
  // session 4, 14c
  absence: { table: 'absences', map: absenceFromRow },
  clinicSettings: { table: 'clinic_settings', map: clinicSettingsFromRow },
  poolTemplate: { table: 'pool_templates', map: poolTemplateFromRow },
};

const HOLDING = SLOT_HOLDING_STATUSES.map((s) => `'${s}'`).join(',');

interface Scope {
  client: pg.PoolClient;
  readOnly: boolean;
}

/** BIGINT columns (token expiry in ms, seq) are read as JS numbers: all stay below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgStoreOptions {
  /** Connections per instance (default 20). */
  poolSize?: number;
  /** Failures of the background LISTEN connection (it reconnects); the error carries no row data. */
  onError?: (err: unknown) => void;
}

export class PgStore implements ServerStore {
  private readonly scope = new AsyncLocalStorage<Scope>();
  private readonly listeners = new Set<() => void>();
  private readonly names = new Map<string, string>();
  private listener: pg.Client | null = null;
  private closed = false;
  private reconnect: NodeJS.Timeout | null = null;
  /** Settles when this instance's last queued write transaction has ended. */
  private writeTail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Connects, migrates and starts listening. Throws if the database cannot be reached or migrated. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 20, types });
    // An idle pooled connection that dies (server restart) must not crash the process.
    pool.on('error', (err) => options.onError?.(err));
    const store = new PgStore(pool, url, options.onError ?? (() => {}));
    try {
      await store.migrate();
      await store.listen();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)');
      const done = await client.query<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM schema_migrations',
      );
      const current = done.rows[0]?.v ?? 0;
      for (let index = current; index < PG_MIGRATIONS.length; index++) {
        await client.query(PG_MIGRATIONS[index]!);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** One dedicated connection LISTENs for change-log appends of every instance; reconnects after a loss. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    client.on('notification', () => {
      for (const listener of this.listeners) listener();
    });
    client.on('error', (err) => {
      this.onError(err);
      this.scheduleReconnect();
    });
    client.on('end', () => {
      if (this.listener === client) this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    this.listener = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnect) return;
    const old = this.listener;
    this.listener = null;
    void old?.end().catch(() => {});
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      this.listen()
        .then(() => {
          // Changes may have been missed while disconnected: tell the listeners to look.
          for (const listener of this.listeners) listener();
        })
        .catch((err: unknown) => {
          this.onError(err);
          this.scheduleReconnect();
        });
    }, 1000);
    this.reconnect.unref();
  }

  /** A statement on the current transaction's connection, or on any pooled one. Named: prepared once each. */
  private async query<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    let name = this.names.get(text);
    if (!name) {
      name = `s${this.names.size + 1}`;
      this.names.set(text, name);
    }
    if (hasNul(params)) {
      // PostgreSQL cannot compare or store U+0000: a read finds nothing, a write is refused (as on SQLite).
      if (/^\s*SELECT\b/i.test(text)) return [];
      throw new UnstorableTextError();
    }
    const runner = this.scope.getStore()?.client ?? this.pool;
    return (await runner.query<T>({ name, text, values: params })).rows;
  }

  private async one<T extends pg.QueryResultRow>(text: string, ...params: unknown[]): Promise<T | undefined> {
    return (await this.query<T>(text, params))[0];
  }

  private all<T extends pg.QueryResultRow>(text: string, ...params: unknown[]): Promise<T[]> {
    return this.query<T>(text, params);
  }

  private async run(text: string, ...params: unknown[]): Promise<void> {
    await this.query(text, params);
  }

  async transaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = this.scope.getStore();
    if (outer) {
      if (outer.readOnly && !options.readOnly) throw new Error('A write inside a read-only transaction.');
      return fn();
    }
    const readOnly = options.readOnly ?? false;
    if (readOnly) return this.attempt(fn, true);
    // Write transactions of this instance queue here first, so at most one of them holds a pooled connection
    // while waiting for the cross-instance lock: reads (pulls, token checks) keep the rest of the pool.
    const previous = this.writeTail;
    let release!: () => void;
    this.writeTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await this.attempt(fn, false);
    } finally {
      release();
    }
  }

  private async attempt<T>(fn: () => Promise<T>, readOnly: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const scope: Scope = { client, readOnly };
      try {
        if (readOnly) await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        else {
          // One round trip (simple-query protocol runs both): the lock is taken before any statement reads.
          await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
        }
        const result = await this.scope.run(scope, fn);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        const broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        client.release(broken);
        const code = (err as { code?: unknown } | null)?.code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  /** Runs `fn` in the caller's transaction or a new one (multi-statement writes must be atomic). */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A write and its change-log row in one statement (a data-modifying CTE): the entity's row moves to a new
   * sequence number, and NOTIFY is queued for commit (PostgreSQL sends one per transaction). One round trip
   * instead of three: pushes wait on the cross-instance write lock, so each saved round trip counts.
   */
  private async runWithChange(
    entity: EntityName,
    id: string,
    text: string,
    ...params: unknown[]
  ): Promise<void> {
    const scope = this.scope.getStore();
    if (!scope || scope.readOnly)
      throw new Error('The change log is only written inside a write transaction.');
    const n = params.length;
    await this.run(
      `WITH w AS (${text}),
         c AS (INSERT INTO changes (seq, entity, id) VALUES (nextval('changes_seq'), $${n + 1}, $${n + 2})
               ON CONFLICT (entity, id) DO UPDATE SET seq = EXCLUDED.seq RETURNING 1)
       SELECT pg_notify('${CHANGES_CHANNEL}', '') FROM c`,
      ...params,
      entity,
      id,
    );
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', key))?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.run(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
      key,
      value,
    );
  }

  /* ---- staff, devices ---- */

  insertStaff(r: StaffRecord, passwordHash: string, totpSecret: string): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'staff',
        r.id,
        `INSERT INTO staff (id, username, display_name, role, provider_id, password_hash, totp_secret, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        ...staffParams(r, passwordHash, totpSecret),
      );
    });
  }

  async staff(id: string): Promise<StaffRecord | null> {
    const row = await this.one<StaffRow>('SELECT * FROM staff WHERE id = $1', id);
    return row ? staffFromRow(row) : null;
  }

  setStaffActive(staffId: string, active: boolean, at: string): Promise<StaffRecord | null> {
    return this.write(async () => {
      const flag = active ? 1 : 0;
      const row = await this.one<StaffRow>('SELECT * FROM staff WHERE id = $1', staffId);
      if (!row) return null;
      if (row.active === flag) return staffFromRow(row);
      await this.runWithChange(
        'staff',
        staffId,
        'UPDATE staff SET active = $1, version = version + 1 WHERE id = $2 RETURNING id',
        flag,
        staffId,
      );
      if (!active) {
        // The person's tokens end for good: a reactivation does not bring an old session back to life.
        await this.run('DELETE FROM access_tokens WHERE staff_id = $1', staffId);
        await this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE staff_id = $1', staffId);
        // ...and they count as signed out on every PC (review 8): no device keeps their clearance.
        await this.run(
          'UPDATE device_staff SET signed_out_at = $1 WHERE staff_id = $2 AND signed_out_at IS NULL',
          at,
          staffId,
        );
      }
      return this.staff(staffId);
    });
  }

  async staffOfProvider(providerId: string): Promise<StaffRecord[]> {
    const rows = await this.all<StaffRow>(
      'SELECT * FROM staff WHERE provider_id = $1 ORDER BY id',
      providerId,
    );
    return rows.map(staffFromRow);
  }

  async staffAuthByUsername(username: string): Promise<StaffAuth | null> {
    const row = await this.one<StaffRow>('SELECT * FROM staff WHERE lower(username) = lower($1)', username);
    if (!row) return null;
    return {
      record: staffFromRow(row),
      passwordHash: row.password_hash,
      totpSecret: row.totp_secret,
      totpLastStep: row.totp_last_step,
      active: row.active === 1,
    };
  }

  async setTotpLastStep(staffId: string, step: number): Promise<void> {
    await this.run('UPDATE staff SET totp_last_step = $1 WHERE id = $2', step, staffId);
  }

  async countStaff(): Promise<number> {
    return (await this.one<{ n: number }>('SELECT COUNT(*) AS n FROM staff'))?.n ?? 0;
  }

  insertDevice(d: Device): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'device',
        d.id,
        `INSERT INTO devices (id, name, created_at, revoked_at, secret_hash, enrolled_by, chain_anchor)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        ...deviceParams(d),
      );
    });
  }

  async device(id: string): Promise<Device | null> {
    const row = await this.one<DeviceRow>('SELECT * FROM devices WHERE id = $1', id);
    return row ? deviceFromRow(row) : null;
  }

  async linkDeviceStaff(deviceId: string, staffId: string, at: string): Promise<void> {
    await this.run(
      `INSERT INTO device_staff (device_id, staff_id, first_at, last_online_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (device_id, staff_id) DO UPDATE SET last_online_at = EXCLUDED.last_online_at,
         signed_out_at = NULL`,
      deviceId,
      staffId,
      at,
    );
  }

  async isDeviceStaff(deviceId: string, staffId: string): Promise<boolean> {
    return !!(await this.one(
      'SELECT 1 AS x FROM device_staff WHERE device_id = $1 AND staff_id = $2',
      deviceId,
      staffId,
    ));
  }

  /* ---- tokens (hashes only) ---- */

  async insertAccessToken(hash: string, t: AccessToken): Promise<void> {
    await this.run(
      'INSERT INTO access_tokens (token_hash, staff_id, device_id, family, expires_at) VALUES ($1, $2, $3, $4, $5)',
      hash,
      t.staffId,
      t.deviceId,
      t.family,
      t.expiresAt,
    );
  }

  async accessToken(hash: string): Promise<AccessToken | null> {
    const row = await this.one<{ staff_id: string; device_id: string; family: string; expires_at: number }>(
      'SELECT * FROM access_tokens WHERE token_hash = $1',
      hash,
    );
    return row
      ? { staffId: row.staff_id, deviceId: row.device_id, family: row.family, expiresAt: row.expires_at }
      : null;
  }

  async deleteAccessToken(hash: string): Promise<void> {
    await this.run('DELETE FROM access_tokens WHERE token_hash = $1', hash);
  }

  async insertRefreshToken(hash: string, t: AccessToken): Promise<void> {
    await this.run(
      'INSERT INTO refresh_tokens (token_hash, family, staff_id, device_id, expires_at) VALUES ($1, $2, $3, $4, $5)',
      hash,
      t.family,
      t.staffId,
      t.deviceId,
      t.expiresAt,
    );
  }

  async refreshToken(hash: string): Promise<RefreshToken | null> {
    const row = await this.one<RefreshTokenRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', hash);
    return row ? refreshTokenFromRow(row) : null;
  }

  async markRefreshTokenUsed(hash: string, at: number): Promise<void> {
    await this.run('UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2', at, hash);
  }

  revokeFamily(family: string): Promise<void> {
    return this.write(async () => {
      await this.run('DELETE FROM access_tokens WHERE family = $1', family);
      // Used refresh tokens stay (expired) so a replayed one is still recognised as reuse.
      await this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE family = $1', family);
    });
  }

  async insertPortalToken(hash: string, t: PortalToken): Promise<void> {
    await this.run(
      'INSERT INTO portal_tokens (token_hash, patient_id, expires_at) VALUES ($1, $2, $3)',
      hash,
      t.patientId,
      t.expiresAt,
    );
  }

  async portalToken(hash: string): Promise<PortalToken | null> {
    const row = await this.one<{ patient_id: string; expires_at: number }>(
      'SELECT * FROM portal_tokens WHERE token_hash = $1',
      hash,
    );
    return row ? { patientId: row.patient_id, expiresAt: row.expires_at } : null;
  }

  purgeExpired(now: number): Promise<void> {
    return this.write(async () => {
      await this.run('DELETE FROM access_tokens WHERE expires_at < $1', now);
      await this.run('DELETE FROM portal_tokens WHERE expires_at < $1', now);
      await this.run(
        'DELETE FROM refresh_tokens WHERE expires_at < $1 AND (used_at IS NULL OR used_at < $2)',
        now,
        now - 30 * 86_400_000,
      );
      await this.run('DELETE FROM auth_failures WHERE at < $1', now - 86_400_000);
    });
  }

  async addAuthFailure(key: string, at: number): Promise<void> {
    await this.run('INSERT INTO auth_failures (key, at) VALUES ($1, $2)', key, at);
  }

  async authFailuresSince(key: string, since: number): Promise<number[]> {
    return (
      await this.all<{ at: number }>(
        'SELECT at FROM auth_failures WHERE key = $1 AND at >= $2 ORDER BY at',
        key,
        since,
      )
    ).map((r) => r.at);
  }

  async clearAuthFailures(key: string): Promise<void> {
    await this.run('DELETE FROM auth_failures WHERE key = $1', key);
  }

  /* ---- providers, patients ---- */

  insertProvider(r: ProviderRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'provider',
        r.id,
        `INSERT INTO providers (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version,
           location_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        ...providerParams(r),
      );
    });
  }

  // issue 13a: clinic locations
  upsertLocation(r: LocationRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'location',
        r.id,
        `INSERT INTO locations (id, name, time_zone, version, walk_in_minutes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone,
           version = EXCLUDED.version, walk_in_minutes = EXCLUDED.walk_in_minutes`,
        ...locationParams(r),
      );
    });
  }

  async location(id: string): Promise<LocationRecord | null> {
    const row = await this.one<LocationRow>('SELECT * FROM locations WHERE id = $1', id);
    return row ? locationFromRow(row) : null;
  }

  async locations(): Promise<LocationRecord[]> {
    return (await this.all<LocationRow>('SELECT * FROM locations ORDER BY id')).map(locationFromRow);
  }

  upsertVisitType(r: VisitTypeRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'visitType',
        r.id,
        `INSERT INTO visit_types (id, name, minutes, provider_ids, version) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, minutes = EXCLUDED.minutes,
           provider_ids = EXCLUDED.provider_ids, version = EXCLUDED.version`,
        ...visitTypeParams(r),
      );
    });
  }

  async visitType(id: string): Promise<VisitTypeRecord | null> {
    const row = await this.one<VisitTypeRow>('SELECT * FROM visit_types WHERE id = $1', id);
    return row ? visitTypeFromRow(row) : null;
  }

  async visitTypes(): Promise<VisitTypeRecord[]> {
    return (await this.all<VisitTypeRow>('SELECT * FROM visit_types ORDER BY id')).map(visitTypeFromRow);
  }

  async deviceLastChangeAt(deviceId: string): Promise<string | null> {
    return (
      (
        await this.one<{ last_change_at: string | null }>(
          'SELECT last_change_at FROM devices WHERE id = $1',
          deviceId,
        )
      )?.last_change_at ?? null
    );
  }

  async raiseDeviceLastChangeAt(deviceId: string, at: string): Promise<void> {
    await this.run(
      `UPDATE devices SET last_change_at = $2 WHERE id = $1 AND (last_change_at IS NULL OR last_change_at < $2)`,
      deviceId,
      at,
    );
  }

  // session 4, 13c: availability (issue 13 §3)
  upsertAvailabilityTemplate(r: AvailabilityTemplateRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'availabilityTemplate',
        r.id,
        `INSERT INTO availability_templates (id, provider_id, location_id, blocks, version)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET blocks = EXCLUDED.blocks, version = EXCLUDED.version`,
        ...templateParams(r),
      );
    });
  }

  async availabilityTemplate(id: string): Promise<AvailabilityTemplateRecord | null> {
    const row = await this.one<AvailabilityTemplateRow>(
      'SELECT * FROM availability_templates WHERE id = $1',
      id,
    );
    return row ? templateFromRow(row) : null;
  }

  async availabilityTemplateFor(
    providerId: string,
    locationId: string,
  ): Promise<AvailabilityTemplateRecord | null> {
    const row = await this.one<AvailabilityTemplateRow>(
      'SELECT * FROM availability_templates WHERE provider_id = $1 AND location_id = $2',
      providerId,
      locationId,
    );
    return row ? templateFromRow(row) : null;
  }

  insertAvailabilityException(r: AvailabilityExceptionRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'availabilityException',
        r.id,
        `INSERT INTO availability_exceptions (id, kind, location_id, provider_id, from_date, to_date, start_minute,
           end_minute, label, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        ...exceptionParams(r),
      );
    });
  }

  async availabilityException(id: string): Promise<AvailabilityExceptionRecord | null> {
    const row = await this.one<AvailabilityExceptionRow>(
      'SELECT * FROM availability_exceptions WHERE id = $1',
      id,
    );
    return row ? exceptionFromRow(row) : null;
  }

  deleteAvailabilityException(id: string): Promise<boolean> {
    return this.write(async () => {
      const gone = await this.all<{ id: string }>(
        'DELETE FROM availability_exceptions WHERE id = $1 RETURNING id',
        id,
      );
      if (gone.length === 0) return false;
      // The change row says "deleted" to the consoles: loadChange finds no record.
      await this.runWithChange('availabilityException', id, 'SELECT 1');
      return true;
    });
  }

  async availabilityExceptions(
    locationId: string,
    fromDate: string,
    toDate: string,
  ): Promise<AvailabilityExceptionRecord[]> {
    return (
      await this.all<AvailabilityExceptionRow>(
        `SELECT * FROM availability_exceptions WHERE location_id = $1 AND to_date >= $2 AND from_date <= $3
         ORDER BY from_date, id`,
        locationId,
        fromDate,
        toDate,
      )
    ).map(exceptionFromRow);
  }

  async deviceStaffFirstAt(deviceId: string, staffId: string): Promise<string | null> {
    return (
      (
        await this.one<{ first_at: string | null }>(
          'SELECT first_at FROM device_staff WHERE device_id = $1 AND staff_id = $2',
          deviceId,
          staffId,
        )
      )?.first_at ?? null
    );
  }

  async patientUpcomingVisitCount(
    patientId: string,
    after: string,
    origin: AppointmentOrigin,
  ): Promise<number> {
    const [row] = await this.all<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM appointments WHERE patient_id = $1 AND start > $2 AND created_via = $3
         AND status IN (${HOLDING})`,
      patientId,
      after,
      origin,
    );
    return row!.n;
  }

  async patientVisitsOverlapping(
    patientId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord[]> {
    return (
      await this.all<AppointmentRow>(
        `SELECT * FROM appointments WHERE patient_id = $1 AND start < $2 AND "end" > $3
           AND id IS DISTINCT FROM $4 AND status IN (${HOLDING}) ORDER BY start`,
        patientId,
        end,
        start,
        excludeId,
      )
    ).map(appointmentFromRow);
  }

  setProviderLocation(providerId: string, locationId: string): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'provider',
        providerId,
        'UPDATE providers SET location_id = $2, version = version + 1 WHERE id = $1',
        providerId,
        locationId,
      );
    });
  }

  async provider(id: string): Promise<ProviderRecord | null> {
    const row = await this.one<ProviderRow>('SELECT * FROM providers WHERE id = $1', id);
    return row ? providerFromRow(row) : null;
  }

  async providers(): Promise<ProviderRecord[]> {
    return (await this.all<ProviderRow>('SELECT * FROM providers ORDER BY id')).map(providerFromRow);
  }

  insertPatient(r: PatientRecord, portalPasswordHash: string | null): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'patient',
        r.id,
        `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, portal_password_hash, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        ...patientParams(r, portalPasswordHash),
      );
    });
  }

  async patient(id: string): Promise<PatientRecord | null> {
    const row = await this.one<PatientRow>('SELECT * FROM patients WHERE id = $1', id);
    return row ? patientFromRow(row) : null;
  }

  async patientAuthByMrn(
    mrn: string,
  ): Promise<{ record: PatientRecord; portalPasswordHash: string | null } | null> {
    const row = await this.one<PatientRow>('SELECT * FROM patients WHERE mrn = $1', mrn);
    return row ? { record: patientFromRow(row), portalPasswordHash: row.portal_password_hash } : null;
  }

  /* ---- threads, messages, attachments ---- */

  insertThread(r: ThreadRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'thread',
        r.id,
        `INSERT INTO threads (patient_id, subject, status, priority, assignee_id, provider_id, created_at,
           updated_at, last_message_at, due_at, topic, pool_id, version, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        ...threadParams(r),
      );
    });
  }

  updateThread(r: ThreadRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'thread',
        r.id,
        `UPDATE threads SET patient_id = $1, subject = $2, status = $3, priority = $4, assignee_id = $5,
           provider_id = $6, created_at = $7, updated_at = $8, last_message_at = $9, due_at = $10, topic = $11,
           pool_id = $12, version = $13
         WHERE id = $14`,
        ...threadParams(r),
      );
    });
  }

  async thread(id: string): Promise<ThreadRecord | null> {
    const row = await this.one<ThreadRow>('SELECT * FROM threads WHERE id = $1', id);
    return row ? threadFromRow(row) : null;
  }

  async threadsOfPatient(patientId: string, limit: number): Promise<ThreadRecord[]> {
    return (
      await this.all<ThreadRow>(
        'SELECT * FROM threads WHERE patient_id = $1 ORDER BY last_message_at DESC, id LIMIT $2',
        patientId,
        limit,
      )
    ).map(threadFromRow);
  }

  insertMessage(r: MessageRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'message',
        r.id,
        `INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        ...messageParams(r),
      );
    });
  }

  async message(id: string): Promise<MessageRecord | null> {
    const row = await this.one<MessageRow>('SELECT * FROM messages WHERE id = $1', id);
    return row ? messageFromRow(row) : null;
  }

  async messagesOfThread(threadId: string): Promise<MessageRecord[]> {
    return (
      await this.all<MessageRow>('SELECT * FROM messages WHERE thread_id = $1 ORDER BY sent_at, id', threadId)
    ).map(messageFromRow);
  }

  insertAttachment(r: AttachmentRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'attachment',
        r.id,
        `INSERT INTO attachments (id, message_id, file_name, mime_type, size, content, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        ...attachmentParams(r),
      );
    });
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    const row = await this.one<AttachmentRow>('SELECT * FROM attachments WHERE id = $1', id);
    return row ? attachmentFromRow(row) : null;
  }

  async attachmentsOfThread(threadId: string): Promise<AttachmentMeta[]> {
    const rows = await this.all<Omit<AttachmentRow, 'content' | 'version'>>(
      `SELECT a.id, a.message_id, a.file_name, a.mime_type, a.size FROM attachments a
       JOIN messages m ON m.id = a.message_id WHERE m.thread_id = $1 ORDER BY a.id`,
      threadId,
    );
    return rows.map((r) => ({
      id: r.id,
      messageId: r.message_id,
      fileName: r.file_name,
      mimeType: r.mime_type,
      size: r.size,
    }));
  }

  /* ---- appointments ---- */

  insertAppointment(r: AppointmentRecord, origin: AppointmentOrigin): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'appointment',
        r.id,
        `INSERT INTO appointments (patient_id, provider_id, start, "end", status, reason, cancel_reason,
           virtual_link, version, id, cancel_code, overlap_reason, series_id, created_via)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        ...appointmentParams(r),
        origin,
      );
    });
  }

  updateAppointment(r: AppointmentRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'appointment',
        r.id,
        `UPDATE appointments SET patient_id = $1, provider_id = $2, start = $3, "end" = $4, status = $5,
           reason = $6, cancel_reason = $7, virtual_link = $8, version = $9, cancel_code = $11,
           overlap_reason = $12, series_id = $13 WHERE id = $10`,
        ...appointmentParams(r),
      );
    });
  }

  async appointment(id: string): Promise<AppointmentRecord | null> {
    const row = await this.one<AppointmentRow>('SELECT * FROM appointments WHERE id = $1', id);
    return row ? appointmentFromRow(row) : null;
  }

  async appointmentOrigin(id: string): Promise<AppointmentOrigin | null> {
    return (
      (
        await this.one<{ created_via: AppointmentOrigin }>(
          'SELECT created_via FROM appointments WHERE id = $1',
          id,
        )
      )?.created_via ?? null
    );
  }

  async findSlotHolder(
    providerId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord | null> {
    // Times are normalised UTC ISO strings, so text comparison is time order.
    const row = await this.one<AppointmentRow>(
      `SELECT * FROM appointments WHERE provider_id = $1 AND start < $2 AND "end" > $3
         AND id IS DISTINCT FROM $4 AND status IN (${HOLDING}) ORDER BY start LIMIT 1`,
      providerId,
      end,
      start,
      excludeId,
    );
    return row ? appointmentFromRow(row) : null;
  }

  async appointmentsOfPatient(patientId: string, limit: number): Promise<AppointmentRecord[]> {
    return (
      await this.all<AppointmentRow>(
        'SELECT * FROM appointments WHERE patient_id = $1 ORDER BY start DESC LIMIT $2',
        patientId,
        limit,
      )
    ).map(appointmentFromRow);
  }

  /* ---- audit ---- */

  insertAuditEvent(r: AuditRecord, origin: AuditOrigin): Promise<void> {
    return this.insertAudit(r, origin, null, 0);
  }

  private insertAudit(
    r: AuditRecord,
    origin: AuditOrigin,
    receivedAt: string | null,
    skewFlag: number,
  ): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'audit',
        r.id,
        `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
           fields_json, actor_kind, prev_hash, hash, version, origin, received_at, skew_flag, purpose_of_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
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
    });
  }

  async auditEvent(id: string): Promise<AuditRecord | null> {
    const row = await this.one<AuditRow>('SELECT * FROM audit_events WHERE id = $1', id);
    return row ? auditFromRow(row) : null;
  }

  async lastServerAuditHash(): Promise<string> {
    return (
      (
        await this.one<{ hash: string }>(
          "SELECT hash FROM audit_events WHERE origin = 'server' ORDER BY seq DESC LIMIT 1",
        )
      )?.hash ?? ''
    );
  }

  async auditForEntity(entityType: string, entityId: string, limit: number): Promise<AuditRecord[]> {
    return (
      await this.all<AuditRow>(
        `SELECT * FROM audit_events WHERE entity_type = $1 AND entity_id = $2
         ORDER BY at DESC, seq DESC LIMIT $3`,
        entityType,
        entityId,
        limit,
      )
    ).map(auditFromRow);
  }

  /* ---- change log ---- */

  async latestSeq(): Promise<number> {
    return (await this.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM changes'))?.seq ?? 0;
  }

  changesAfter(after: number, limit: number): Promise<ChangeRef[]> {
    return this.all<ChangeRef>(
      'SELECT seq, entity, id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2',
      after,
      limit,
    );
  }

  async countChangesAfter(after: number): Promise<number> {
    return (await this.one<{ n: number }>('SELECT COUNT(*) AS n FROM changes WHERE seq > $1', after))?.n ?? 0;
  }

  async loadChange(entity: EntityName, id: string): Promise<Change> {
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
        const row = await this.one<ClinicSettingsRow>('SELECT * FROM clinic_settings WHERE id = $1', id);
        return { entity, id, data: row ? clinicSettingsFromRow(row) : null };
      }
      case 'poolTemplate':
        return { entity, id, data: await this.poolTemplate(id) };
    }
  }

  /* ---- issue 13 §4/§5: recurring series, waitlist ---- */

  async series(id: string): Promise<SeriesRecord | null> {
    const row = await this.jsonRecordRow('series', id);
    return row ? seriesFromRow(row) : null;
  }

  putSeries(r: SeriesRecord): Promise<void> {
    return this.putJsonRecord('series', r);
  }

  async waitlistEntry(id: string): Promise<WaitlistRecord | null> {
    const row = await this.jsonRecordRow('waitlist', id);
    return row ? waitlistFromRow(row) : null;
  }

  putWaitlistEntry(r: WaitlistRecord): Promise<void> {
    return this.putJsonRecord('waitlist', r);
  }

  /** The row of `entity` `id` in its JSON-record table (JSON_RECORD_TABLES), or undefined if there is none. */
  private jsonRecordRow(entity: JsonRecordEntity, id: string): Promise<JsonRecordRow | undefined> {
    return this.one<JsonRecordRow>(`SELECT * FROM ${JSON_RECORD_TABLES[entity]} WHERE id = $1`, id);
  }

  /** Inserts or replaces record `r` of `entity` in its JSON-record table, with its change, in one `write`. */
  private putJsonRecord(entity: JsonRecordEntity, r: SeriesRecord | WaitlistRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        entity,
        r.id,
        `INSERT INTO ${JSON_RECORD_TABLES[entity]} (id, data, version) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version`,
        ...jsonRecordParams(r),
      );
    });
  }

  /* ---- issue 14a: triage pools, device clearance ---- */

  async pools(): Promise<PoolRecord[]> {
    return (await this.all<PoolRow>('SELECT * FROM pools ORDER BY id')).map(poolFromRow);
  }

  async triagePool(id: string): Promise<PoolRecord | null> {
    const row = await this.one<PoolRow>('SELECT * FROM pools WHERE id = $1', id);
    return row ? poolFromRow(row) : null;
  }

  upsertPool(r: PoolRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'pool',
        r.id,
        `INSERT INTO pools (name, kind, topics, sla, version, id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, topics = EXCLUDED.topics,
           sla = EXCLUDED.sla, version = EXCLUDED.version`,
        ...poolParams(r),
      );
    });
  }

  insertBreakGlass(g: BreakGlassInsert): Promise<void> {
    return this.write(async () => {
      await this.run(
        `INSERT INTO break_glass (id, staff_id, device_id, entity_type, entity_id, reason, opened_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        g.id,
        g.staffId,
        g.deviceId,
        g.entityType,
        g.entityId,
        g.reason,
        g.openedAt,
        g.expiresAt,
      );
    });
  }

  async activeBreakGlass(staffId: string, entityId: string, nowIso: string): Promise<boolean> {
    return (
      (await this.one<{ one: number }>(
        'SELECT 1 AS one FROM break_glass WHERE staff_id = $1 AND entity_id = $2 AND expires_at > $3 LIMIT 1',
        staffId,
        entityId,
        nowIso,
      )) !== undefined
    );
  }

  async breakGlassReport(limit: number): Promise<BreakGlassGrant[]> {
    return (
      await this.all<BreakGlassGrant & { reads: number | string; served: number | string }>(
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
       ORDER BY g.opened_at DESC, g.id LIMIT $1`,
        limit,
      )
    ).map((r) => ({ ...r, reads: Number(r.reads), served: Number(r.served) }));
  }

  acknowledgeBreakGlass(id: string, staffId: string, at: string): Promise<boolean> {
    return this.write(async () => {
      await this.run(
        'UPDATE break_glass SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND acknowledged_at IS NULL',
        staffId,
        at,
        id,
      );
      return (
        (await this.one<{ one: number }>('SELECT 1 AS one FROM break_glass WHERE id = $1', id)) !== undefined
      );
    });
  }

  async deviceStaffRoles(deviceId: string, onlineSince: string): Promise<Role[]> {
    return (
      await this.all<{ role: Role }>(
        `SELECT DISTINCT s.role AS role FROM device_staff d JOIN staff s ON s.id = d.staff_id
         WHERE d.device_id = $1 AND d.signed_out_at IS NULL AND d.last_online_at >= $2 AND s.active = 1`,
        deviceId,
        onlineSince,
      )
    ).map((r) => r.role);
  }

  /* ---- session 4, 14c: coverage, clinic settings, pool templates ---- */

  upsertAbsence(a: AbsenceRecord): Promise<void> {
    const cols = ABSENCE_COLUMNS.join(', ');
    const sets = ABSENCE_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    return this.write(async () => {
      await this.runWithChange(
        'absence',
        a.id,
        `INSERT INTO absences (${cols}) VALUES (${ABSENCE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (id) DO UPDATE SET ${sets}`,
        ...absenceParams(a),
      );
    });
  }

  async absence(id: string): Promise<AbsenceRecord | null> {
    const row = await this.one<AbsenceRow>('SELECT * FROM absences WHERE id = $1', id);
    return row ? absenceFromRow(row) : null;
  }

  async absencesInvolving(staffIds: readonly string[]): Promise<AbsenceRecord[]> {
    return (
      await this.all<AbsenceRow>(
        `SELECT * FROM absences WHERE phase <> 'ended' AND (staff_id = ANY($1::text[]) OR cover_id = ANY($1::text[]))
         ORDER BY starts_at, id`,
        [...staffIds],
      )
    ).map(absenceFromRow);
  }

  async absencesDue(nowIso: string): Promise<AbsenceRecord[]> {
    return (
      await this.all<AbsenceRow>(
        "SELECT * FROM absences WHERE phase <> 'ended' AND starts_at <= $1 ORDER BY starts_at, id",
        nowIso,
      )
    ).map(absenceFromRow);
  }

  async openThreadsAssignedTo(staffId: string, limit: number): Promise<ThreadRecord[]> {
    return (
      await this.all<ThreadRow>(
        "SELECT * FROM threads WHERE assignee_id = $1 AND status <> 'done' ORDER BY id LIMIT $2",
        staffId,
        limit,
      )
    ).map(threadFromRow);
  }

  async openAssignedThreadsOfPool(poolId: string): Promise<ThreadRecord[]> {
    return (
      await this.all<ThreadRow>(
        "SELECT * FROM threads WHERE pool_id = $1 AND assignee_id IS NOT NULL AND status <> 'done' ORDER BY id",
        poolId,
      )
    ).map(threadFromRow);
  }

  async upsertCoverageMove(m: CoverageMove): Promise<void> {
    await this.run(
      `INSERT INTO coverage_moves (absence_id, thread_id, from_staff, to_staff, moved_at, returned_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (absence_id, thread_id) DO UPDATE SET from_staff = EXCLUDED.from_staff,
         to_staff = EXCLUDED.to_staff, moved_at = EXCLUDED.moved_at, returned_at = EXCLUDED.returned_at,
         outcome = EXCLUDED.outcome`,
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
    return (
      await this.all<CoverageMoveRow>(
        'SELECT * FROM coverage_moves WHERE absence_id = $1 AND returned_at IS NULL ORDER BY thread_id',
        absenceId,
      )
    ).map(coverageMoveFromRow);
  }

  async settleCoverageMove(
    absenceId: string,
    threadId: string,
    at: string,
    outcome: CoverageMoveOutcome,
  ): Promise<void> {
    await this.run(
      'UPDATE coverage_moves SET returned_at = $1, outcome = $2 WHERE absence_id = $3 AND thread_id = $4',
      at,
      outcome,
      absenceId,
      threadId,
    );
  }

  async clinicSettings(): Promise<ClinicSettingsRecord> {
    const row = await this.one<ClinicSettingsRow>("SELECT * FROM clinic_settings WHERE id = 'clinic'");
    return clinicSettingsFromRow(row!);
  }

  setClinicSettings(r: ClinicSettingsRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'clinicSettings',
        r.id,
        `INSERT INTO clinic_settings (id, break_glass_minutes, version) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET break_glass_minutes = EXCLUDED.break_glass_minutes,
           version = EXCLUDED.version`,
        r.id,
        r.breakGlassMinutes,
        r.version,
      );
    });
  }

  async poolTemplates(): Promise<PoolTemplateRecord[]> {
    return (await this.all<PoolTemplateRow>('SELECT * FROM pool_templates ORDER BY pool_id, title, id')).map(
      poolTemplateFromRow,
    );
  }

  async poolTemplate(id: string): Promise<PoolTemplateRecord | null> {
    const row = await this.one<PoolTemplateRow>('SELECT * FROM pool_templates WHERE id = $1', id);
    return row ? poolTemplateFromRow(row) : null;
  }

  upsertPoolTemplate(t: PoolTemplateRecord): Promise<void> {
    return this.write(async () => {
      await this.runWithChange(
        'poolTemplate',
        t.id,
        `INSERT INTO pool_templates (id, pool_id, title, body, version) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET pool_id = EXCLUDED.pool_id, title = EXCLUDED.title,
           body = EXCLUDED.body, version = EXCLUDED.version`,
        ...poolTemplateParams(t),
      );
    });
  }

  deletePoolTemplate(id: string): Promise<boolean> {
    return this.write(async () => {
      if (!(await this.poolTemplate(id))) return false;
      await this.runWithChange('poolTemplate', id, 'DELETE FROM pool_templates WHERE id = $1', id);
      return true;
    });
  }

  async loadChanges(refs: readonly ChangeRef[]): Promise<Change[]> {
    const found = new Map<string, Change['data']>();
    for (const [entity, list] of idsByEntity(refs)) {
      const { table, map } = ENTITY_TABLES[entity];
      const rows = await this.all<{ id: string }>(`SELECT * FROM ${table} WHERE id = ANY($1::text[])`, list);
      for (const row of rows) found.set(`${entity}:${row.id}`, map(row));
    }
    return refs.map(
      (ref) =>
        ({ entity: ref.entity, id: ref.id, data: found.get(`${ref.entity}:${ref.id}`) ?? null }) as Change,
    );
  }

  /** Session 7, s7srv: see ServerStore.pullPage (one statement, records encoded by PostgreSQL: wire-json.ts). */
  async pullPage(after: number, limit: number, options: WireOptions): Promise<WirePage> {
    const rows = await this.all<WireRow & pg.QueryResultRow>(
      pullPageSql('postgres', { ...options, stored: false }),
      after,
      limit,
    );
    return { joined: null, rows, last: rows.at(-1)?.seq ?? null, count: rows.length };
  }

  /* ---- issue 10: enrolled devices, attribution, per-device audit chains ---- */

  async devices(): Promise<Device[]> {
    return (await this.all<DeviceRow>('SELECT * FROM devices ORDER BY created_at DESC, id')).map(
      deviceFromRow,
    );
  }

  revokeDevice(id: string, at: string): Promise<void> {
    return this.write(async () => {
      await this.run('UPDATE devices SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', at, id);
      await this.run('DELETE FROM access_tokens WHERE device_id = $1', id);
      await this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE device_id = $1', id);
    });
  }

  async deviceStaffLastOnline(deviceId: string, staffId: string): Promise<string | null> {
    return (
      (
        await this.one<{ last_online_at: string | null }>(
          'SELECT last_online_at FROM device_staff WHERE device_id = $1 AND staff_id = $2',
          deviceId,
          staffId,
        )
      )?.last_online_at ?? null
    );
  }

  async copyDeviceStaff(from: string, to: string): Promise<void> {
    await this.run(
      `INSERT INTO device_staff (device_id, staff_id, first_at, last_online_at, signed_out_at)
       SELECT $1, staff_id, first_at, last_online_at, signed_out_at FROM device_staff WHERE device_id = $2
       ON CONFLICT DO NOTHING`,
      to,
      from,
    );
  }

  async markDeviceStaffSignedOut(deviceId: string, staffId: string, at: string): Promise<void> {
    await this.run(
      'UPDATE device_staff SET signed_out_at = $1 WHERE device_id = $2 AND staff_id = $3',
      at,
      deviceId,
      staffId,
    );
  }

  async deviceStaffSignedOutAt(deviceId: string, staffId: string): Promise<string | null> {
    return (
      (
        await this.one<{ signed_out_at: string | null }>(
          'SELECT signed_out_at FROM device_staff WHERE device_id = $1 AND staff_id = $2',
          deviceId,
          staffId,
        )
      )?.signed_out_at ?? null
    );
  }

  async deviceAuditHead(deviceId: string): Promise<DeviceAuditHead | null> {
    return (
      (await this.one<DeviceAuditHead>(
        `SELECT id, hash, at FROM audit_events WHERE device_id = $1 AND origin = 'console'
         ORDER BY seq DESC LIMIT 1`,
        deviceId,
      )) ?? null
    );
  }

  async deviceAuditHasHash(deviceId: string, hash: string): Promise<boolean> {
    return !!(await this.one(
      "SELECT 1 AS x FROM audit_events WHERE device_id = $1 AND origin = 'console' AND hash = $2",
      deviceId,
      hash,
    ));
  }

  insertConsoleAuditEvent(r: AuditRecord, receipt: AuditReceipt): Promise<void> {
    return this.insertAudit(r, 'console', receipt.receivedAt, receipt.skewFlag ? 1 : 0);
  }

  async insertAuditAlert(a: Omit<AuditAlert, 'seq'>): Promise<void> {
    await this.run(
      'INSERT INTO audit_alerts (at, device_id, event_id, kind, detail) VALUES ($1, $2, $3, $4, $5)',
      a.at,
      a.deviceId,
      a.eventId,
      a.kind,
      a.detail,
    );
  }

  async auditAlerts(limit: number): Promise<AuditAlert[]> {
    const rows = await this.all<AuditAlertRow>(
      'SELECT * FROM audit_alerts ORDER BY seq DESC LIMIT $1',
      limit,
    );
    return rows.map(auditAlertFromRow);
  }

  async setPasswordHash(staffId: string, passwordHash: string): Promise<void> {
    await this.run('UPDATE staff SET password_hash = $1 WHERE id = $2', passwordHash, staffId);
  }

  async setPortalPasswordHash(patientId: string, passwordHash: string): Promise<void> {
    await this.run('UPDATE patients SET portal_password_hash = $1 WHERE id = $2', passwordHash, patientId);
  }

  async patientMfa(patientId: string): Promise<PatientMfa | null> {
    const row = await this.one<{ secret: string; enabled: number; last_step: number }>(
      'SELECT secret, enabled, last_step FROM patient_mfa WHERE patient_id = $1',
      patientId,
    );
    return row ? { secret: row.secret, enabled: row.enabled === 1, lastStep: row.last_step } : null;
  }

  setPatientMfaSecret(patientId: string, secret: string): Promise<void> {
    return this.write(async () => {
      await this.run(
        `INSERT INTO patient_mfa (patient_id, secret, enabled, last_step) VALUES ($1, $2, 0, -1)
         ON CONFLICT (patient_id) DO UPDATE SET secret = EXCLUDED.secret, enabled = 0, last_step = -1`,
        patientId,
        secret,
      );
      await this.run('DELETE FROM patient_recovery_codes WHERE patient_id = $1', patientId);
    });
  }

  enablePatientMfa(patientId: string, step: number, recoveryCodeHashes: string[]): Promise<void> {
    return this.write(async () => {
      await this.run(
        'UPDATE patient_mfa SET enabled = 1, last_step = $1 WHERE patient_id = $2',
        step,
        patientId,
      );
      await this.run('DELETE FROM patient_recovery_codes WHERE patient_id = $1', patientId);
      for (const hash of recoveryCodeHashes) {
        await this.run(
          'INSERT INTO patient_recovery_codes (patient_id, code_hash) VALUES ($1, $2)',
          patientId,
          hash,
        );
      }
    });
  }

  async setPatientMfaLastStep(patientId: string, step: number): Promise<void> {
    await this.run('UPDATE patient_mfa SET last_step = $1 WHERE patient_id = $2', step, patientId);
  }

  async useRecoveryCode(patientId: string, codeHash: string, at: string): Promise<boolean> {
    const rows = await this.all(
      `UPDATE patient_recovery_codes SET used_at = $1
       WHERE patient_id = $2 AND code_hash = $3 AND used_at IS NULL RETURNING 1 AS x`,
      at,
      patientId,
      codeHash,
    );
    return rows.length === 1;
  }

  async insertPatientLogin(l: Omit<PatientLogin, 'seq'>): Promise<void> {
    await this.run(
      'INSERT INTO patient_logins (patient_id, at, client, outcome, method) VALUES ($1, $2, $3, $4, $5)',
      l.patientId,
      l.at,
      l.client,
      l.outcome,
      l.method,
    );
  }

  async patientLogins(patientId: string, limit: number): Promise<PatientLogin[]> {
    const rows = await this.all<PatientLoginRow>(
      'SELECT * FROM patient_logins WHERE patient_id = $1 ORDER BY seq DESC LIMIT $2',
      patientId,
      limit,
    );
    return rows.map(patientLoginFromRow);
  }

  /* ---- at-most-once ---- */

  async appliedMutation(deviceId: string, mutationId: string): Promise<string | null> {
    return (
      (
        await this.one<{ result_json: string }>(
          'SELECT result_json FROM applied_mutations WHERE device_id = $1 AND mutation_id = $2',
          deviceId,
          mutationId,
        )
      )?.result_json ?? null
    );
  }

  async saveAppliedMutation(
    deviceId: string,
    mutationId: string,
    resultJson: string,
    at: string,
  ): Promise<void> {
    await this.run(
      'INSERT INTO applied_mutations (device_id, mutation_id, result_json, applied_at) VALUES ($1, $2, $3, $4)',
      deviceId,
      mutationId,
      resultJson,
      at,
    );
  }
}
