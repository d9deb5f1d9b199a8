/**
 * The one data-access interface of the portal backend. Routes and services talk only to this, never
 * to SQL: `SqliteStore` (embedded, the default) and `PgStore` (PostgreSQL, several instances) implement it.
 * Every method is asynchronous (a PostgreSQL round trip); every insert/update of a synced entity also
 * appends to the change log (coalesced per entity), in the same transaction.
 */
import type {
  AppointmentRecord,
  AttachmentRecord,
  AuditRecord,
  LocationRecord,
  MessageRecord,
  PatientRecord,
  ProviderRecord,
  Role,
  StaffRecord,
  ThreadRecord,
  VisitTypeRecord,
  SeriesRecord,
  WaitlistRecord,
} from '../../src-shared/domain';
import type { Change, EntityName } from '../../src-shared/sync';
import type { WireOptions, WirePage } from './wire-json';
import type { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from '../../src-shared/availability';
import type {
  BreakGlassGrant,
  ClinicSettingsRecord,
  PoolRecord,
  PoolTemplateRecord,
} from '../../src-shared/triage';
import type { AbsenceRecord, CoverageMoveOutcome } from '../../src-shared/coverage';
import type { CoverageMove } from './coverage-rows';

/** issue 14a: an emergency-access grant as the server stores it. */
export interface BreakGlassInsert {
  id: string;
  staffId: string;
  deviceId: string;
  entityType: 'thread';
  entityId: string;
  reason: string;
  openedAt: string;
  expiresAt: string;
}

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
  /**
   * The console's local audit chain head at enrolment (review fix): the device's first pushed event must link to
   * it or to the genesis hash. Absent or null: genesis only.
   */
  chainAnchor?: string | null;
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
  | 'unknown-staff'
  | 'wrong-role';

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

export interface TransactionOptions {
  /** A read-only snapshot (pulls): no write lock. */
  readOnly?: boolean;
}

export interface ServerStore {
  /**
   * Runs `fn` in one transaction; every store call made while `fn` runs (followed through `await`) joins it,
   * and nested calls join the outer one. Write transactions are serialised (SQLite: one writer; PostgreSQL:
   * a transaction-level advisory lock taken at BEGIN, across every instance on the database), so change-log
   * sequence numbers are committed in order and a pull never skips one. `readOnly` transactions see one
   * consistent snapshot and take no lock. `fn` may be run again after a PostgreSQL serialization failure or
   * deadlock, so it must have no effects outside the store. Rolls back and rethrows whatever `fn` throws.
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
  /**
   * Called whenever the change log grew: SQLite calls it at once (possibly mid-transaction); PostgreSQL after
   * commit, on every instance on the database (LISTEN/NOTIFY), so pokes reach consoles of any instance.
   */
  onChange(listener: () => void): () => void;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  insertStaff(record: StaffRecord, passwordHash: string, totpSecret: string): Promise<void>;
  staff(id: string): Promise<StaffRecord | null>;
  staffAuthByUsername(username: string): Promise<StaffAuth | null>;
  setTotpLastStep(staffId: string, step: number): Promise<void>;
  countStaff(): Promise<number>;
  /**
   * Deactivates (`active` false) or reactivates a staff account (review 7 U9). A real change bumps the record's
   * version and is a 'staff' change every console pulls, and a deactivation ends the person's access and refresh
   * tokens for good and marks them signed out at `at` (ISO UTC) on every PC they were signed in on (review 8), so
   * no device keeps their clearance; setting what is already set changes nothing. Returns
   * the record as it is now, or null for an unknown id.
   */
  setStaffActive(staffId: string, active: boolean, at: string): Promise<StaffRecord | null>;
  /** Session 8, sec8: the staff accounts linked to a provider (`providerId`), by id; none for an unknown id. */
  staffOfProvider(providerId: string): Promise<StaffRecord[]>;

  insertDevice(device: Device): Promise<void>;
  device(id: string): Promise<Device | null>;
  /** Records an online sign-in of the staff member on the device (first time and, since issue 10, the latest). */
  linkDeviceStaff(deviceId: string, staffId: string, at: string): Promise<void>;
  isDeviceStaff(deviceId: string, staffId: string): Promise<boolean>;

  insertAccessToken(tokenHash: string, token: AccessToken): Promise<void>;
  accessToken(tokenHash: string): Promise<AccessToken | null>;
  deleteAccessToken(tokenHash: string): Promise<void>;
  insertRefreshToken(tokenHash: string, token: AccessToken): Promise<void>;
  refreshToken(tokenHash: string): Promise<RefreshToken | null>;
  markRefreshTokenUsed(tokenHash: string, at: number): Promise<void>;
  revokeFamily(family: string): Promise<void>;
  insertPortalToken(tokenHash: string, token: PortalToken): Promise<void>;
  portalToken(tokenHash: string): Promise<PortalToken | null>;
  purgeExpired(now: number): Promise<void>;

  addAuthFailure(key: string, at: number): Promise<void>;
  authFailuresSince(key: string, since: number): Promise<number[]>;
  clearAuthFailures(key: string): Promise<void>;

  insertProvider(record: ProviderRecord): Promise<void>;
  provider(id: string): Promise<ProviderRecord | null>;
  providers(): Promise<ProviderRecord[]>;
  // issue 13a: clinic locations
  /** Insert or replace a location of the clinic profile (records a 'location' change for the consoles). */
  upsertLocation(record: LocationRecord): Promise<void>;
  location(id: string): Promise<LocationRecord | null>;
  locations(): Promise<LocationRecord[]>;
  /** Move a provider to a location (records a 'provider' change); the version is bumped. */
  setProviderLocation(providerId: string, locationId: string): Promise<void>;
  // issue 13 §4/§5 (session 4, 13d)
  /** A recurring series, or null. */
  series(id: string): Promise<SeriesRecord | null>;
  /** Insert or replace a series (records a 'series' change). */
  putSeries(record: SeriesRecord): Promise<void>;
  /** A waitlist entry, or null. */
  waitlistEntry(id: string): Promise<WaitlistRecord | null>;
  /** Insert or replace a waitlist entry (records a 'waitlist' change). */
  putWaitlistEntry(record: WaitlistRecord): Promise<void>;
  /** Insert or replace a visit type (records a 'visitType' change). */
  upsertVisitType(record: VisitTypeRecord): Promise<void>;
  visitType(id: string): Promise<VisitTypeRecord | null>;
  /** Every visit type, by id (session 5, dx5: the portal bounds a request's length by them). */
  visitTypes(): Promise<VisitTypeRecord[]>;
  // session 4, 13c: availability (issue 13 §3)
  /** Insert or replace a provider's weekly template at a location (records an 'availabilityTemplate' change). */
  upsertAvailabilityTemplate(record: AvailabilityTemplateRecord): Promise<void>;
  availabilityTemplate(id: string): Promise<AvailabilityTemplateRecord | null>;
  /** The template of a provider at a location, or null (the provider then works their default hours). */
  availabilityTemplateFor(providerId: string, locationId: string): Promise<AvailabilityTemplateRecord | null>;
  /** Insert an exception (records an 'availabilityException' change). */
  insertAvailabilityException(record: AvailabilityExceptionRecord): Promise<void>;
  availabilityException(id: string): Promise<AvailabilityExceptionRecord | null>;
  /** Delete an exception (records its deletion for the consoles); false when there was none. */
  deleteAvailabilityException(id: string): Promise<boolean>;
  /** Exceptions at a location overlapping the local dates fromDate..toDate (inclusive), by first date. */
  availabilityExceptions(
    locationId: string,
    fromDate: string,
    toDate: string,
  ): Promise<AvailabilityExceptionRecord[]>;
  /** When this staff member first signed in online on this device (ISO), or null. */
  deviceStaffFirstAt(deviceId: string, staffId: string): Promise<string | null>;
  /** The latest creation time (ISO UTC) of a change this device pushed, or null (DESIGN §5, judging time). */
  deviceLastChangeAt(deviceId: string): Promise<string | null>;
  /** Raise the device's latest change time to `at` (ISO UTC) if it is later; never lowers it. */
  raiseDeviceLastChangeAt(deviceId: string, at: string): Promise<void>;
  /**
   * How many slot-holding visits of a patient made through `origin` start after `after` (ISO UTC): the portal's
   * cap on upcoming online bookings (server/portal/service.ts PORTAL_UPCOMING_VISITS_MAX). Session 6, dx6.
   */
  patientUpcomingVisitCount(patientId: string, after: string, origin: AppointmentOrigin): Promise<number>;
  /** Slot-holding visits of a patient overlapping [start, end), other than `excludeId` (uncapped). */
  patientVisitsOverlapping(
    patientId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord[]>;

  insertPatient(record: PatientRecord, portalPasswordHash: string | null): Promise<void>;
  patient(id: string): Promise<PatientRecord | null>;
  patientAuthByMrn(mrn: string): Promise<{ record: PatientRecord; portalPasswordHash: string | null } | null>;

  insertThread(record: ThreadRecord): Promise<void>;
  updateThread(record: ThreadRecord): Promise<void>;
  thread(id: string): Promise<ThreadRecord | null>;
  threadsOfPatient(patientId: string, limit: number): Promise<ThreadRecord[]>;

  insertMessage(record: MessageRecord): Promise<void>;
  message(id: string): Promise<MessageRecord | null>;
  messagesOfThread(threadId: string): Promise<MessageRecord[]>;

  insertAttachment(record: AttachmentRecord): Promise<void>;
  attachment(id: string): Promise<AttachmentRecord | null>;
  attachmentsOfThread(threadId: string): Promise<AttachmentMeta[]>;

  insertAppointment(record: AppointmentRecord, origin: AppointmentOrigin): Promise<void>;
  updateAppointment(record: AppointmentRecord): Promise<void>;
  appointment(id: string): Promise<AppointmentRecord | null>;
  appointmentOrigin(id: string): Promise<AppointmentOrigin | null>;
  /** A slot-holding appointment of the provider overlapping [start, end), other than `excludeId`. */
  findSlotHolder(
    providerId: string,
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<AppointmentRecord | null>;
  appointmentsOfPatient(patientId: string, limit: number): Promise<AppointmentRecord[]>;

  insertAuditEvent(record: AuditRecord, origin: AuditOrigin): Promise<void>;
  auditEvent(id: string): Promise<AuditRecord | null>;
  /** Hash of the newest server-written event ('' before the first): the next event's prevHash. */
  lastServerAuditHash(): Promise<string>;
  auditForEntity(entityType: string, entityId: string, limit: number): Promise<AuditRecord[]>;

  latestSeq(): Promise<number>;
  changesAfter(after: number, limit: number): Promise<ChangeRef[]>;
  /**
   * The number of change log rows after the cursor `after` (a pull answer's `remaining`). `page`, when the caller
   * has just read them in the same snapshot: the change rows with `page.from < seq <= after` number `page.rows`
   * (one pull page); a store may count from it instead of reading those rows again (SQLite: changes-count.ts).
   */
  countChangesAfter(after: number, page?: { from: number; rows: number }): Promise<number>;
  /** The entity's current state as a Change (data null when it no longer exists). */
  loadChange(entity: EntityName, id: string): Promise<Change>;
  /**
   * `loadChange` for many refs at once, in the refs' order (PostgreSQL: one query per entity kind instead of
   * one per ref). Callers keep attachments out of it: their content is loaded one at a time, under a budget.
   */
  loadChanges(refs: readonly ChangeRef[]): Promise<Change[]>;
  /**
   * Session 7, s7srv (issue 16 §2): one pull page, each record's wire JSON encoded by the database or kept as
   * written (server/db/wire-json.ts: which entities, which fields): at most `limit` change log rows after the
   * cursor `after`, in order. `joinable` false: every row as a WireRow (`joined` null), whatever the store.
   * Call inside the pull's read-only transaction.
   */
  pullPage(after: number, limit: number, options: WireOptions, joinable?: boolean): Promise<WirePage>;

  /* ---- issue 10: enrolled devices, attribution, per-device audit chains (all additive) ---- */

  /** Every device, newest first (admin list). */
  devices(): Promise<Device[]>;
  /** Marks the device revoked at `at` and deletes every access and refresh token issued to it. */
  revokeDevice(id: string, at: string): Promise<void>;
  /** When `staffId` last signed in ONLINE on `deviceId` (UTC ISO), or null if never. linkDeviceStaff sets it. */
  deviceStaffLastOnline(deviceId: string, staffId: string): Promise<string | null>;
  /** Re-enrolment of the same PC (review fix): copies `from`'s online sign-ins to `to`. */
  copyDeviceStaff(from: string, to: string): Promise<void>;
  /** Records a server sign-out of the staff member on the device (a later sign-in clears it). */
  markDeviceStaffSignedOut(deviceId: string, staffId: string, at: string): Promise<void>;
  /** The sign-out since the last online sign-in on that device (UTC ISO), or null. */
  deviceStaffSignedOutAt(deviceId: string, staffId: string): Promise<string | null>;
  /** The last console-appended event of the device, or null before its first. */
  deviceAuditHead(deviceId: string): Promise<DeviceAuditHead | null>;
  /** True when the device has a console-appended event with this hash (tells a fork from a gap). */
  deviceAuditHasHash(deviceId: string, hash: string): Promise<boolean>;
  /** Stores a console's verified audit event with the server's receipt (origin 'console'). */
  insertConsoleAuditEvent(record: AuditRecord, receipt: AuditReceipt): Promise<void>;
  insertAuditAlert(alert: Omit<AuditAlert, 'seq'>): Promise<void>;
  /** Newest first, at most `limit`. */
  auditAlerts(limit: number): Promise<AuditAlert[]>;
  /** Replaces a staff member's password hash (upgrade to the current scrypt cost at sign-in). */
  setPasswordHash(staffId: string, passwordHash: string): Promise<void>;
  /** Replaces a patient's portal password hash (upgrade at sign-in). */
  setPortalPasswordHash(patientId: string, passwordHash: string): Promise<void>;
  /** The patient's TOTP settings, or null before setup. */
  patientMfa(patientId: string): Promise<PatientMfa | null>;
  /** Sets up (or replaces) the patient's TOTP secret, not yet enabled, with no recovery codes. */
  setPatientMfaSecret(patientId: string, secret: string): Promise<void>;
  /** Enables TOTP at `step` and replaces the recovery codes with these SHA-256 hashes. */
  enablePatientMfa(patientId: string, step: number, recoveryCodeHashes: string[]): Promise<void>;
  setPatientMfaLastStep(patientId: string, step: number): Promise<void>;
  /** Spends a recovery code: true (and marked used at `at`) only if it existed unused. */
  useRecoveryCode(patientId: string, codeHash: string, at: string): Promise<boolean>;
  insertPatientLogin(login: Omit<PatientLogin, 'seq'>): Promise<void>;
  /** Newest first, at most `limit`. */
  patientLogins(patientId: string, limit: number): Promise<PatientLogin[]>;

  /* ---- issue 14a: triage pools, what a device may be served ---- */

  /** The clinic's triage pools, by id. */
  pools(): Promise<PoolRecord[]>;
  triagePool(id: string): Promise<PoolRecord | null>;
  /** Creates or replaces a pool (admin configuration); logged as a 'pool' change. */
  upsertPool(record: PoolRecord): Promise<void>;
  /** Stores an emergency-access grant (issue 14a). */
  insertBreakGlass(grant: BreakGlassInsert): Promise<void>;
  /** True while the staff member holds a grant on the record unexpired at `nowIso`. */
  activeBreakGlass(staffId: string, entityId: string, nowIso: string): Promise<boolean>;
  /** Newest first, at most `limit`, each with its count of reads flagged 'BTG' within the grant's time. */
  breakGlassReport(limit: number): Promise<BreakGlassGrant[]>;
  /** Marks a grant reviewed; false if there is no such grant. */
  acknowledgeBreakGlass(id: string, staffId: string, at: string): Promise<boolean>;
  /**
   * Roles of the staff signed in online on the device at or after `onlineSince` (ISO UTC; the offline grace
   * period) and not signed out there since, whose accounts are active (review 8: a deactivated person clears
   * nothing): the device's clearance (review 4: a forgotten sign-in expires).
   */
  deviceStaffRoles(deviceId: string, onlineSince: string): Promise<Role[]>;

  /* ---- session 4, 14c: coverage (issue 14 §3), clinic settings (§4), pool templates (§5) ---- */

  /** Inserts or replaces an absence (logged as an 'absence' change). */
  upsertAbsence(record: AbsenceRecord): Promise<void>;
  absence(id: string): Promise<AbsenceRecord | null>;
  /** The person's absences as absent clinician or as cover that are not ended, by start. */
  absencesInvolving(staffIds: readonly string[]): Promise<AbsenceRecord[]>;
  /** Absences not ended whose start is at or before `nowIso` (to hand over, keep covering, or hand back). */
  absencesDue(nowIso: string): Promise<AbsenceRecord[]>;
  /** Open (not done) threads assigned to the staff member, at most `limit`, by id. */
  openThreadsAssignedTo(staffId: string, limit: number): Promise<ThreadRecord[]>;
  /** Open (not done) threads of a pool that someone holds, by id (review 7 R10: a pool's kind changed). */
  openAssignedThreadsOfPool(poolId: string): Promise<ThreadRecord[]>;
  /** Records (or, for a thread moved again in the same absence, replaces) one coverage move. */
  upsertCoverageMove(move: CoverageMove): Promise<void>;
  /** The absence's moves not yet settled by a hand-back. */
  openCoverageMoves(absenceId: string): Promise<CoverageMove[]>;
  settleCoverageMove(
    absenceId: string,
    threadId: string,
    at: string,
    outcome: CoverageMoveOutcome,
  ): Promise<void>;
  /** The one clinic settings record (seeded by the schema migration). */
  clinicSettings(): Promise<ClinicSettingsRecord>;
  /** Replaces the clinic settings (logged as a 'clinicSettings' change). */
  setClinicSettings(record: ClinicSettingsRecord): Promise<void>;
  poolTemplates(): Promise<PoolTemplateRecord[]>;
  poolTemplate(id: string): Promise<PoolTemplateRecord | null>;
  /** Inserts or replaces a pool template (logged as a 'poolTemplate' change). */
  upsertPoolTemplate(record: PoolTemplateRecord): Promise<void>;
  /** Deletes a pool template (logged: its change then carries data null); false if there was none. */
  deletePoolTemplate(id: string): Promise<boolean>;

  appliedMutation(deviceId: string, mutationId: string): Promise<string | null>;
  saveAppliedMutation(deviceId: string, mutationId: string, resultJson: string, at: string): Promise<void>;
}
