/**
 * Domain records shared by the console, the portal backend and the renderer.
 * Zod schemas double as validators for every server answer before it touches the store (threat model §2.4).
 */
import { z } from 'zod';
import { isTimeZone } from './clinic-time';
import { normalizeIso } from './instant';

export const ROLES = ['receptionist', 'clinician', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/** What a patient says a message is about, chosen in the portal (issue 14a; pools in src-shared/triage.ts). */
export const TOPICS = [
  'clinical-question',
  'prescription-refill',
  'test-results',
  'scheduling',
  'billing-admin',
] as const;

export const THREAD_STATUSES = ['new', 'in_progress', 'done'] as const;
export const ThreadStatus = z.enum(THREAD_STATUSES);
export type ThreadStatus = z.infer<typeof ThreadStatus>;

/** FHIR R4 Appointment.status value set. */
export const APPOINTMENT_STATUSES = [
  'proposed',
  'pending',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
  'entered-in-error',
  'checked-in',
  'waitlist',
  // issue 13a: the patient is in an exam room (between checked-in and fulfilled). Not in FHIR R4's value set:
  // exported as 'checked-in' where a FHIR Appointment is needed.
  'roomed',
] as const;
export const AppointmentStatus = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

/** Statuses that hold a slot: a second appointment in the same slot is refused while one of these exists. */
export const SLOT_HOLDING_STATUSES: readonly AppointmentStatus[] = [
  'proposed',
  'pending',
  'booked',
  'arrived',
  'checked-in',
  'roomed',
  'fulfilled',
];

/** Coded cancellation reasons (issue 13a §6); free text may follow in `cancelReason`. */
export const CANCEL_CODES = [
  'patient-request',
  'patient-unwell',
  'provider-unavailable',
  'clinic-closed',
  'rescheduled',
  'booked-in-error',
  'other',
] as const;
export const CancelCode = z.enum(CANCEL_CODES);
export type CancelCode = z.infer<typeof CancelCode>;

const id = z.string().min(1).max(64);
/**
 * ISO-8601 instant. Accepted with `Z` or a `±HH:MM` offset and normalised by the schema itself to UTC
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (issue 13 §2), so the console, the router and the server store and compare one
 * spelling of each instant; a day that does not exist (2026-02-30) is refused.
 */
export const IsoTime = z
  .string()
  .datetime({ offset: true })
  .transform((text, ctx) => {
    const normal = normalizeIso(text);
    if (normal === null) {
      ctx.addIssue({ code: 'custom', message: 'Not a real date and time.' });
      return z.NEVER;
    }
    return normal;
  });

/** An IANA time-zone name the runtime knows, e.g. America/New_York. */
export const TimeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'Not an IANA time zone.' });

export const StaffRecord = z.strictObject({
  id,
  username: z.string().min(1).max(64),
  displayName: z.string().min(1).max(200),
  role: Role,
  providerId: id.nullable(),
  version: z.number().int().nonnegative(),
  /**
   * False once an admin deactivated the account on the backend (review 7 U9): every console pulls it, ends the
   * person's session and refuses their offline sign-in. Absent (an older backend's record) means active.
   */
  active: z.boolean().optional(),
});
export type StaffRecord = z.infer<typeof StaffRecord>;

/** A console PC enrolled with the backend; its name lets every desk's audit trail say where an event came from. */
export const DeviceRecord = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  version: z.number().int().nonnegative(),
});
export type DeviceRecord = z.infer<typeof DeviceRecord>;

/** A clinic location of the clinic profile (issue 13 §1): its wall clock is the IANA zone's. */
export const LocationRecord = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  timeZone: TimeZoneName,
  /** Walk-in allowance: a slot that started up to this many minutes ago today may still be booked. */
  walkInMinutes: z.number().int().min(0).max(720),
  version: z.number().int().nonnegative(),
});
export type LocationRecord = z.infer<typeof LocationRecord>;

/**
 * A visit type of the clinic profile (issue 13 §3): its length in minutes and the providers who offer it.
 * Booking by visit type takes exactly this span, on the provider's slot grid.
 */
export const VisitTypeRecord = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  minutes: z.number().int().min(5).max(480),
  providerIds: z.array(id).max(1000),
  version: z.number().int().nonnegative(),
});
export type VisitTypeRecord = z.infer<typeof VisitTypeRecord>;

export const ProviderRecord = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  specialty: z.string().max(200),
  /** The location whose wall clock the working hours are read in. */
  locationId: id,
  /** Length of one bookable slot in minutes. */
  slotMinutes: z.number().int().min(5).max(240),
  /** Working hours in wall-clock minutes after local midnight at the provider's location; slots are laid from start to end. */
  dayStartMinute: z.number().int().min(0).max(1440),
  dayEndMinute: z.number().int().min(0).max(1440),
  version: z.number().int().nonnegative(),
});
export type ProviderRecord = z.infer<typeof ProviderRecord>;

export const PatientRecord = z.strictObject({
  id,
  mrn: z.string().min(1).max(64),
  givenName: z.string().min(1).max(200),
  familyName: z.string().min(1).max(200),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  phone: z.string().max(64).nullable(),
  version: z.number().int().nonnegative(),
});
export type PatientRecord = z.infer<typeof PatientRecord>;

export const ThreadRecord = z.strictObject({
  id,
  patientId: id,
  subject: z.string().min(1).max(300),
  status: ThreadStatus,
  priority: Priority,
  assigneeId: id.nullable(),
  providerId: id.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  lastMessageAt: IsoTime,
  /** Service-level due time for a staff answer. */
  dueAt: IsoTime.nullable(),
  version: z.number().int().nonnegative(),
  // issue 14a: the topic the patient picked and the triage pool it routes to (src-shared/triage.ts). Absent from
  // servers before issue 14: such a thread counts as clinical (the restrictive reading).
  topic: z.enum(TOPICS).optional(),
  poolId: id.nullable().optional(),
});
export type ThreadRecord = z.infer<typeof ThreadRecord>;

export const MessageRecord = z.strictObject({
  id,
  threadId: id,
  authorKind: z.enum(['patient', 'staff']),
  /** Patient id or staff id, by authorKind. */
  authorId: id,
  body: z.string().min(1).max(20_000),
  sentAt: IsoTime,
  version: z.number().int().nonnegative(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

export const AttachmentRecord = z.strictObject({
  id,
  messageId: id,
  fileName: z.string().min(1).max(255),
  mimeType: z.string().min(1).max(127),
  size: z
    .number()
    .int()
    .nonnegative()
    .max(10 * 1024 * 1024),
  /** Base64 of the content; stored as a blob inside the encrypted store. */
  contentBase64: z.string().max(14 * 1024 * 1024),
  version: z.number().int().nonnegative(),
});
export type AttachmentRecord = z.infer<typeof AttachmentRecord>;

export const AppointmentRecord = z.strictObject({
  id,
  patientId: id,
  providerId: id,
  start: IsoTime,
  end: IsoTime,
  status: AppointmentStatus,
  reason: z.string().max(500),
  cancelReason: z.string().max(500).nullable(),
  /** https link to a virtual visit, opened in the system browser. */
  virtualLink: z.string().url().max(2000).nullable(),
  version: z.number().int().nonnegative(),
  /** issue 13a: coded cancellation reason (null unless cancelled with a code). */
  cancelCode: CancelCode.nullable(),
  /** issue 13a: why the patient was booked although they had an overlapping visit (audited as a field). */
  overlapReason: z.string().max(500).nullable(),
  /** issue 13 §4: the recurring series (SeriesRecord) this visit is an occurrence of; absent for a single visit. */
  seriesId: id.nullable().optional(),
});
export type AppointmentRecord = z.infer<typeof AppointmentRecord>;

/**
 * A recurring series of visits (issue 13 §4): one patient with one provider, `minutes` long, repeating by `rule`,
 * RFC 5545 text (`DTSTART;TZID=<location zone>:…`, `RRULE:…`, `EXDATE:…`) of the subset src-shared/recurrence.ts
 * defines. Each occurrence is an AppointmentRecord with this `seriesId`, booked and checked like any visit.
 */
export const SeriesRecord = z.strictObject({
  id,
  patientId: id,
  providerId: id,
  rule: z.string().min(1).max(4000),
  minutes: z.number().int().min(5).max(480),
  reason: z.string().max(500),
  visitTypeId: id.nullable(),
  virtual: z.boolean(),
  version: z.number().int().nonnegative(),
});
export type SeriesRecord = z.infer<typeof SeriesRecord>;

/** Time of day a waitlisted patient prefers, at the location's wall clock: morning < 12:00 ≤ afternoon. */
export const TIMES_OF_DAY = ['any', 'morning', 'afternoon'] as const;
export const TimeOfDay = z.enum(TIMES_OF_DAY);
export type TimeOfDay = z.infer<typeof TimeOfDay>;

const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * A patient waiting for an earlier visit (issue 13 §5): what fits them (visit type, preferred providers — empty:
 * any —, time of day, local date range). No free text (no PHI beyond the patient id). `status` 'booked' names the
 * visit booked from a freed slot; 'removed' an entry taken off the list.
 */
export const WaitlistRecord = z.strictObject({
  id,
  patientId: id,
  visitTypeId: id.nullable(),
  providerIds: z.array(id).max(50),
  timeOfDay: TimeOfDay,
  fromDate: LocalDate,
  toDate: LocalDate,
  status: z.enum(['waiting', 'booked', 'removed']),
  appointmentId: id.nullable(),
  createdAt: IsoTime,
  version: z.number().int().nonnegative(),
});
export type WaitlistRecord = z.infer<typeof WaitlistRecord>;

export const AUDIT_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'export',
  'print',
  'sign-in',
  'sign-out',
  'lock',
  'unlock',
  'failed-sign-in',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AUDIT_ENTITY_TYPES = [
  'thread',
  'message',
  'appointment',
  'patient',
  'staff',
  'session',
  'queue',
  'schedule',
  'audit',
  'settings',
  // issue 13 §4/§5: a recurring series, a waitlist entry
  'series',
  'waitlist',
] as const;
export const AuditEntityType = z.enum(AUDIT_ENTITY_TYPES);
export type AuditEntityType = z.infer<typeof AuditEntityType>;

export const AuditRecord = z.strictObject({
  id,
  at: IsoTime,
  staffId: id.nullable(),
  role: Role.nullable(),
  /** Console device id, or 'server' / 'portal' for the backend's own events. */
  deviceId: id,
  action: AuditAction,
  entityType: AuditEntityType,
  entityId: z.string().max(64).nullable(),
  outcome: z.enum(['success', 'failure']),
  /** Names of changed fields only: never values (no PHI). */
  fields: z.array(z.string().max(64)).max(64),
  /** Who did it when not staff: 'patient' for portal actions. */
  actorKind: z.enum(['staff', 'patient', 'system']),
  /**
   * issue 14a: FHIR AuditEvent.purposeOfEvent, v3 ActReason 'BTG' (break the glass) for a read under emergency
   * access (HIPAA 164.312(a)(2)(ii)); absent otherwise. Part of the chain hash when present.
   */
  purposeOfEvent: z.enum(['BTG']).optional(),
  prevHash: z.string().max(64),
  hash: z.string().max(64),
  version: z.number().int().nonnegative(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
