/**
 * The one data-access interface of the portal backend. Routes and services talk only to this, never
 * to SQL, so a PostgreSQL implementation can be added beside the SQLite one.
 * Every insert/update of a synced entity also appends to the change log (coalesced per entity).
 */
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
import type { Change, EntityName } from '../../src-shared/sync';

export interface StaffAuth {
  record: StaffRecord;
  passwordHash: string;
  totpSecret: string;
  /** Last accepted TOTP step; a code for this step or earlier is a replay. */
  totpLastStep: number;
  active: boolean;
}

export interface Device {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  /** SHA-256 hex of the device secret (issue 10); null for a device that has no credential (cannot sign in). */
  secretHash: string | null;
  /** The admin who enrolled it (issue 10); null for devices from before enrolment by an admin. */
  enrolledBy: string | null;
}

/** The newest console-appended audit event the server holds for a device: the next event must link to it. */
export interface DeviceAuditHead {
  id: string;
  hash: string;
  /** The console's time of that event (UTC ISO). */
  at: string;
}

/** How the server received a console's audit event (issue 10): its own time and whether the clocks disagree. */
export interface AuditReceipt {
  /** Server receive time (UTC ISO). */
  receivedAt: string;
  /** The console's `at` differed from `receivedAt` by more than AUDIT_SKEW_MS when it was received. */
  skewFlag: boolean;
}

export type AuditAlertKind =
  | 'bad-hash'
  | 'gap'
  | 'fork'
  | 'restarted'
  | 'duplicate'
  | 'back-dated'
  | 'clock-skew'
  | 'wrong-device'
  | 'unknown-staff';

/** An audit-integrity alert for admins (issue 10): a refused or flagged console audit event. */
export interface AuditAlert {
  seq: number;
  /** Server time the alert was raised (UTC ISO). */
  at: string;
  deviceId: string;
  /** The console event the alert is about (null when the event had no usable id). */
  eventId: string | null;
  kind: AuditAlertKind;
  /** Human text naming the rule broken; never event content beyond ids and hashes. */
  detail: string;
}

export interface AccessToken {
  staffId: string;
  deviceId: string;
  /** The sign-in this token descends from; sign-out and refresh-token reuse revoke the whole family. */
  family: string;
  expiresAt: number;
}

export interface RefreshToken extends AccessToken {
  usedAt: number | null;
}

export interface PortalToken {
  patientId: string;
  expiresAt: number;
}

/** A patient's TOTP multi-factor sign-in (issue 10). */
export interface PatientMfa {
  secret: string;
  enabled: boolean;
  lastStep: number;
}

/** One portal sign-in attempt for the patient's login history (issue 10). */
export interface PatientLogin {
  seq: number;
  patientId: string;
  at: string;
  client: string;
  outcome: 'success' | 'failure';
  /** 'password', 'password+totp', 'password+recovery-code'. */
  method: string;
}

export interface ChangeRef {
  seq: number;
  entity: EntityName;
  id: string;
}

export type AppointmentOrigin = 'console' | 'portal';
export type AuditOrigin = 'server' | 'console';
export type AttachmentMeta = Omit<AttachmentRecord, 'contentBase64' | 'version'>;

export interface ServerStore {
  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** Called (synchronously, possibly mid-transaction) whenever the change log grows. */
  onChange(listener: () => void): () => void;

  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;

  insertStaff(record: StaffRecord, passwordHash: string, totpSecret: string): void;
  staff(id: string): StaffRecord | null;
  staffAuthByUsername(username: string): StaffAuth | null;
  setTotpLastStep(staffId: string, step: number): void;
  countStaff(): number;

  insertDevice(device: Device): void;
  device(id: string): Device | null;
  /** Records an online sign-in of the staff member on the device (first time and, since issue 10, the latest). */
  linkDeviceStaff(deviceId: string, staffId: string, at: string): void;
  isDeviceStaff(deviceId: string, staffId: string): boolean;

  insertAccessToken(tokenHash: string, token: AccessToken): void;
  accessToken(tokenHash: string): AccessToken | null;
  deleteAccessToken(tokenHash: string): void;
  insertRefreshToken(tokenHash: string, token: AccessToken): void;
  refreshToken(tokenHash: string): RefreshToken | null;
  markRefreshTokenUsed(tokenHash: string, at: number): void;
  revokeFamily(family: string): void;
  insertPortalToken(tokenHash: string, token: PortalToken): void;
  portalToken(tokenHash: string): PortalToken | null;
  purgeExpired(now: number): void;

  addAuthFailure(key: string, at: number): void;
  authFailuresSince(key: string, since: number): number[];
  clearAuthFailures(key: string): void;

  insertProvider(record: ProviderRecord): void;
  provider(id: string): ProviderRecord | null;
  providers(): ProviderRecord[];

  insertPatient(record: PatientRecord, portalPasswordHash: string | null): void;
  patient(id: string): PatientRecord | null;
  patientAuthByMrn(mrn: string): { record: PatientRecord; portalPasswordHash: string | null } | null;

  insertThread(record: ThreadRecord): void;
  updateThread(record: ThreadRecord): void;
  thread(id: string): ThreadRecord | null;
  threadsOfPatient(patientId: string, limit: number): ThreadRecord[];

  insertMessage(record: MessageRecord): void;
  message(id: string): MessageRecord | null;
  messagesOfThread(threadId: string): MessageRecord[];

  insertAttachment(record: AttachmentRecord): void;
  attachment(id: string): AttachmentRecord | null;
  attachmentsOfThread(threadId: string): AttachmentMeta[];

  insertAppointment(record: AppointmentRecord, origin: AppointmentOrigin): void;
  updateAppointment(record: AppointmentRecord): void;
  appointment(id: string): AppointmentRecord | null;
  appointmentOrigin(id: string): AppointmentOrigin | null;
  /** A slot-holding appointment of the provider overlapping [start, end), other than `excludeId`. */
  findSlotHolder(
    providerId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): AppointmentRecord | null;
  appointmentsOfPatient(patientId: string, limit: number): AppointmentRecord[];

  insertAuditEvent(record: AuditRecord, origin: AuditOrigin): void;
  auditEvent(id: string): AuditRecord | null;
  /** Hash of the newest server-written event ('' before the first): the next event's prevHash. */
  lastServerAuditHash(): string;
  auditForEntity(entityType: string, entityId: string, limit: number): AuditRecord[];

  latestSeq(): number;
  changesAfter(after: number, limit: number): ChangeRef[];
  countChangesAfter(after: number): number;
  /** The entity's current state as a Change (data null when it no longer exists). */
  loadChange(entity: EntityName, id: string): Change;

  /* ---- issue 10: enrolled devices, attribution, per-device audit chains (all additive) ---- */

  /** Every device, newest first (admin list). */
  devices(): Device[];
  /** Marks the device revoked at `at` and deletes every access and refresh token issued to it. */
  revokeDevice(id: string, at: string): void;
  /** When `staffId` last signed in ONLINE on `deviceId` (UTC ISO), or null if never. linkDeviceStaff sets it. */
  deviceStaffLastOnline(deviceId: string, staffId: string): string | null;
  /** The last console-appended event of the device, or null before its first. */
  deviceAuditHead(deviceId: string): DeviceAuditHead | null;
  /** True when the device has a console-appended event with this hash (tells a fork from a gap). */
  deviceAuditHasHash(deviceId: string, hash: string): boolean;
  /** Stores a console's verified audit event with the server's receipt (origin 'console'). */
  insertConsoleAuditEvent(record: AuditRecord, receipt: AuditReceipt): void;
  insertAuditAlert(alert: Omit<AuditAlert, 'seq'>): void;
  /** Newest first, at most `limit`. */
  auditAlerts(limit: number): AuditAlert[];
  /** Replaces a staff member's password hash (upgrade to the current scrypt cost at sign-in). */
  setPasswordHash(staffId: string, passwordHash: string): void;
  /** Replaces a patient's portal password hash (upgrade at sign-in). */
  setPortalPasswordHash(patientId: string, passwordHash: string): void;
  /** The patient's TOTP settings, or null before setup. */
  patientMfa(patientId: string): PatientMfa | null;
  /** Sets up (or replaces) the patient's TOTP secret, not yet enabled, with no recovery codes. */
  setPatientMfaSecret(patientId: string, secret: string): void;
  /** Enables TOTP at `step` and replaces the recovery codes with these SHA-256 hashes. */
  enablePatientMfa(patientId: string, step: number, recoveryCodeHashes: string[]): void;
  setPatientMfaLastStep(patientId: string, step: number): void;
  /** Spends a recovery code: true (and marked used at `at`) only if it existed unused. */
  useRecoveryCode(patientId: string, codeHash: string, at: string): boolean;
  insertPatientLogin(login: Omit<PatientLogin, 'seq'>): void;
  /** Newest first, at most `limit`. */
  patientLogins(patientId: string, limit: number): PatientLogin[];

  appliedMutation(deviceId: string, mutationId: string): string | null;
  saveAppliedMutation(deviceId: string, mutationId: string, resultJson: string, at: string): void;
}
