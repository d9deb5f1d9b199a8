/**
 * The console API contract: every method the renderer may call, written once.
 * The preload, the router, the browser host and the renderer are all typed from this object.
 *
 * - `roles`: who may call it; 'any' means no sign-in is needed (sign-in itself, status).
 * - `phi`: the method reads or changes patient data.
 * - `whileLocked`: one of the four methods a locked session may call (DESIGN.md §6: session status, unlock,
 *   switch user = sign-in, sign-out); every other method answers LOCKED while the console is locked, whatever
 *   the role (issue 11).
 * - `audit`: the event the router records for it (DESIGN.md §7); `null` only for methods that touch no record.
 */
import { z } from 'zod';
import { LocalDate } from './clinic-time';
import type { Role } from './domain';
import { AuditAction, AuditEntityType, CancelCode, IsoTime, Priority, ROLES, ThreadStatus } from './domain';
import {
  AppointmentView,
  AttachmentContent,
  ClinicProfile,
  AuditEntryView,
  PatientPanel,
  PatientView,
  PoolView,
  ProviderView,
  SeriesBooked,
  SeriesPreview,
  WaitlistView,
  QueueCounts,
  QueueSort,
  Queue,
  ReplyTemplate,
  ScheduleView,
  SessionInfo,
  Settings,
  ColleagueView,
  SyncProblem,
  SyncStatus,
  ThreadDetail,
  ThreadPage,
  VerifyResult,
} from './views';
import { AuditAlertRecord, EnrolledDevice } from './sync';
import { ChangeVerdict } from './change-verdict';
import { THREAD_STAMP } from './thread-stamp';
import {
  AddExceptionInput,
  AvailabilityAdminView,
  FreeSlotView,
  NextFreeQuery,
  SetTemplateInput,
} from './availability';
import { BreakGlassGrant, ClinicSettingsRecord, ClinicSettingsUpdate } from './triage';
import { AbsenceRequest, AbsenceView } from './coverage';

export interface AuditSpec {
  action: AuditAction;
  entityType: AuditEntityType;
  /**
   * Input field holding the record id; null for list reads, which record one event for the list plus one
   * 'read' event per record returned (src-main/audit/read-records.ts), so each record's trail shows it.
   */
  idField: string | null;
  /** Field names recorded as changed (names only, never values). */
  fields?: readonly string[];
}

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  roles: readonly Role[] | 'any';
  phi: boolean;
  audit: AuditSpec | null;
  whileLocked?: true;
}

const STAFF = ROLES;
const FRONT_DESK = ['receptionist', 'admin'] as const;
const CLINICAL = ['clinician', 'receptionist', 'admin'] as const;

const id = z.string().min(1).max(64);
const none = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });
// session 5, dx5: a date that exists (review 6 D10), not only its shape.
const date = LocalDate;

/** Columns the audit report sorts by. */
export const AUDIT_REPORT_COLUMNS = [
  'at',
  'staff',
  'action',
  'entityType',
  'entityId',
  'outcome',
  'device',
] as const;
export type AuditReportColumn = (typeof AUDIT_REPORT_COLUMNS)[number];

/** The audit report's filters; each is optional, times are inclusive ISO instants. */
export const AuditReportQuery = z.strictObject({
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  staffId: id.optional(),
  action: AuditAction.optional(),
  entityType: AuditEntityType.optional(),
  entityId: id.optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  deviceId: id.optional(),
});
export type AuditReportQuery = z.infer<typeof AuditReportQuery>;

function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

export const contract = {
  'session.status': method({
    input: none,
    output: SessionInfo,
    roles: 'any',
    phi: false,
    audit: null,
    whileLocked: true,
  }),
  'auth.signIn': method({
    input: z.strictObject({
      username: z.string().min(1).max(64),
      password: z.string().min(1).max(256),
      totp: z.string().regex(/^\d{6}$/),
    }),
    output: SessionInfo,
    roles: 'any',
    phi: false,
    // sign-in / failed sign-in events are written by the auth service itself, with the outcome.
    audit: null,
    // While locked this is "switch user": the new person is verified before the locked session ends.
    whileLocked: true,
  }),
  'auth.unlock': method({
    input: z.strictObject({ password: z.string().min(1).max(256) }),
    output: SessionInfo,
    roles: 'any',
    phi: false,
    audit: null,
    whileLocked: true,
  }),
  'auth.lock': method({ input: none, output: SessionInfo, roles: STAFF, phi: false, audit: null }),
  'auth.signOut': method({
    input: none,
    output: SessionInfo,
    roles: 'any',
    phi: false,
    audit: null,
    whileLocked: true,
  }),
  'auth.accountActivity': method({
    input: none,
    output: z.array(AuditEntryView),
    roles: STAFF,
    phi: false,
    audit: null,
  }),

  'inbox.list': method({
    input: z.strictObject({
      queue: Queue,
      providerId: id.optional(),
      priority: Priority.optional(),
      status: ThreadStatus.optional(),
      /** Only threads with a message on or after this day. */
      since: date.optional(),
      search: z.string().min(1).max(200).optional(),
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(200),
      // issue 14a: one triage pool's queue, and the order (default: priority, i.e. overdue and STAT first)
      poolId: id.optional(),
      sort: QueueSort.optional(),
    }),
    output: ThreadPage,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'queue', idField: null },
  }),
  'inbox.counts': method({ input: none, output: QueueCounts, roles: CLINICAL, phi: true, audit: null }),
  'inbox.templates': method({
    input: none,
    output: z.array(ReplyTemplate),
    roles: CLINICAL,
    phi: false,
    audit: null,
  }),
  /** issue 14a: the clinic's triage pools with their queue sizes, and whether this role may read each. */
  'inbox.pools': method({
    input: none,
    output: z.array(PoolView),
    roles: CLINICAL,
    phi: false,
    audit: null,
  }),
  /**
   * issue 14a: move a thread to another pool (a mis-filed topic). A receptionist may not move a clinical thread
   * into an administrative pool (src-shared/triage.ts roleMayRoute).
   */
  'thread.route': method({
    input: z.strictObject({ threadId: id, poolId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['poolId'] },
  }),
  /**
   * issue 14a: emergency access ("break-glass", HIPAA 164.312(a)(2)(ii)): a mandatory reason opens a thread the
   * role or pool does not allow, for the clinic-set time (default 60 minutes); every read under it is audited
   * with purposeOfEvent 'BTG', and the server alerts admins.
   */
  'breakGlass.open': method({
    input: z.strictObject({ threadId: id, reason: z.string().trim().min(10).max(500) }),
    output: z.strictObject({ expiresAt: IsoTime }),
    roles: STAFF,
    phi: true,
    audit: { action: 'create', entityType: 'thread', idField: 'threadId', fields: ['breakGlass'] },
  }),
  /** issue 14a: the admins' break-glass report: every emergency access, its reason and reads, and its review. */
  'admin.breakGlassReport': method({
    input: none,
    output: z.array(BreakGlassGrant),
    roles: ['admin'],
    // the stated reasons may name a patient
    phi: true,
    audit: { action: 'read', entityType: 'audit', idField: null },
  }),
  'admin.acknowledgeBreakGlass': method({
    input: z.strictObject({ grantId: id }),
    output: ok,
    roles: ['admin'],
    phi: false,
    audit: { action: 'update', entityType: 'audit', idField: 'grantId', fields: ['acknowledgedAt'] },
  }),
  /**
   * Session 4, 14c (issue 14 §3): absences with a covering colleague. Marked and ended on the server (online), which
   * hands the clinician's open threads over and back; a clinician marks their own, an admin anyone's, and the
   * cover must be another active clinician (src-shared/coverage.ts; the server checks again).
   */
  'coverage.list': method({
    input: none,
    output: z.array(AbsenceView),
    roles: ['clinician', 'admin'],
    phi: false,
    audit: null,
  }),
  'coverage.set': method({
    input: AbsenceRequest,
    output: AbsenceView,
    roles: ['clinician', 'admin'],
    phi: false,
    audit: {
      action: 'create',
      entityType: 'staff',
      idField: 'staffId',
      fields: ['absence', 'coverId', 'startDate', 'endDate'],
    },
  }),
  'coverage.end': method({
    input: z.strictObject({ absenceId: id }),
    output: AbsenceView,
    roles: ['clinician', 'admin'],
    phi: false,
    // On the absent clinician's record, as the server audits it (the id names the absence: src-main/audit/
    // read-records.ts subjectsOf maps it to its clinician).
    audit: { action: 'update', entityType: 'staff', idField: 'absenceId', fields: ['absence', 'endDate'] },
  }),
  /** Session 4, 14c (issue 14 §4): the clinic's settings as synced (the break-glass time). */
  'clinic.settings': method({
    input: none,
    output: ClinicSettingsRecord,
    roles: STAFF,
    phi: false,
    audit: null,
  }),
  'admin.setClinicSettings': method({
    input: ClinicSettingsUpdate,
    output: ClinicSettingsRecord,
    roles: ['admin'],
    phi: false,
    audit: { action: 'update', entityType: 'settings', idField: null, fields: ['breakGlassMinutes'] },
  }),
  /** Session 4, 14c (issue 14 §5): a pool's saved reply (new without `id`), held by the server for every PC. */
  'admin.savePoolTemplate': method({
    input: z.strictObject({
      id: id.optional(),
      poolId: id,
      title: z.string().trim().min(1).max(80),
      body: z.string().trim().min(1).max(5_000),
    }),
    output: ReplyTemplate,
    roles: ['admin'],
    phi: false,
    audit: { action: 'update', entityType: 'settings', idField: null, fields: ['poolTemplates'] },
  }),
  'admin.deletePoolTemplate': method({
    input: z.strictObject({ id }),
    output: ok,
    roles: ['admin'],
    phi: false,
    audit: { action: 'delete', entityType: 'settings', idField: null, fields: ['poolTemplates'] },
  }),
  /** A personal saved reply of the signed-in person (new without `id`); kept on this PC (issue 14). */
  'templates.savePersonal': method({
    input: z.strictObject({
      id: id.optional(),
      title: z.string().trim().min(1).max(80),
      body: z.string().trim().min(1).max(5_000),
    }),
    output: ReplyTemplate,
    roles: CLINICAL,
    phi: false,
    audit: { action: 'update', entityType: 'settings', idField: null, fields: ['replyTemplates'] },
  }),
  'templates.deletePersonal': method({
    input: z.strictObject({ id }),
    output: ok,
    roles: CLINICAL,
    phi: false,
    audit: { action: 'delete', entityType: 'settings', idField: null, fields: ['replyTemplates'] },
  }),
  'thread.get': method({
    input: z.strictObject({ threadId: id }),
    output: ThreadDetail,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'thread', idField: 'threadId' },
  }),
  /**
   * Review 7 U4 (session 7, s7ui): the open thread again after a data change, only if its data changed since the
   * caller's copy (`stamp`: threadStamp of that copy, src-shared/thread-stamp.ts). Changed: `detail` as
   * thread.get gives it, an audited read with its "seen" mark. Unchanged: `detail` null; nothing is read out, so
   * no event is written (DESIGN §7 records every read that returns data). Refusals are audited as thread.get's.
   */
  'thread.getIfChanged': method({
    input: z.strictObject({ threadId: id, stamp: z.string().regex(THREAD_STAMP) }),
    output: z.strictObject({ detail: ThreadDetail.nullable() }),
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'thread', idField: 'threadId' },
  }),
  'thread.claim': method({
    input: z.strictObject({ threadId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['assigneeId'] },
  }),
  'thread.release': method({
    input: z.strictObject({ threadId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['assigneeId'] },
  }),
  'thread.assign': method({
    input: z.strictObject({ threadId: id, assigneeId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['assigneeId'] },
  }),
  'thread.setPriority': method({
    input: z.strictObject({ threadId: id, priority: Priority }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['priority'] },
  }),
  'thread.setStatus': method({
    input: z.strictObject({ threadId: id, status: ThreadStatus }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['status'] },
  }),
  'thread.reply': method({
    input: z.strictObject({ threadId: id, body: z.string().trim().min(1).max(20_000) }),
    output: z.strictObject({ messageId: id }),
    roles: CLINICAL,
    phi: true,
    audit: { action: 'create', entityType: 'thread', idField: 'threadId', fields: ['messages'] },
  }),
  /**
   * Reply and close in one action (issue 14): the reply and the status change are queued in one transaction,
   * so either both reach the outbox or neither does.
   */
  'thread.replyAndClose': method({
    input: z.strictObject({ threadId: id, body: z.string().trim().min(1).max(20_000) }),
    output: z.strictObject({ messageId: id }),
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'thread', idField: 'threadId', fields: ['messages', 'status'] },
  }),
  'attachment.get': method({
    input: z.strictObject({ attachmentId: id }),
    output: AttachmentContent,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'message', idField: 'attachmentId' },
  }),

  'providers.list': method({
    input: none,
    output: z.array(ProviderView),
    roles: STAFF,
    phi: false,
    audit: null,
  }),
  // issue 13a: the clinic's locations and zones, and its today (no patient data).
  'clinic.profile': method({ input: none, output: ClinicProfile, roles: STAFF, phi: false, audit: null }),
  'staff.list': method({
    input: none,
    output: z.array(ColleagueView),
    roles: STAFF,
    phi: false,
    audit: null,
  }),
  'schedule.range': method({
    // `from` is a local date at the location (issue 13a; default location: the first provider's).
    input: z.strictObject({
      from: date,
      days: z.number().int().min(1).max(7),
      providerId: id.optional(),
      locationId: id.optional(),
    }),
    output: ScheduleView,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'schedule', idField: null },
  }),
  'appointment.get': method({
    input: z.strictObject({ appointmentId: id }),
    output: AppointmentView,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'appointment', idField: 'appointmentId' },
  }),
  'appointment.book': method({
    input: z.strictObject({
      patientId: id,
      providerId: id,
      start: IsoTime,
      end: IsoTime,
      reason: z.string().max(500),
      virtual: z.boolean(),
      // issue 13a: required when the patient already has an overlapping visit (appointment.patientOverlaps)
      overlapReason: z.string().trim().min(1).max(500).optional(),
      // issue 13a: book as a visit type: the provider must offer it and [start, end) must be its length
      visitTypeId: id.optional(),
      // issue 13 §5: booked from the waitlist offer of a freed slot: the entry is taken off in the same change
      waitlistEntryId: id.optional(),
    }),
    output: z.strictObject({ appointmentId: id }),
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'create',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['patientId', 'providerId', 'start', 'end', 'reason'],
    },
  }),
  // issue 13a: the patient's other visits overlapping a time, before booking (warns; a reason is then needed)
  'appointment.patientOverlaps': method({
    input: z.strictObject({ patientId: id, start: IsoTime, end: IsoTime, exceptId: id.optional() }),
    output: z.array(AppointmentView),
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'patient', idField: 'patientId' },
  }),
  'appointment.room': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'appointment', idField: 'appointmentId', fields: ['status'] },
  }),
  'appointment.complete': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'update', entityType: 'appointment', idField: 'appointmentId', fields: ['status'] },
  }),
  // Takes back a check-in or a no-show, on the visit's day only (audited like any status change).
  'appointment.undo': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'update', entityType: 'appointment', idField: 'appointmentId', fields: ['status'] },
  }),
  'appointment.reschedule': method({
    input: z.strictObject({
      appointmentId: id,
      providerId: id,
      start: IsoTime,
      end: IsoTime,
      // issue 13a: required when the patient has another visit at the new time
      overlapReason: z.string().trim().min(1).max(500).optional(),
    }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'update',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['providerId', 'start', 'end'],
    },
  }),
  'appointment.cancel': method({
    // issue 13a: a coded reason (`code`) with optional text, or text alone (code 'other')
    input: z
      .strictObject({
        appointmentId: id,
        code: CancelCode.optional(),
        reason: z.string().trim().max(500).optional(),
      })
      .refine((i) => i.code !== undefined || (i.reason ?? '').length > 0, {
        message: 'Choose a cancellation reason.',
      }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'update',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['status', 'cancelReason', 'cancelCode'],
    },
  }),
  'appointment.checkIn': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'update', entityType: 'appointment', idField: 'appointmentId', fields: ['status'] },
  }),
  'appointment.noShow': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'update', entityType: 'appointment', idField: 'appointmentId', fields: ['status'] },
  }),
  'appointment.openVirtualLink': method({
    input: z.strictObject({ appointmentId: id }),
    output: ok,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'appointment', idField: 'appointmentId' },
  }),

  /**
   * issue 13b: push the desk's pending changes to this appointment now and answer the server's verdict within
   * CONFIRM_WAIT_MS (src-shared/change-verdict.ts). A refusal told here is not listed again in sync problems.
   */
  'appointment.confirm': method({
    input: z.strictObject({ appointmentId: id }),
    output: ChangeVerdict,
    roles: FRONT_DESK,
    // The refusal text names the patient and slot (as sync.problems does): patient data, refused while locked.
    phi: true,
    audit: null,
  }),

  /** issue 13b: switch an existing visit to virtual (a video link is made) or back to in person. */
  'appointment.setVirtual': method({
    input: z.strictObject({ appointmentId: id, virtual: z.boolean() }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'update',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['virtualLink'],
    },
  }),
  /**
   * issue 13b: send the visit's link to the patient as a portal message (a reply on the patient's most recent
   * conversation, like thread.reply). Answers the thread it went to.
   */
  'appointment.sendVirtualLink': method({
    input: z.strictObject({ appointmentId: id }),
    output: z.strictObject({ threadId: id, messageId: id }),
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'create',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['virtualLinkSent'],
    },
  }),

  /**
   * issue 13 §4: the occurrences a recurring series would have (RRULE in the location's zone, src-shared/
   * recurrence.ts), each checked like a single booking (grid and working hours, the past, the provider's other
   * visits, the patient's other visits, the visit type). VALIDATION beyond MAX_SERIES_OCCURRENCES.
   */
  'series.preview': method({
    input: z.strictObject({
      patientId: id,
      providerId: id,
      start: IsoTime,
      end: IsoTime,
      freq: z.enum(['WEEKLY', 'MONTHLY']),
      interval: z.number().int().min(1).max(26),
      count: z.number().int().min(1).max(999).optional(),
      until: date.optional(),
      visitTypeId: id.optional(),
    }),
    output: SeriesPreview,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'read', entityType: 'patient', idField: 'patientId' },
  }),
  /**
   * issue 13 §4: book a recurring series. With occurrences that cannot be booked, CONFLICT unless
   * `skipConflicts` (the person agreed to book the rest): those are left out of the rule as EXDATEs.
   */
  'series.book': method({
    input: z.strictObject({
      patientId: id,
      providerId: id,
      start: IsoTime,
      end: IsoTime,
      freq: z.enum(['WEEKLY', 'MONTHLY']),
      interval: z.number().int().min(1).max(26),
      count: z.number().int().min(1).max(999).optional(),
      until: date.optional(),
      visitTypeId: id.optional(),
      reason: z.string().max(500),
      virtual: z.boolean(),
      skipConflicts: z.boolean(),
    }),
    output: SeriesBooked,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'create', entityType: 'series', idField: 'seriesId', fields: ['rule', 'appointments'] },
  }),
  /** issue 13 §4: cancel one visit of a series, this and the following ones, or the whole series (still to come). */
  'series.cancel': method({
    input: z.strictObject({
      appointmentId: id,
      scope: z.enum(['one', 'following', 'all']),
      code: CancelCode,
      reason: z.string().trim().max(500).optional(),
    }),
    output: z.strictObject({ cancelled: z.number().int() }),
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'update',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['status', 'cancelReason', 'cancelCode', 'seriesRule'],
    },
  }),
  /**
   * issue 13 §4: move this and the following visits / the whole series still to come to a new time and provider
   * (one visit alone: appointment.reschedule). `start`/`end` are the new time of the visit opened; the first moved
   * visit takes the same change of day and wall clock. The series is split (the old rule ends with UNTIL before
   * the first moved visit), the moved visits are cancelled ('rescheduled') and booked again as a new series on the
   * same places of the pattern, each checked (`skipConflicts` as series.book).
   */
  'series.reschedule': method({
    input: z.strictObject({
      appointmentId: id,
      scope: z.enum(['following', 'all']),
      providerId: id,
      start: IsoTime,
      end: IsoTime,
      skipConflicts: z.boolean(),
    }),
    output: SeriesBooked,
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'update',
      entityType: 'appointment',
      idField: 'appointmentId',
      fields: ['status', 'seriesRule'],
    },
  }),
  /** issue 13 §5: put a patient on the waitlist for an earlier visit (no free text). */
  'waitlist.add': method({
    input: z
      .strictObject({
        patientId: id,
        visitTypeId: id.nullable(),
        providerIds: z.array(id).max(50),
        timeOfDay: z.enum(['any', 'morning', 'afternoon']),
        fromDate: date,
        toDate: date,
      })
      .refine((i) => i.fromDate <= i.toDate, { message: 'The first day must not be after the last day.' }),
    output: z.strictObject({ entryId: id }),
    roles: FRONT_DESK,
    phi: true,
    audit: {
      action: 'create',
      entityType: 'waitlist',
      idField: 'entryId',
      fields: ['patientId', 'visitTypeId', 'providerIds', 'timeOfDay', 'fromDate', 'toDate'],
    },
  }),
  'waitlist.list': method({
    input: none,
    output: z.array(WaitlistView),
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'read', entityType: 'waitlist', idField: null },
  }),
  'waitlist.remove': method({
    input: z.strictObject({ entryId: id }),
    output: ok,
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'update', entityType: 'waitlist', idField: 'entryId', fields: ['status'] },
  }),
  /** issue 13 §5: the waitlisted patients a freed slot (a cancelled or moved visit's old time) fits. */
  'waitlist.offers': method({
    input: z.strictObject({ providerId: id, start: IsoTime, end: IsoTime }),
    output: z.array(WaitlistView),
    roles: FRONT_DESK,
    phi: true,
    audit: { action: 'read', entityType: 'waitlist', idField: null },
  }),

  'patient.search': method({
    input: z.strictObject({
      query: z.string().trim().min(1).max(100),
      limit: z.number().int().min(1).max(50),
    }),
    output: z.array(PatientView),
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'patient', idField: null },
  }),
  'patient.get': method({
    input: z.strictObject({ patientId: id }),
    output: PatientPanel,
    roles: CLINICAL,
    phi: true,
    audit: { action: 'read', entityType: 'patient', idField: 'patientId' },
  }),

  'audit.trail': method({
    input: z.strictObject({ entityType: z.enum(['thread', 'appointment', 'patient']), entityId: id }),
    output: z.array(AuditEntryView),
    roles: STAFF,
    phi: true,
    audit: { action: 'read', entityType: 'audit', idField: 'entityId' },
  }),
  'audit.verify': method({ input: none, output: VerifyResult, roles: STAFF, phi: false, audit: null }),
  'audit.export': method({
    input: z.strictObject({
      entityType: z.enum(['thread', 'appointment', 'patient']).optional(),
      entityId: id.optional(),
      from: IsoTime.optional(),
      to: IsoTime.optional(),
    }),
    output: z.strictObject({ bundleJson: z.string() }),
    roles: ['admin', 'clinician'],
    phi: true,
    audit: { action: 'export', entityType: 'audit', idField: 'entityId' },
  }),

  /** The privacy officer's audit report (issue 11): this device's and the server's events, filtered and sorted. */
  'audit.report': method({
    input: AuditReportQuery.extend({
      sort: z.strictObject({ by: z.enum(AUDIT_REPORT_COLUMNS), dir: z.enum(['asc', 'desc']) }).optional(),
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(500),
    }),
    output: z.strictObject({ rows: z.array(AuditEntryView), total: z.number().int().nonnegative() }),
    roles: ['admin'],
    phi: true,
    audit: { action: 'read', entityType: 'audit', idField: 'entityId' },
  }),
  /** The same report, every matching event, as CSV or as a FHIR R4 Bundle of AuditEvent resources. */
  'audit.reportExport': method({
    input: AuditReportQuery.extend({ format: z.enum(['csv', 'fhir']) }),
    output: z.strictObject({ fileName: z.string(), mimeType: z.string(), text: z.string() }),
    roles: ['admin'],
    phi: true,
    audit: { action: 'export', entityType: 'audit', idField: 'entityId' },
  }),

  'sync.status': method({ input: none, output: SyncStatus, roles: STAFF, phi: false, audit: null }),
  'sync.problems': method({
    input: none,
    output: z.array(SyncProblem),
    roles: STAFF,
    // A refused change names the patient, slot and provider (issue 12): patient data, refused while locked.
    phi: true,
    audit: null,
  }),
  'sync.dismissProblem': method({
    input: z.strictObject({ problemId: id }),
    output: ok,
    roles: STAFF,
    phi: false,
    audit: null,
  }),
  'sync.now': method({ input: none, output: ok, roles: STAFF, phi: false, audit: null }),

  // issue 10: enrolment of this PC by an admin's full sign-in (first run), admin device list / revoke, alerts
  'device.enrol': method({
    input: z.strictObject({
      username: z.string().min(1).max(64),
      password: z.string().min(1).max(256),
      totp: z.string().regex(/^\d{6}$/),
    }),
    output: SessionInfo,
    roles: 'any',
    phi: false,
    // the enrolment event is written by the auth service itself (and by the server, for the admin)
    audit: null,
  }),
  'admin.devices': method({
    input: none,
    output: z.array(EnrolledDevice),
    roles: ['admin'],
    phi: false,
    audit: null,
  }),
  'admin.revokeDevice': method({
    input: z.strictObject({ deviceId: id }),
    output: ok,
    roles: ['admin'],
    phi: false,
    audit: { action: 'update', entityType: 'settings', idField: 'deviceId', fields: ['revokedAt'] },
  }),
  'admin.auditAlerts': method({
    input: none,
    output: z.array(AuditAlertRecord),
    roles: ['admin'],
    phi: false,
    audit: null,
  }),

  // session 4, 13c: availability (issue 13 §3), configured by an admin on the server, and the finder of §5
  'availability.get': method({
    input: z.strictObject({ providerId: id }),
    output: AvailabilityAdminView,
    roles: ['admin'],
    phi: false,
    audit: null,
  }),
  'availability.setTemplate': method({
    input: SetTemplateInput,
    output: ok,
    roles: ['admin'],
    phi: false,
    audit: {
      action: 'update',
      entityType: 'settings',
      idField: 'providerId',
      fields: ['availabilityTemplate'],
    },
  }),
  'availability.addException': method({
    input: AddExceptionInput,
    output: z.strictObject({ exceptionId: id }),
    roles: ['admin'],
    phi: false,
    audit: {
      action: 'create',
      entityType: 'settings',
      idField: 'exceptionId',
      fields: ['kind', 'dates', 'times', 'label'],
    },
  }),
  'availability.removeException': method({
    input: z.strictObject({ exceptionId: id }),
    output: ok,
    roles: ['admin'],
    phi: false,
    audit: { action: 'delete', entityType: 'settings', idField: 'exceptionId' },
  }),
  // Free slots only: no patient data, nothing read that a trail would name.
  'schedule.nextFree': method({
    input: NextFreeQuery,
    output: z.array(FreeSlotView),
    roles: CLINICAL,
    phi: false,
    audit: null,
  }),

  'settings.get': method({ input: none, output: Settings, roles: STAFF, phi: false, audit: null }),
  'settings.update': method({
    input: Settings.partial(),
    output: Settings,
    roles: ['admin'],
    phi: false,
    audit: { action: 'update', entityType: 'settings', idField: null },
  }),
} as const satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];

/** Events the main process pushes to the renderer. */
export const events = {
  'session.changed': SessionInfo,
  'sync.status': SyncStatus,
  /** Records changed (pull applied or local write): the renderer re-queries what it shows. */
  'data.changed': z.strictObject({ entities: z.array(z.string()) }),
  /**
   * Emergency access (break-glass) of the person signed in ended on the core's clock (its time ran out, or the
   * clinic's shorter time or a clock step ended it early): the renderer lets go of those threads (session 10; the
   * renderer's own timer used to be the only signal, so its next refresh was refused and recorded). Opaque ids.
   */
  'access.ended': z.strictObject({ threadIds: z.array(z.string()) }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** One fixed IPC channel per method and event, derived here so no channel string is written twice. */
export const channelOf = (name: MethodName): string => `clinic:${name}`;
export const eventChannelOf = (name: EventName): string => `clinic-event:${name}`;

/** The typed API the preload exposes as `window.clinic` (and the browser host imitates). */
export type ClinicApi = {
  readonly [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
} & {
  readonly subscribe: <E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ) => () => void;
};
