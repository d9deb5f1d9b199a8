/** ServerStore on better-sqlite3 (WAL). All SQL of the backend lives here and in schema.ts. */
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
  StaffRecord,
  ThreadRecord,
} from '../../src-shared/domain';
import { SLOT_HOLDING_STATUSES } from '../../src-shared/domain';
import type { Change, EntityName } from '../../src-shared/sync';
import { MIGRATIONS } from './schema';
import {
  appointmentFromRow,
  appointmentParams,
  attachmentFromRow,
  auditFromRow,
  messageFromRow,
  patientFromRow,
  providerFromRow,
  staffFromRow,
  threadFromRow,
  threadParams,
  type AppointmentRow,
  type AttachmentRow,
  type AuditRow,
  type MessageRow,
  type PatientRow,
  type ProviderRow,
  type StaffRow,
  type ThreadRow,
} from './rows';
import type {
  AccessToken,
  AppointmentOrigin,
  AttachmentMeta,
  AuditAlert,
  AuditAlertKind,
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
} from './types';

interface DeviceRow {
  id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  secret_hash: string | null;
  enrolled_by: string | null;
}

const deviceFromRow = (row: DeviceRow): Device => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  secretHash: row.secret_hash,
  enrolledBy: row.enrolled_by,
});

const HOLDING = SLOT_HOLDING_STATUSES.map((s) => `'${s}'`).join(',');

export class SqliteStore implements ServerStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<() => void>();

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'portal.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
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
    return this.sql(text).run(...params).changes;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private recordChange(entity: EntityName, id: string): void {
    this.run('INSERT OR REPLACE INTO changes (entity, id) VALUES (?, ?)', entity, id);
    for (const listener of this.listeners) listener();
  }

  getMeta(key: string): string | null {
    return this.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /* ---- staff, devices ---- */

  insertStaff(r: StaffRecord, passwordHash: string, totpSecret: string): void {
    this.run(
      `INSERT INTO staff (id, username, display_name, role, provider_id, password_hash, totp_secret, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.username,
      r.displayName,
      r.role,
      r.providerId,
      passwordHash,
      totpSecret,
      r.version,
    );
    this.recordChange('staff', r.id);
  }

  staff(id: string): StaffRecord | null {
    const row = this.one<StaffRow>('SELECT * FROM staff WHERE id = ?', id);
    return row ? staffFromRow(row) : null;
  }

  staffAuthByUsername(username: string): StaffAuth | null {
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

  setTotpLastStep(staffId: string, step: number): void {
    this.run('UPDATE staff SET totp_last_step = ? WHERE id = ?', step, staffId);
  }

  countStaff(): number {
    return this.one<{ n: number }>('SELECT COUNT(*) AS n FROM staff')?.n ?? 0;
  }

  insertDevice(d: Device): void {
    this.run(
      'INSERT INTO devices (id, name, created_at, revoked_at, secret_hash, enrolled_by) VALUES (?, ?, ?, ?, ?, ?)',
      d.id,
      d.name,
      d.createdAt,
      d.revokedAt,
      d.secretHash,
      d.enrolledBy,
    );
    // Consoles pull device names so every desk's audit trail can say which PC an event came from.
    this.recordChange('device', d.id);
  }

  device(id: string): Device | null {
    const row = this.one<DeviceRow>('SELECT * FROM devices WHERE id = ?', id);
    return row ? deviceFromRow(row) : null;
  }

  linkDeviceStaff(deviceId: string, staffId: string, at: string): void {
    this.run(
      `INSERT INTO device_staff (device_id, staff_id, first_at, last_online_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (device_id, staff_id) DO UPDATE SET last_online_at = excluded.last_online_at`,
      deviceId,
      staffId,
      at,
      at,
    );
  }

  isDeviceStaff(deviceId: string, staffId: string): boolean {
    return !!this.one('SELECT 1 FROM device_staff WHERE device_id = ? AND staff_id = ?', deviceId, staffId);
  }

  /* ---- tokens (hashes only) ---- */

  insertAccessToken(hash: string, t: AccessToken): void {
    this.run(
      'INSERT INTO access_tokens (token_hash, staff_id, device_id, family, expires_at) VALUES (?, ?, ?, ?, ?)',
      hash,
      t.staffId,
      t.deviceId,
      t.family,
      t.expiresAt,
    );
  }

  accessToken(hash: string): AccessToken | null {
    const row = this.one<{ staff_id: string; device_id: string; family: string; expires_at: number }>(
      'SELECT * FROM access_tokens WHERE token_hash = ?',
      hash,
    );
    return row
      ? { staffId: row.staff_id, deviceId: row.device_id, family: row.family, expiresAt: row.expires_at }
      : null;
  }

  deleteAccessToken(hash: string): void {
    this.run('DELETE FROM access_tokens WHERE token_hash = ?', hash);
  }

  insertRefreshToken(hash: string, t: AccessToken): void {
    this.run(
      'INSERT INTO refresh_tokens (token_hash, family, staff_id, device_id, expires_at) VALUES (?, ?, ?, ?, ?)',
      hash,
      t.family,
      t.staffId,
      t.deviceId,
      t.expiresAt,
    );
  }

  refreshToken(hash: string): RefreshToken | null {
    const row = this.one<{
      staff_id: string;
      device_id: string;
      family: string;
      expires_at: number;
      used_at: number | null;
    }>('SELECT * FROM refresh_tokens WHERE token_hash = ?', hash);
    return row
      ? {
          staffId: row.staff_id,
          deviceId: row.device_id,
          family: row.family,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        }
      : null;
  }

  markRefreshTokenUsed(hash: string, at: number): void {
    this.run('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?', at, hash);
  }

  revokeFamily(family: string): void {
    this.run('DELETE FROM access_tokens WHERE family = ?', family);
    // Used refresh tokens stay (expired) so a replayed one is still recognised as reuse.
    this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE family = ?', family);
  }

  insertPortalToken(hash: string, t: PortalToken): void {
    this.run(
      'INSERT INTO portal_tokens (token_hash, patient_id, expires_at) VALUES (?, ?, ?)',
      hash,
      t.patientId,
      t.expiresAt,
    );
  }

  portalToken(hash: string): PortalToken | null {
    const row = this.one<{ patient_id: string; expires_at: number }>(
      'SELECT * FROM portal_tokens WHERE token_hash = ?',
      hash,
    );
    return row ? { patientId: row.patient_id, expiresAt: row.expires_at } : null;
  }

  purgeExpired(now: number): void {
    this.run('DELETE FROM access_tokens WHERE expires_at < ?', now);
    this.run('DELETE FROM portal_tokens WHERE expires_at < ?', now);
    this.run(
      'DELETE FROM refresh_tokens WHERE expires_at < ? AND (used_at IS NULL OR used_at < ?)',
      now,
      now - 30 * 86_400_000,
    );
    this.run('DELETE FROM auth_failures WHERE at < ?', now - 86_400_000);
  }

  addAuthFailure(key: string, at: number): void {
    this.run('INSERT INTO auth_failures (key, at) VALUES (?, ?)', key, at);
  }

  authFailuresSince(key: string, since: number): number[] {
    return this.all<{ at: number }>(
      'SELECT at FROM auth_failures WHERE key = ? AND at >= ? ORDER BY at',
      key,
      since,
    ).map((r) => r.at);
  }

  clearAuthFailures(key: string): void {
    this.run('DELETE FROM auth_failures WHERE key = ?', key);
  }

  /* ---- providers, patients ---- */

  insertProvider(r: ProviderRecord): void {
    this.run(
      `INSERT INTO providers (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.name,
      r.specialty,
      r.slotMinutes,
      r.dayStartMinute,
      r.dayEndMinute,
      r.version,
    );
    this.recordChange('provider', r.id);
  }

  provider(id: string): ProviderRecord | null {
    const row = this.one<ProviderRow>('SELECT * FROM providers WHERE id = ?', id);
    return row ? providerFromRow(row) : null;
  }

  providers(): ProviderRecord[] {
    return this.all<ProviderRow>('SELECT * FROM providers ORDER BY id').map(providerFromRow);
  }

  insertPatient(r: PatientRecord, portalPasswordHash: string | null): void {
    this.run(
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, portal_password_hash, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.mrn,
      r.givenName,
      r.familyName,
      r.birthDate,
      r.phone,
      portalPasswordHash,
      r.version,
    );
    this.recordChange('patient', r.id);
  }

  patient(id: string): PatientRecord | null {
    const row = this.one<PatientRow>('SELECT * FROM patients WHERE id = ?', id);
    return row ? patientFromRow(row) : null;
  }

  patientAuthByMrn(mrn: string): { record: PatientRecord; portalPasswordHash: string | null } | null {
    const row = this.one<PatientRow>('SELECT * FROM patients WHERE mrn = ?', mrn);
    return row ? { record: patientFromRow(row), portalPasswordHash: row.portal_password_hash } : null;
  }

  /* ---- threads, messages, attachments ---- */

  insertThread(r: ThreadRecord): void {
    this.run(
      `INSERT INTO threads (patient_id, subject, status, priority, assignee_id, provider_id, created_at,
         updated_at, last_message_at, due_at, version, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...threadParams(r),
    );
    this.recordChange('thread', r.id);
  }

  updateThread(r: ThreadRecord): void {
    this.run(
      `UPDATE threads SET patient_id = ?, subject = ?, status = ?, priority = ?, assignee_id = ?, provider_id = ?,
         created_at = ?, updated_at = ?, last_message_at = ?, due_at = ?, version = ? WHERE id = ?`,
      ...threadParams(r),
    );
    this.recordChange('thread', r.id);
  }

  thread(id: string): ThreadRecord | null {
    const row = this.one<ThreadRow>('SELECT * FROM threads WHERE id = ?', id);
    return row ? threadFromRow(row) : null;
  }

  threadsOfPatient(patientId: string, limit: number): ThreadRecord[] {
    return this.all<ThreadRow>(
      'SELECT * FROM threads WHERE patient_id = ? ORDER BY last_message_at DESC, id LIMIT ?',
      patientId,
      limit,
    ).map(threadFromRow);
  }

  insertMessage(r: MessageRecord): void {
    this.run(
      `INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.threadId,
      r.authorKind,
      r.authorId,
      r.body,
      r.sentAt,
      r.version,
    );
    this.recordChange('message', r.id);
  }

  message(id: string): MessageRecord | null {
    const row = this.one<MessageRow>('SELECT * FROM messages WHERE id = ?', id);
    return row ? messageFromRow(row) : null;
  }

  messagesOfThread(threadId: string): MessageRecord[] {
    return this.all<MessageRow>(
      'SELECT * FROM messages WHERE thread_id = ? ORDER BY sent_at, id',
      threadId,
    ).map(messageFromRow);
  }

  insertAttachment(r: AttachmentRecord): void {
    this.run(
      `INSERT INTO attachments (id, message_id, file_name, mime_type, size, content, version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      r.id,
      r.messageId,
      r.fileName,
      r.mimeType,
      r.size,
      Buffer.from(r.contentBase64, 'base64'),
      r.version,
    );
    this.recordChange('attachment', r.id);
  }

  attachment(id: string): AttachmentRecord | null {
    const row = this.one<AttachmentRow>('SELECT * FROM attachments WHERE id = ?', id);
    return row ? attachmentFromRow(row) : null;
  }

  attachmentsOfThread(threadId: string): AttachmentMeta[] {
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

  insertAppointment(r: AppointmentRecord, origin: AppointmentOrigin): void {
    this.run(
      `INSERT INTO appointments (patient_id, provider_id, start, "end", status, reason, cancel_reason, virtual_link,
         version, id, created_via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...appointmentParams(r),
      origin,
    );
    this.recordChange('appointment', r.id);
  }

  updateAppointment(r: AppointmentRecord): void {
    this.run(
      `UPDATE appointments SET patient_id = ?, provider_id = ?, start = ?, "end" = ?, status = ?, reason = ?,
         cancel_reason = ?, virtual_link = ?, version = ? WHERE id = ?`,
      ...appointmentParams(r),
    );
    this.recordChange('appointment', r.id);
  }

  appointment(id: string): AppointmentRecord | null {
    const row = this.one<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', id);
    return row ? appointmentFromRow(row) : null;
  }

  appointmentOrigin(id: string): AppointmentOrigin | null {
    return (
      this.one<{ created_via: AppointmentOrigin }>('SELECT created_via FROM appointments WHERE id = ?', id)
        ?.created_via ?? null
    );
  }

  findSlotHolder(
    providerId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): AppointmentRecord | null {
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

  appointmentsOfPatient(patientId: string, limit: number): AppointmentRecord[] {
    return this.all<AppointmentRow>(
      'SELECT * FROM appointments WHERE patient_id = ? ORDER BY start DESC LIMIT ?',
      patientId,
      limit,
    ).map(appointmentFromRow);
  }

  /* ---- audit ---- */

  insertAuditEvent(r: AuditRecord, origin: AuditOrigin): void {
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
         fields_json, actor_kind, prev_hash, hash, version, origin, received_at, skew_flag)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
    this.recordChange('audit', r.id);
  }

  auditEvent(id: string): AuditRecord | null {
    const row = this.one<AuditRow>('SELECT * FROM audit_events WHERE id = ?', id);
    return row ? auditFromRow(row) : null;
  }

  lastServerAuditHash(): string {
    return (
      this.one<{ hash: string }>(
        "SELECT hash FROM audit_events WHERE origin = 'server' ORDER BY seq DESC LIMIT 1",
      )?.hash ?? ''
    );
  }

  auditForEntity(entityType: string, entityId: string, limit: number): AuditRecord[] {
    return this.all<AuditRow>(
      'SELECT * FROM audit_events WHERE entity_type = ? AND entity_id = ? ORDER BY at DESC, seq DESC LIMIT ?',
      entityType,
      entityId,
      limit,
    ).map(auditFromRow);
  }

  /* ---- change log ---- */

  latestSeq(): number {
    return this.one<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM changes')?.seq ?? 0;
  }

  changesAfter(after: number, limit: number): ChangeRef[] {
    return this.all<ChangeRef>(
      'SELECT seq, entity, id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
      after,
      limit,
    );
  }

  countChangesAfter(after: number): number {
    return this.one<{ n: number }>('SELECT COUNT(*) AS n FROM changes WHERE seq > ?', after)?.n ?? 0;
  }

  loadChange(entity: EntityName, id: string): Change {
    switch (entity) {
      case 'staff':
        return { entity, id, data: this.staff(id) };
      case 'provider':
        return { entity, id, data: this.provider(id) };
      case 'patient':
        return { entity, id, data: this.patient(id) };
      case 'thread':
        return { entity, id, data: this.thread(id) };
      case 'message':
        return { entity, id, data: this.message(id) };
      case 'attachment':
        return { entity, id, data: this.attachment(id) };
      case 'appointment':
        return { entity, id, data: this.appointment(id) };
      case 'audit':
        return { entity, id, data: this.auditEvent(id) };
      case 'device': {
        const d = this.device(id);
        return { entity, id, data: d ? { id: d.id, name: d.name, version: 1 } : null };
      }
    }
  }

  /* ---- issue 10: enrolled devices, attribution, per-device audit chains ---- */

  devices(): Device[] {
    return this.all<DeviceRow>('SELECT * FROM devices ORDER BY created_at DESC, id').map(deviceFromRow);
  }

  revokeDevice(id: string, at: string): void {
    this.run('UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', at, id);
    this.run('DELETE FROM access_tokens WHERE device_id = ?', id);
    this.run('UPDATE refresh_tokens SET expires_at = 0 WHERE device_id = ?', id);
  }

  deviceStaffLastOnline(deviceId: string, staffId: string): string | null {
    return (
      this.one<{ last_online_at: string | null }>(
        'SELECT last_online_at FROM device_staff WHERE device_id = ? AND staff_id = ?',
        deviceId,
        staffId,
      )?.last_online_at ?? null
    );
  }

  deviceAuditHead(deviceId: string): DeviceAuditHead | null {
    return (
      this.one<DeviceAuditHead>(
        `SELECT id, hash, at FROM audit_events WHERE device_id = ? AND origin = 'console'
         ORDER BY seq DESC LIMIT 1`,
        deviceId,
      ) ?? null
    );
  }

  deviceAuditHasHash(deviceId: string, hash: string): boolean {
    return !!this.one(
      "SELECT 1 FROM audit_events WHERE device_id = ? AND origin = 'console' AND hash = ?",
      deviceId,
      hash,
    );
  }

  insertConsoleAuditEvent(r: AuditRecord, receipt: AuditReceipt): void {
    this.insertAudit(r, 'console', receipt.receivedAt, receipt.skewFlag ? 1 : 0);
  }

  insertAuditAlert(a: Omit<AuditAlert, 'seq'>): void {
    this.run(
      'INSERT INTO audit_alerts (at, device_id, event_id, kind, detail) VALUES (?, ?, ?, ?, ?)',
      a.at,
      a.deviceId,
      a.eventId,
      a.kind,
      a.detail,
    );
  }

  auditAlerts(limit: number): AuditAlert[] {
    return this.all<{
      seq: number;
      at: string;
      device_id: string;
      event_id: string | null;
      kind: AuditAlertKind;
      detail: string;
    }>('SELECT * FROM audit_alerts ORDER BY seq DESC LIMIT ?', limit).map((r) => ({
      seq: r.seq,
      at: r.at,
      deviceId: r.device_id,
      eventId: r.event_id,
      kind: r.kind,
      detail: r.detail,
    }));
  }

  setPasswordHash(staffId: string, passwordHash: string): void {
    this.run('UPDATE staff SET password_hash = ? WHERE id = ?', passwordHash, staffId);
  }

  setPortalPasswordHash(patientId: string, passwordHash: string): void {
    this.run('UPDATE patients SET portal_password_hash = ? WHERE id = ?', passwordHash, patientId);
  }

  patientMfa(patientId: string): PatientMfa | null {
    const row = this.one<{ secret: string; enabled: number; last_step: number }>(
      'SELECT secret, enabled, last_step FROM patient_mfa WHERE patient_id = ?',
      patientId,
    );
    return row ? { secret: row.secret, enabled: row.enabled === 1, lastStep: row.last_step } : null;
  }

  setPatientMfaSecret(patientId: string, secret: string): void {
    this.run(
      `INSERT INTO patient_mfa (patient_id, secret, enabled, last_step) VALUES (?, ?, 0, -1)
       ON CONFLICT (patient_id) DO UPDATE SET secret = excluded.secret, enabled = 0, last_step = -1`,
      patientId,
      secret,
    );
    this.run('DELETE FROM patient_recovery_codes WHERE patient_id = ?', patientId);
  }

  enablePatientMfa(patientId: string, step: number, recoveryCodeHashes: string[]): void {
    this.run('UPDATE patient_mfa SET enabled = 1, last_step = ? WHERE patient_id = ?', step, patientId);
    this.run('DELETE FROM patient_recovery_codes WHERE patient_id = ?', patientId);
    for (const hash of recoveryCodeHashes) {
      this.run('INSERT INTO patient_recovery_codes (patient_id, code_hash) VALUES (?, ?)', patientId, hash);
    }
  }

  setPatientMfaLastStep(patientId: string, step: number): void {
    this.run('UPDATE patient_mfa SET last_step = ? WHERE patient_id = ?', step, patientId);
  }

  useRecoveryCode(patientId: string, codeHash: string, at: string): boolean {
    return (
      this.run(
        'UPDATE patient_recovery_codes SET used_at = ? WHERE patient_id = ? AND code_hash = ? AND used_at IS NULL',
        at,
        patientId,
        codeHash,
      ) === 1
    );
  }

  insertPatientLogin(l: Omit<PatientLogin, 'seq'>): void {
    this.run(
      'INSERT INTO patient_logins (patient_id, at, client, outcome, method) VALUES (?, ?, ?, ?, ?)',
      l.patientId,
      l.at,
      l.client,
      l.outcome,
      l.method,
    );
  }

  patientLogins(patientId: string, limit: number): PatientLogin[] {
    return this.all<{
      seq: number;
      patient_id: string;
      at: string;
      client: string;
      outcome: 'success' | 'failure';
      method: string;
    }>('SELECT * FROM patient_logins WHERE patient_id = ? ORDER BY seq DESC LIMIT ?', patientId, limit).map(
      (r) => ({
        seq: r.seq,
        patientId: r.patient_id,
        at: r.at,
        client: r.client,
        outcome: r.outcome,
        method: r.method,
      }),
    );
  }

  /* ---- at-most-once ---- */

  appliedMutation(deviceId: string, mutationId: string): string | null {
    return (
      this.one<{ result_json: string }>(
        'SELECT result_json FROM applied_mutations WHERE device_id = ? AND mutation_id = ?',
        deviceId,
        mutationId,
      )?.result_json ?? null
    );
  }

  saveAppliedMutation(deviceId: string, mutationId: string, resultJson: string, at: string): void {
    this.run(
      'INSERT INTO applied_mutations (device_id, mutation_id, result_json, applied_at) VALUES (?, ?, ?, ?)',
      deviceId,
      mutationId,
      resultJson,
      at,
    );
  }
}
