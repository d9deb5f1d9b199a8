/**
 * The sync protocol between a console and the portal backend (DESIGN.md §5):
 * transactional outbox + cursor pull, server authoritative. Documented for humans in server/API.md.
 */
import { z } from 'zod';
import {
  AppointmentRecord,
  AttachmentRecord,
  AuditRecord,
  CancelCode,
  DeviceRecord,
  IsoTime,
  LocationRecord,
  MessageRecord,
  PatientRecord,
  Priority,
  ProviderRecord,
  StaffRecord,
  ThreadRecord,
  ThreadStatus,
  VisitTypeRecord,
  TOPICS,
  SeriesRecord,
  TimeOfDay,
  WaitlistRecord,
} from './domain';
import { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from './availability';
import { ClinicSettingsRecord, PoolRecord, PoolTemplateRecord } from './triage';
import { AbsenceRecord } from './coverage';

/** Bounds shared by both sides so neither has to guess the other's limits. */
export const SYNC_LIMITS = {
  maxPullBatch: 5000,
  defaultPullBatch: 5000,
  maxPushBatch: 200,
  maxBodyBytes: 16 * 1024 * 1024,
} as const;

export const SYNC_ROUTES = {
  health: '/healthz',
  registerDevice: '/auth/devices',
  signIn: '/auth/sign-in',
  refresh: '/auth/refresh',
  signOut: '/auth/sign-out',
  pull: '/sync/pull',
  push: '/sync/push',
  events: '/sync/events',
  auditForEntity: '/audit/entity',
  /** One record as the server holds it now (issue 12: a console restores what the server has). */
  record: '/sync/record',
  /** Session 7, s7srv: several threads at once (a console fetching the bodies a pull withheld). */
  records: '/sync/records',
  portalSignIn: '/portal/sign-in',
  portalThreads: '/portal/threads',
  portalMessages: '/portal/threads/:threadId/messages',
  portalAppointments: '/portal/appointments',
  portalAppointment: '/portal/appointments/:appointmentId',
  // issue 10: admin device management, audit-integrity alerts, the device's audit chain head
  adminDevices: '/admin/devices',
  adminRevokeDevice: '/admin/devices/:deviceId/revoke',
  adminAuditAlerts: '/admin/audit-alerts',
  auditHead: '/sync/audit-head',
  // issue 10: patient multi-factor sign-in and login history
  portalMfaSetup: '/portal/mfa/setup',
  portalMfaEnable: '/portal/mfa/enable',
  portalLoginHistory: '/portal/login-history',
  // issue 14a: triage pools (admin configuration)
  adminPools: '/admin/pools',
  adminPool: '/admin/pools/:poolId',
  adminBreakGlass: '/admin/break-glass',
  adminAcknowledgeBreakGlass: '/admin/break-glass/:grantId/acknowledge',
  // session 4, 13c: availability (issue 13 §3), admin configuration
  adminAvailabilityTemplate: '/admin/availability/templates/:providerId',
  adminAvailabilityExceptions: '/admin/availability/exceptions',
  adminAvailabilityException: '/admin/availability/exceptions/:exceptionId',
  // session 4, 14c: coverage (absences), clinic-set break-glass time, pool templates
  absence: '/coverage/absences/:absenceId',
  endAbsence: '/coverage/absences/:absenceId/end',
  adminClinicSettings: '/admin/clinic-settings',
  adminPoolTemplate: '/admin/pool-templates/:templateId',
  // session 7, sec7 (review 7 U9): deactivate or reactivate a staff account; pulled by every console
  adminStaffActive: '/admin/staff/:staffId/active',
} as const;

/**
 * session 6, s6sync (issue 16 §2): an audit event as a pull serves it. A console keeps pulled events without
 * their chain hashes (the server verifies chains; a console verifies its own log), so it asks for them to be
 * left out with PULL_LEAN_HEADER: 24 of the 192 MB an initial sync at scale 100 carries. Present, they are
 * validated as in AuditRecord.
 */
export const PulledAuditRecord = AuditRecord.extend({
  prevHash: AuditRecord.shape.prevHash.optional(),
  hash: AuditRecord.shape.hash.optional(),
});
export type PulledAuditRecord = z.infer<typeof PulledAuditRecord>;
/** Request header of a pull: `audit-chain` leaves pulled audit events' prevHash and hash out (PulledAuditRecord). */
export const PULL_LEAN_HEADER = 'x-sync-lean';
export const PULL_LEAN_AUDIT_CHAIN = 'audit-chain';

/** One change in server order. `data` is null for a delete. */
export const Change = z.discriminatedUnion('entity', [
  z.strictObject({ entity: z.literal('staff'), id: z.string(), data: StaffRecord.nullable() }),
  z.strictObject({ entity: z.literal('provider'), id: z.string(), data: ProviderRecord.nullable() }),
  z.strictObject({ entity: z.literal('patient'), id: z.string(), data: PatientRecord.nullable() }),
  z.strictObject({ entity: z.literal('thread'), id: z.string(), data: ThreadRecord.nullable() }),
  z.strictObject({ entity: z.literal('message'), id: z.string(), data: MessageRecord.nullable() }),
  z.strictObject({ entity: z.literal('attachment'), id: z.string(), data: AttachmentRecord.nullable() }),
  z.strictObject({ entity: z.literal('appointment'), id: z.string(), data: AppointmentRecord.nullable() }),
  z.strictObject({ entity: z.literal('audit'), id: z.string(), data: PulledAuditRecord.nullable() }),
  z.strictObject({ entity: z.literal('device'), id: z.string(), data: DeviceRecord.nullable() }),
  // issue 14a: the clinic's triage pools (topics routed there, kind, SLA per priority)
  z.strictObject({ entity: z.literal('pool'), id: z.string(), data: PoolRecord.nullable() }),
  // issue 13: the clinic profile's locations (IANA zone of each) reach every console
  z.strictObject({ entity: z.literal('location'), id: z.string(), data: LocationRecord.nullable() }),
  z.strictObject({ entity: z.literal('visitType'), id: z.string(), data: VisitTypeRecord.nullable() }),
  // issue 13 §4/§5: recurring series (RRULE) and the waitlist
  z.strictObject({ entity: z.literal('series'), id: z.string(), data: SeriesRecord.nullable() }),
  z.strictObject({ entity: z.literal('waitlist'), id: z.string(), data: WaitlistRecord.nullable() }),
  // session 4, 13c: availability (issue 13 §3): weekly templates per provider and location, and exceptions
  z.strictObject({
    entity: z.literal('availabilityTemplate'),
    id: z.string(),
    data: AvailabilityTemplateRecord.nullable(),
  }),
  z.strictObject({
    entity: z.literal('availabilityException'),
    id: z.string(),
    data: AvailabilityExceptionRecord.nullable(),
  }),
  // session 4, 14c: absences with their cover (issue 14 §3), clinic settings (§4), pool templates (§5)
  z.strictObject({ entity: z.literal('absence'), id: z.string(), data: AbsenceRecord.nullable() }),
  z.strictObject({
    entity: z.literal('clinicSettings'),
    id: z.string(),
    data: ClinicSettingsRecord.nullable(),
  }),
  z.strictObject({ entity: z.literal('poolTemplate'), id: z.string(), data: PoolTemplateRecord.nullable() }),
]);
export type Change = z.infer<typeof Change>;
export type EntityName = Change['entity'];

/** Cursor: an opaque decimal string of the server's change sequence. */
export const Cursor = z.string().regex(/^\d{1,19}$/);

export const PullResponse = z.strictObject({
  changes: z.array(Change),
  cursor: Cursor,
  hasMore: z.boolean(),
  /** Changes still to come after this batch, for progress bars. */
  remaining: z.number().int().nonnegative(),
  /**
   * issue 14a: threads whose messages or attachments in this batch the caller's role may not have (a
   * receptionist's session: clinical pools). A console fetches such a thread whole (GET /sync/record) when
   * someone allowed opens it.
   */
  withheld: z.array(z.string().min(1).max(64)).max(SYNC_LIMITS.maxPullBatch).optional(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/**
 * session 6, s6sync (issue 16 §2): a pull answer's `cursor` and `hasMore`, repeated in headers so a console can
 * ask for the next page as soon as the headers arrive, before it has read and validated the body. Only a hint:
 * a console applies nothing from them and refuses an answer whose body disagrees (src-main/sync/pull-feed.ts).
 */
export const PULL_CURSOR_HEADER = 'x-sync-cursor';
export const PULL_HAS_MORE_HEADER = 'x-sync-has-more';

const id = z.string().min(1).max(64);

/** Named, server-validated operations (as Replicache mutators): the server re-checks every rule. */
export const MutationOp = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('appointment.book'),
    patientId: id,
    providerId: id,
    start: IsoTime,
    end: IsoTime,
    reason: z.string().max(500),
    virtualLink: z.string().url().max(2000).nullable(),
    // issue 13a: why the patient is booked although they have an overlapping visit (required then)
    overlapReason: z.string().min(1).max(500).optional(),
    // issue 13a: booked as this visit type: the provider must offer it and the span must be its length
    visitTypeId: id.optional(),
    // issue 13 §4: an occurrence of this series: its start must be one of the series rule's occurrences
    seriesId: id.optional(),
    // issue 13 §5: booked from this waitlist entry, which the same change marks booked
    waitlistEntryId: id.optional(),
  }),
  // issue 13 §4: a recurring series (its occurrences follow as appointment.book with seriesId)
  z.strictObject({
    op: z.literal('series.create'),
    patientId: id,
    providerId: id,
    rule: z.string().min(1).max(4000),
    minutes: z.number().int().min(5).max(480),
    reason: z.string().max(500),
    visitTypeId: id.nullable(),
    virtual: z.boolean(),
  }),
  // issue 13 §4: the series' rule shrinks: an EXDATE (one visit) or an earlier UNTIL (this and following)
  z.strictObject({ op: z.literal('series.setRule'), rule: z.string().min(1).max(4000) }),
  // issue 13 §5: a patient added to / taken off the waitlist
  z.strictObject({
    op: z.literal('waitlist.add'),
    patientId: id,
    visitTypeId: id.nullable(),
    providerIds: z.array(id).max(50),
    timeOfDay: TimeOfDay,
    fromDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    toDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  z.strictObject({ op: z.literal('waitlist.remove') }),
  z.strictObject({
    op: z.literal('appointment.reschedule'),
    start: IsoTime,
    end: IsoTime,
    providerId: id,
    // issue 13a review: a reschedule onto the same patient's other visit needs a reason too
    overlapReason: z.string().min(1).max(500).optional(),
  }),
  z.strictObject({
    op: z.literal('appointment.cancel'),
    reason: z.string().min(1).max(500),
    // issue 13a: the coded reason (older consoles send text only)
    code: CancelCode.optional(),
  }),
  z.strictObject({ op: z.literal('appointment.checkIn') }),
  z.strictObject({ op: z.literal('appointment.noShow') }),
  // issue 13a: the rest of the visit flow, and taking back a check-in or no-show on the visit's day
  z.strictObject({ op: z.literal('appointment.room') }),
  z.strictObject({ op: z.literal('appointment.complete') }),
  z.strictObject({ op: z.literal('appointment.undoStatus') }),
  // issue 13b: an existing visit switched to virtual (a link) or back to in person (null).
  z.strictObject({
    op: z.literal('appointment.setVirtual'),
    virtualLink: z.string().url().max(2000).nullable(),
  }),
  z.strictObject({ op: z.literal('thread.assign'), assigneeId: id.nullable() }),
  z.strictObject({ op: z.literal('thread.setPriority'), priority: Priority }),
  z.strictObject({ op: z.literal('thread.setStatus'), status: ThreadStatus }),
  // issue 14a: re-route a thread to another triage pool
  z.strictObject({ op: z.literal('thread.route'), poolId: id }),
  // issue 14a: emergency access to the thread opened on a console (the server records it and alerts admins)
  z.strictObject({
    op: z.literal('breakGlass.open'),
    grantId: id,
    reason: z.string().trim().min(10).max(500),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
  }),
  z.strictObject({ op: z.literal('message.send'), messageId: id, body: z.string().min(1).max(20_000) }),
  z.strictObject({ op: z.literal('audit.append'), event: AuditRecord }),
]);
export type MutationOp = z.infer<typeof MutationOp>;
export type MutationOpName = MutationOp['op'];

/**
 * Version of a mutation's payload (issue 12: upgrades with changes still queued). This release writes
 * MUTATION_PAYLOAD_VERSION; a payload without `v` is version 1 (the release before, whose queued rows may still
 * wait in a console's outbox). A server accepts the current and the previous version and refuses any other
 * per mutation, never the whole batch.
 */
export const MUTATION_PAYLOAD_VERSION = 2;
export const ACCEPTED_PAYLOAD_VERSIONS: readonly number[] = [1, 2];

export const Mutation = z.strictObject({
  /** UUIDv7, unique per device; the server applies (deviceId, id) at most once. */
  id: z.string().uuid(),
  /** Entity the mutation targets (for appointment.book: the new appointment's id). */
  entityId: id,
  /** The version the console saw; null for creations. */
  baseVersion: z.number().int().nonnegative().nullable(),
  createdAt: IsoTime,
  /** Staff member on whose behalf the device acts. */
  staffId: id,
  mutation: MutationOp,
  /** Payload version; absent means 1 (see MUTATION_PAYLOAD_VERSION). */
  v: z.number().int().min(1).max(999).optional(),
});
export type Mutation = z.infer<typeof Mutation>;

export const PushRequest = z.strictObject({
  deviceId: id,
  mutations: z.array(Mutation).min(1).max(SYNC_LIMITS.maxPushBatch),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.discriminatedUnion('status', [
  z.strictObject({ id: z.string(), status: z.literal('applied'), version: z.number().int() }),
  z.strictObject({
    id: z.string(),
    status: z.literal('conflict'),
    reason: z.string().max(500),
    current: Change.nullable(),
  }),
  z.strictObject({
    id: z.string(),
    status: z.literal('rejected'),
    reason: z.string().max(500),
    /** The record as the server has it (so the console can undo its optimistic write); null if none. */
    current: Change.nullable(),
  }),
]);
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.strictObject({ results: z.array(MutationResult) });
export type PushResponse = z.infer<typeof PushResponse>;

/** GET /sync/record?entity=&id= : the record as the server holds it now (data null: no such record). */
export const RecordQuery = z.strictObject({
  entity: z.enum(['appointment', 'thread']),
  id,
});
export const RecordResponse = z.strictObject({
  change: Change,
  /** For a thread: its messages and attachments (an out-of-window thread opened on demand shows whole). */
  related: z.array(Change).max(10_000),
});
export type RecordResponse = z.infer<typeof RecordResponse>;

/**
 * Session 7, s7srv (issue 16): `POST /sync/records`, several threads in one request (at most
 * RECORDS_BATCH_MAX ids), each served, refused and audited exactly as `GET /sync/record` serves one.
 */
export const RECORDS_BATCH_MAX = 100;
export const RecordsRequest = z.strictObject({
  entity: z.literal('thread'),
  ids: z.array(id).min(1).max(RECORDS_BATCH_MAX),
});
export type RecordsRequest = z.infer<typeof RecordsRequest>;
/**
 * `records`: one answer per served id, in the request's order; `refused`: ids the caller's role may not read (or
 * that moved meanwhile). An id in neither was left out to keep the answer under 8 MB of attachments: ask again.
 */
export const RecordsResponse = z.strictObject({
  records: z.array(RecordResponse).max(RECORDS_BATCH_MAX),
  refused: z.array(id).max(RECORDS_BATCH_MAX),
});
export type RecordsResponse = z.infer<typeof RecordsResponse>;

/** SSE `poke` event payload: the newest change sequence on the server. */
export const Poke = z.strictObject({ cursor: Cursor });

export const ServerError = z.strictObject({
  error: z.string(),
  message: z.string(),
  retryAfterSeconds: z.number().optional(),
});
export type ServerError = z.infer<typeof ServerError>;

/* ---- staff auth ---- */

/**
 * Header carrying an enrolled device's credential on every staff sign-in, refresh, sync and admin request
 * (issue 10): `<deviceId>:<deviceSecret>`. A device id alone is worth nothing.
 */
export const DEVICE_CREDENTIAL_HEADER = 'x-clinic-device';
/** Set to `revoked` on the 403 DEVICE_REVOKED answer, so a console can tell removal from other refusals. */
export const DEVICE_STATUS_HEADER = 'x-clinic-device-status';
/** What every console shows when the server says its device was revoked (issue 10). */
export const DEVICE_REVOKED_MESSAGE = 'This PC was removed from the clinic: ask IT to enrol it again.';

/** A device secret: 32 random bytes (256 bits) as base64url, 43 characters. */
export const DeviceSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** Enrolment of a PC: needs an admin's full sign-in (username, password, TOTP). */
export const RegisterDeviceRequest = z.strictObject({
  name: z.string().min(1).max(100),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  totp: z.string().regex(/^\d{6}$/),
  /** The console's local audit chain head (SHA-256 hex), if it has events: its first pushed event may follow it. */
  chainHead: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type RegisterDeviceRequest = z.infer<typeof RegisterDeviceRequest>;
/** The secret is shown once; the server keeps only its SHA-256. */
export const RegisterDeviceResponse = z.strictObject({ deviceId: id, deviceSecret: DeviceSecret });
export type RegisterDeviceResponse = z.infer<typeof RegisterDeviceResponse>;

/** An enrolled device as admins see it (GET /admin/devices). */
export const EnrolledDevice = z.strictObject({
  id,
  name: z.string(),
  createdAt: IsoTime,
  revokedAt: IsoTime.nullable(),
  /** Staff id of the admin who enrolled it; null for devices from before admin enrolment. */
  enrolledBy: id.nullable(),
});
export type EnrolledDevice = z.infer<typeof EnrolledDevice>;
export const DeviceListResponse = z.strictObject({ devices: z.array(EnrolledDevice) });

/** An audit-integrity alert (GET /admin/audit-alerts): a console audit event refused or flagged. */
export const AuditAlertRecord = z.strictObject({
  seq: z.number().int(),
  at: IsoTime,
  deviceId: id,
  eventId: z.string().max(64).nullable(),
  kind: z.enum([
    'bad-hash',
    'gap',
    'fork',
    'restarted',
    'duplicate',
    'back-dated',
    'clock-skew',
    'wrong-device',
    'unknown-staff',
    'wrong-role',
  ]),
  detail: z.string().max(500),
});
export type AuditAlertRecord = z.infer<typeof AuditAlertRecord>;
export const AuditAlertsResponse = z.strictObject({ alerts: z.array(AuditAlertRecord) });

/** GET /sync/audit-head: the last console event the server holds for the calling device. */
export const AuditHeadResponse = z.strictObject({
  head: z.strictObject({ id: z.string(), hash: z.string(), at: IsoTime }).nullable(),
});
export type AuditHeadResponse = z.infer<typeof AuditHeadResponse>;

export const SignInRequest = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  totp: z.string().regex(/^\d{6}$/),
  deviceId: id,
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const TokenResponse = z.strictObject({
  accessToken: z.string().min(16).max(512),
  refreshToken: z.string().min(16).max(512),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
  staff: StaffRecord,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(16).max(512) });

/* ---- patient portal ---- */

export const PortalSignInRequest = z.strictObject({
  mrn: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /** Required once the patient turned on TOTP (issue 10): a 6-digit code, or instead one recovery code. */
  totp: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  recoveryCode: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,32}$/)
    .optional(),
});

/** POST /portal/mfa/setup → a new TOTP secret for the patient's authenticator app (not active yet). */
export const PortalMfaSetupResponse = z.strictObject({
  secret: z.string(),
  /** `otpauth://totp/…` for a QR code. */
  otpauthUri: z.string(),
});
/** POST /portal/mfa/enable: prove a code of the new secret. */
export const PortalMfaEnableRequest = z.strictObject({ totp: z.string().regex(/^\d{6}$/) });
/** The recovery codes, shown once: each signs in once instead of a TOTP code. */
export const PortalMfaEnableResponse = z.strictObject({ recoveryCodes: z.array(z.string()) });
/** GET /portal/login-history: the patient's own sign-in attempts, newest first. */
export const PortalLoginHistory = z.strictObject({
  logins: z.array(
    z.strictObject({
      at: IsoTime,
      client: z.string(),
      outcome: z.enum(['success', 'failure']),
      method: z.string(),
    }),
  ),
});
export const PortalSignInResponse = z.strictObject({ token: z.string(), patientId: id });

export const PortalNewThread = z.strictObject({
  subject: z.string().min(1).max(300),
  /** issue 14a: the topic the patient picked; routes the thread to a pool. Absent: 'clinical-question'. */
  topic: z.enum(TOPICS).optional(),
  body: z.string().min(1).max(20_000),
  attachment: z
    .strictObject({
      fileName: z.string().min(1).max(255),
      mimeType: z.string().min(1).max(127),
      contentBase64: z.string().max(14 * 1024 * 1024),
    })
    .optional(),
});
export const PortalNewMessage = z.strictObject({ body: z.string().min(1).max(20_000) });
export const PortalAppointmentRequest = z.strictObject({
  providerId: id,
  start: IsoTime,
  end: IsoTime,
  reason: z.string().max(500),
});
