/** Shapes the console API returns to the renderer (joined, display-ready views of the domain records). */
import { AvailabilityBlock, AvailabilityExceptionRecord } from './availability';
import { z } from 'zod';
import {
  AppointmentStatus,
  AuditAction,
  AuditEntityType,
  CancelCode,
  IsoTime,
  Priority,
  Role,
  ThreadStatus,
} from './domain';

export const QUEUES = ['unassigned', 'mine', 'urgent', 'all', 'closed'] as const;
export const Queue = z.enum(QUEUES);
export type Queue = z.infer<typeof Queue>;

export const StaffView = z.strictObject({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
});
export type StaffView = z.infer<typeof StaffView>;

/**
 * A colleague as `staff.list` gives them: `active` false once an admin deactivated the account on the backend
 * (review 7 U3/U9): such a colleague is offered for no assignment or cover, but still named in audit reports.
 */
export const ColleagueView = StaffView.extend({ active: z.boolean() });
export type ColleagueView = z.infer<typeof ColleagueView>;

export const SessionState = z.enum(['signed-out', 'locked', 'active']);
export type SessionState = z.infer<typeof SessionState>;

export const SessionInfo = z.strictObject({
  state: SessionState,
  /** The signed-in (or locked) staff member; null when signed out. */
  staff: StaffView.nullable(),
  deviceId: z.string().nullable(),
  idleTimeoutMinutes: z.number().int(),
  /** True when this session was opened offline with the device's verifier. */
  offline: z.boolean(),
  /**
   * This PC's enrolment (issue 10): 'not-enrolled' shows the first-run enrolment screen; 'revoked' shows
   * "This PC was removed from the clinic: ask IT to enrol it again" (local data and outbox are kept).
   */
  device: z.enum(['enrolled', 'not-enrolled', 'revoked']),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const ThreadSummary = z.strictObject({
  id: z.string(),
  subject: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  status: ThreadStatus,
  priority: Priority,
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  providerId: z.string().nullable(),
  lastMessageAt: IsoTime,
  dueAt: IsoTime.nullable(),
  unread: z.boolean(),
  /** Search hit context with the match, only for search results. */
  snippet: z.string().nullable(),
  version: z.number().int(),
  // issue 14a: topic and pool (src-shared/triage.ts); overdue = past its due time while open (escalated)
  topic: z.string().nullable().optional(),
  poolId: z.string().nullable().optional(),
  overdue: z.boolean().optional(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const ThreadPage = z.strictObject({
  threads: z.array(ThreadSummary),
  total: z.number().int().nonnegative(),
  /**
   * A search counts matching threads only up to 1,000 (or the page's end, if further): when more match, `total`
   * is that lower bound and this is true (shown as "1,000+"; issue 14 §6). Absent: `total` is exact.
   */
  totalIsLowerBound: z.literal(true).optional(),
});
export type ThreadPage = z.infer<typeof ThreadPage>;

export const QueueCounts = z.strictObject({
  unassigned: z.number().int(),
  mine: z.number().int(),
  urgent: z.number().int(),
  all: z.number().int(),
  closed: z.number().int(),
});
export type QueueCounts = z.infer<typeof QueueCounts>;

export const PatientView = z.strictObject({
  id: z.string(),
  mrn: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string(),
  phone: z.string().nullable(),
});
export type PatientView = z.infer<typeof PatientView>;

export const AttachmentMeta = z.strictObject({
  id: z.string(),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number().int(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

export const MessageView = z.strictObject({
  id: z.string(),
  authorKind: z.enum(['patient', 'staff']),
  authorName: z.string(),
  body: z.string(),
  sentAt: IsoTime,
  attachments: z.array(AttachmentMeta),
  /** True while the message is only in the local outbox. */
  pending: z.boolean(),
});
export type MessageView = z.infer<typeof MessageView>;

export const ThreadDetail = z.strictObject({
  thread: ThreadSummary,
  patient: PatientView,
  messages: z.array(MessageView),
});
export type ThreadDetail = z.infer<typeof ThreadDetail>;

export const AttachmentContent = z.strictObject({
  id: z.string(),
  fileName: z.string(),
  mimeType: z.string(),
  contentBase64: z.string(),
});
export type AttachmentContent = z.infer<typeof AttachmentContent>;

export const ProviderView = z.strictObject({
  id: z.string(),
  name: z.string(),
  specialty: z.string(),
  /** issue 13a: the location whose wall clock the working hours are in. */
  locationId: z.string(),
  slotMinutes: z.number().int(),
  dayStartMinute: z.number().int(),
  dayEndMinute: z.number().int(),
});
export type ProviderView = z.infer<typeof ProviderView>;

/** A clinic location and its IANA zone (issue 13a): every time of its schedule is shown in this zone. */

export const LocationView = z.strictObject({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  /** A slot that started up to this many minutes ago today may still be booked (walk-ins). */
  walkInMinutes: z.number().int(),
});
export type LocationView = z.infer<typeof LocationView>;

/** A visit type (issue 13a): its length and the providers who offer it. */
export const VisitTypeView = z.strictObject({
  id: z.string(),
  name: z.string(),
  minutes: z.number().int(),
  providerIds: z.array(z.string()),
});
export type VisitTypeView = z.infer<typeof VisitTypeView>;

/** The clinic profile as a console holds it (issue 13a). */
export const ClinicProfile = z.strictObject({
  locations: z.array(LocationView),
  visitTypes: z.array(VisitTypeView),
  /** The location the console shows by default (the first provider's). */
  locationId: z.string(),
  /** The clinic's today at that location, YYYY-MM-DD, by the console's clock. */
  today: z.string(),
  /** The console's clock, epoch ms (the renderer shows "now" from it, never from the PC's zone). */
  now: z.number(),
});
export type ClinicProfile = z.infer<typeof ClinicProfile>;

export const AppointmentView = z.strictObject({
  id: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  providerId: z.string(),
  start: IsoTime,
  end: IsoTime,
  status: AppointmentStatus,
  reason: z.string(),
  cancelReason: z.string().nullable(),
  virtualLink: z.string().nullable(),
  pending: z.boolean(),
  version: z.number().int(),
  /** issue 13a: coded cancellation reason, and why an overlapping visit was booked anyway. */
  cancelCode: CancelCode.nullable(),
  overlapReason: z.string().nullable(),
  /** issue 13 §4: the recurring series this visit belongs to (absent: a single visit). */
  seriesId: z.string().nullable().optional(),
});
export type AppointmentView = z.infer<typeof AppointmentView>;

/** issue 13 §4: one occurrence of a series being booked or moved, and why it cannot be (null: it can). */
export const OccurrenceCheck = z.strictObject({
  start: IsoTime,
  end: IsoTime,
  problem: z.string().nullable(),
});
export type OccurrenceCheck = z.infer<typeof OccurrenceCheck>;

/** issue 13 §4: the occurrences a series would have, each checked like a single booking. */
export const SeriesPreview = z.strictObject({
  /** RFC 5545 rule text (DTSTART;TZID=…, RRULE, EXDATE). */
  rule: z.string(),
  occurrences: z.array(OccurrenceCheck),
});
export type SeriesPreview = z.infer<typeof SeriesPreview>;

/** issue 13 §4: what booking (or moving) a series did: the visits booked, the occurrences left out. */
export const SeriesBooked = z.strictObject({
  seriesId: z.string(),
  appointmentIds: z.array(z.string()),
  skipped: z.array(OccurrenceCheck),
});
export type SeriesBooked = z.infer<typeof SeriesBooked>;

/** issue 13 §5: a waitlist entry as the desk sees it (patient named; no free text). */
export const WaitlistView = z.strictObject({
  id: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  visitTypeId: z.string().nullable(),
  providerIds: z.array(z.string()),
  timeOfDay: z.enum(['any', 'morning', 'afternoon']),
  fromDate: z.string(),
  toDate: z.string(),
  pending: z.boolean(),
});
export type WaitlistView = z.infer<typeof WaitlistView>;
/** A provider's availability as the day grid reads it (issue 13 §3; no patient data). */
export const ProviderAvailabilityView = z.strictObject({
  providerId: z.string(),
  template: z.strictObject({ blocks: z.array(AvailabilityBlock) }).nullable(),
  exceptions: z.array(AvailabilityExceptionRecord),
});
export type ProviderAvailabilityView = z.infer<typeof ProviderAvailabilityView>;

export const ScheduleView = z.strictObject({
  /** UTC instants of the start of the first local day and the end of the last, at `location`. */
  from: IsoTime,
  to: IsoTime,
  /** issue 13a: the location whose local days these are; its zone is the one every time is shown in. */
  location: LocationView,
  /** All locations of the clinic profile (for choosing another). */
  locations: z.array(LocationView),
  /** The clinic's today at `location` (YYYY-MM-DD), by the console's clock: never the PC's zone or UTC. */
  today: z.string(),
  /** The console's clock (epoch ms) when the view was made: past slots are those before it. */
  now: z.number(),
  providers: z.array(ProviderView),
  appointments: z.array(AppointmentView),
  /**
   * session 4, 13c (issue 13 §3): each provider's weekly template and the exceptions of these days, read with
   * src-shared/availability.ts's rules (the ones the core and the server check bookings with).
   */
  availability: z.array(ProviderAvailabilityView).optional(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

export const PatientPanel = z.strictObject({
  patient: PatientView,
  upcoming: z.array(AppointmentView),
  openThreads: z.array(ThreadSummary),
});
export type PatientPanel = z.infer<typeof PatientPanel>;

export const AuditEntryView = z.strictObject({
  id: z.string(),
  at: IsoTime,
  action: AuditAction,
  entityType: AuditEntityType,
  entityId: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  fields: z.array(z.string()),
  actorKind: z.enum(['staff', 'patient', 'system']),
  staffName: z.string().nullable(),
  role: Role.nullable(),
  deviceId: z.string(),
  deviceName: z.string(),
  /** 'local' for this device's own events not yet confirmed by the server. */
  source: z.enum(['local', 'server']),
  /** issue 14a: 'BTG' when the event happened under emergency access. */
  purposeOfEvent: z.string().optional(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const VerifyResult = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), count: z.number().int() }),
  z.strictObject({
    ok: z.literal(false),
    count: z.number().int(),
    firstBadEventId: z.string(),
    reason: z.enum(['hash-mismatch', 'link-mismatch', 'order-mismatch']),
  }),
]);
export type VerifyResult = z.infer<typeof VerifyResult>;

export const SyncProblem = z.strictObject({
  id: z.string(),
  at: IsoTime,
  kind: z.enum(['conflict', 'rejected']),
  /** The operation that failed, e.g. appointment.book. */
  operation: z.string(),
  entityId: z.string(),
  /** Human text for the person who caused it, e.g. "This slot was booked at another desk". */
  message: z.string(),
  /** For an appointment change: the start of the slot it was about (to open the schedule on that day). */
  slotStart: IsoTime.nullable().optional(),
});
export type SyncProblem = z.infer<typeof SyncProblem>;

export const SyncStatus = z.strictObject({
  connection: z.enum(['online', 'offline', 'syncing', 'error']),
  pending: z.number().int().nonnegative(),
  lastSyncedAt: IsoTime.nullable(),
  progress: z.strictObject({ done: z.number().int(), total: z.number().int() }).nullable(),
  problems: z.number().int().nonnegative(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const Settings = z.strictObject({
  idleTimeoutMinutes: z.number().int().min(1).max(60),
  serverUrl: z.string(),
  offlineGraceHours: z.number().int().min(1).max(720),
  /** Store window (DESIGN.md §4, issue 12): closed threads kept this many days after their last message. */
  closedThreadDays: z.number().int().min(1).max(3650),
  /** Store window: appointments kept from this many days back… */
  scheduleBackDays: z.number().int().min(0).max(3650),
  /** …to this many days ahead. */
  scheduleAheadDays: z.number().int().min(1).max(3650),
  /** The clinic's phone number as patients should dial it: the {{clinic_phone}} field of reply templates. */
  clinicPhone: z.string().trim().max(40),
});
export type Settings = z.infer<typeof Settings>;

/**
 * A saved reply (issue 14): the clinic's (every pool), a pool's (`pool` = its id), or the signed-in person's
 * own ('personal'). Fields in the body: src-shared/reply-template.ts.
 */
export const ReplyTemplate = z.strictObject({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  scope: z.enum(['clinic', 'pool', 'personal']),
  pool: z.string().nullable(),
});
export type ReplyTemplate = z.infer<typeof ReplyTemplate>;

/** issue 14a: how a queue is ordered; 'priority' (the default) = overdue and STAT first, then due time. */
export const QUEUE_SORTS = ['priority', 'received', 'due', 'patient'] as const;
export const QueueSort = z.enum(QUEUE_SORTS);
export type QueueSort = z.infer<typeof QueueSort>;

/** issue 14a: a triage pool as the inbox lists it, with its open and urgent (incl. overdue) thread counts. */
export const PoolView = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['clinical', 'administrative']),
  topics: z.array(z.string()),
  sla: z.strictObject({
    routine: z.number().int(),
    urgent: z.number().int(),
    asap: z.number().int(),
    stat: z.number().int(),
  }),
  /** False when the signed-in role sees only topic and subject here (a receptionist in a clinical pool). */
  readable: z.boolean(),
  open: z.number().int(),
  urgent: z.number().int(),
});
export type PoolView = z.infer<typeof PoolView>;
