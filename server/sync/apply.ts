/**
 * Server-authoritative application of console mutations (DESIGN.md §5). Each mutation runs in its own
 * transaction, at most once per (deviceId, mutation id): the stored result is returned on a retry.
 */
import type {
  AppointmentRecord,
  AuditAction,
  AuditEntityType,
  StaffRecord,
  ThreadRecord,
} from '../../src-shared/domain';
import { SLOT_HOLDING_STATUSES } from '../../src-shared/domain';
import type { Change, Mutation, MutationOp, MutationOpName, MutationResult } from '../../src-shared/sync';
import type { ServerContext } from '../context';
import {
  normalizeIso,
  OVERLAP_NEEDS_REASON,
  pastBookingProblem,
  statusProblem,
  transitionProblem,
  TRANSITIONS,
  visitTypeProblem,
} from '../../src-shared/schedule-rules';
import { gridProblem, judgeClock, judgedInstant, locationOf } from '../schedule/bookable';
import { payloadVersionProblem } from './payload-versions';
import { roleMayPush } from '../../src-shared/mutation-roles';
import { virtualLinkProblem } from '../../src-shared/virtual-visit';
import { staffActive } from '../auth/staff-auth';
import { appendConsoleAudit } from './audit-chain';
import { illFormedTextMessage, illFormedTextPath } from '../../src-shared/well-formed-text';
import { DEFAULT_SLA, dueAt, roleMayReadPool, roleMayRoute } from '../../src-shared/triage';
import { poolKindOf } from './triage-access';
import {
  createSeries,
  seriesBookProblem,
  setSeriesRule,
  takeWaitlistEntry,
  waitlistBookProblem,
  waitlistOp,
} from './series-waitlist';

type Op<N extends MutationOpName> = Extract<MutationOp, { op: N }>;

export interface OpContext extends ServerContext {
  deviceId: string;
  staff: StaffRecord;
  m: Mutation;
}

export interface AuditTarget {
  action: AuditAction;
  entityType: AuditEntityType;
  entityId: string;
  fields: string[];
  /** issue 14a: 'BTG' for the opening of emergency access. */
  purposeOfEvent?: 'BTG';
}

export interface Outcome {
  result: MutationResult;
  audit: AuditTarget;
}

export const appointmentChange = (a: AppointmentRecord): Change => ({
  entity: 'appointment',
  id: a.id,
  data: a,
});
export const threadChange = (t: ThreadRecord): Change => ({ entity: 'thread', id: t.id, data: t });

const applied = (c: OpContext, version: number): MutationResult => ({
  id: c.m.id,
  status: 'applied',
  version,
});
const conflict = (c: OpContext, reason: string, current: Change | null): MutationResult => ({
  id: c.m.id,
  status: 'conflict',
  reason,
  current,
});
const rejected = (c: OpContext, reason: string, current: Change | null): MutationResult => ({
  id: c.m.id,
  status: 'rejected',
  reason,
  current,
});

async function slotTakenReason(c: OpContext, holder: AppointmentRecord): Promise<string> {
  return (await c.store.appointmentOrigin(holder.id)) === 'portal'
    ? 'This slot was just booked by a patient through the portal.'
    : 'This slot was booked at another desk.';
}

async function book(c: OpContext, op: Op<'appointment.book'>): Promise<Outcome> {
  const fields = [
    'patientId',
    'providerId',
    'start',
    'end',
    'reason',
    ...(op.virtualLink ? ['virtualLink'] : []),
  ];
  const audit: AuditTarget = { action: 'create', entityType: 'appointment', entityId: c.m.entityId, fields };
  const out = (result: MutationResult): Outcome => ({ result, audit });
  const start = normalizeIso(op.start);
  const end = normalizeIso(op.end);
  const existing = await c.store.appointment(c.m.entityId);
  if (existing) {
    const same =
      existing.patientId === op.patientId &&
      existing.providerId === op.providerId &&
      existing.start === start &&
      existing.end === end;
    return out(
      same
        ? applied(c, existing.version)
        : rejected(c, 'That appointment id is already in use.', appointmentChange(existing)),
    );
  }
  if (!start || !end) return out(rejected(c, 'The start or end time is not a real time.', null));
  if (!(await c.store.patient(op.patientId))) return out(rejected(c, 'Unknown patient.', null));
  const provider = await c.store.provider(op.providerId);
  if (!provider) return out(rejected(c, 'Unknown provider.', null));
  const linkProblem = virtualLinkProblem(op.virtualLink, c.m.entityId);
  if (linkProblem) return out(rejected(c, linkProblem, null));
  const problem = await gridProblem(c.store, provider, start, end);
  if (problem) return out(rejected(c, problem, null));
  // issue 13 §4/§5: an occurrence of a series; a booking from the waitlist (server/sync/series-waitlist.ts)
  const seriesProblem = await seriesBookProblem(c, op, provider, start, end);
  if (seriesProblem) return out(rejected(c, seriesProblem, null));
  const waitlistProblem = await waitlistBookProblem(c, op);
  if (waitlistProblem) return out(rejected(c, waitlistProblem.reason, waitlistProblem.current));
  if (op.seriesId !== undefined) fields.push('seriesId');
  if (op.visitTypeId !== undefined) {
    const visitType = await c.store.visitType(op.visitTypeId);
    if (!visitType) return out(rejected(c, 'Unknown visit type.', null));
    const typeProblem = visitTypeProblem(visitType, provider.id, start, end);
    if (typeProblem) return out(rejected(c, typeProblem, null));
  }
  // issue 13a guardrails, judged at the time the change was made (bounded by the offline grace period)
  const at = await judgeClock(c, await locationOf(c.store, provider), c.m, c.deviceId);
  const past = pastBookingProblem(start, at);
  if (past) return out(rejected(c, past, null));
  const holder = await c.store.findSlotHolder(provider.id, start, end, null);
  if (holder) return out(conflict(c, await slotTakenReason(c, holder), appointmentChange(holder)));
  const overlapping = await c.store.patientVisitsOverlapping(op.patientId, start, end, null);
  if (overlapping.length > 0 && !op.overlapReason?.trim())
    return out(rejected(c, OVERLAP_NEEDS_REASON, null));
  if (overlapping.length > 0) audit.fields.push('overlapReason');
  const record: AppointmentRecord = {
    id: c.m.entityId,
    patientId: op.patientId,
    providerId: provider.id,
    start,
    end,
    status: 'booked',
    reason: op.reason,
    cancelReason: null,
    virtualLink: op.virtualLink,
    cancelCode: null,
    overlapReason: overlapping.length > 0 ? op.overlapReason!.trim() : null,
    ...(op.seriesId !== undefined ? { seriesId: op.seriesId } : {}),
    version: 1,
  };
  await c.store.insertAppointment(record, 'console');
  await takeWaitlistEntry(c, op);
  return out(applied(c, record.version));
}

async function reschedule(
  c: OpContext,
  op: Op<'appointment.reschedule'>,
  current: AppointmentRecord,
  fields: string[],
): Promise<MutationResult> {
  const now = appointmentChange(current);
  const problem = transitionProblem(current, 'reschedule');
  if (problem) return rejected(c, problem, now);
  const start = normalizeIso(op.start);
  const end = normalizeIso(op.end);
  if (!start || !end) return rejected(c, 'The start or end time is not a real time.', now);
  const provider = await c.store.provider(op.providerId);
  if (!provider) return rejected(c, 'Unknown provider.', now);
  const slot = await gridProblem(c.store, provider, start, end);
  if (slot) return rejected(c, slot, now);
  const past = pastBookingProblem(
    start,
    await judgeClock(c, await locationOf(c.store, provider), c.m, c.deviceId),
  );
  if (past) return rejected(c, past, now);
  const holder = await c.store.findSlotHolder(provider.id, start, end, current.id);
  if (holder) return conflict(c, await slotTakenReason(c, holder), appointmentChange(holder));
  // The same patient twice at one time needs a reason, by a reschedule as by a booking (review of issue 13a).
  const overlapping = await c.store.patientVisitsOverlapping(current.patientId, start, end, current.id);
  const overlapReason = op.overlapReason?.trim();
  if (overlapping.length > 0 && !overlapReason) return rejected(c, OVERLAP_NEEDS_REASON, now);
  if (overlapping.length > 0) fields.push('overlapReason');
  const next = {
    ...current,
    providerId: provider.id,
    start,
    end,
    overlapReason: overlapping.length > 0 ? overlapReason! : current.overlapReason,
    version: current.version + 1,
  };
  await c.store.updateAppointment(next);
  return applied(c, next.version);
}

/** The status operation each pushed op is (src-shared/schedule-rules.ts TRANSITIONS). */
const STATUS_OPS = {
  'appointment.cancel': 'cancel',
  'appointment.checkIn': 'checkIn',
  'appointment.noShow': 'noShow',
  'appointment.room': 'room',
  'appointment.complete': 'complete',
  'appointment.undoStatus': 'undo',
} as const;

async function appointmentOp(
  c: OpContext,
  op: Op<
    | 'appointment.reschedule'
    | 'appointment.cancel'
    | 'appointment.checkIn'
    | 'appointment.noShow'
    | 'appointment.room'
    | 'appointment.complete'
    | 'appointment.undoStatus'
    | 'appointment.setVirtual'
  >,
): Promise<Outcome> {
  const fields =
    op.op === 'appointment.setVirtual'
      ? ['virtualLink']
      : op.op === 'appointment.reschedule'
        ? ['providerId', 'start', 'end']
        : op.op === 'appointment.cancel'
          ? ['status', 'cancelReason', ...(op.code ? ['cancelCode'] : [])]
          : ['status'];
  const audit: AuditTarget = { action: 'update', entityType: 'appointment', entityId: c.m.entityId, fields };
  const current = await c.store.appointment(c.m.entityId);
  if (!current) return { result: rejected(c, 'Unknown appointment.', null), audit };
  if (op.op === 'appointment.reschedule')
    return { result: await reschedule(c, op, current, audit.fields), audit };
  if (op.op === 'appointment.setVirtual') {
    // issue 13b: only a visit still to come (the rule of a reschedule) changes between in person and virtual.
    if (!(TRANSITIONS.reschedule.from as readonly string[]).includes(current.status)) {
      const reason = `An appointment that is ${current.status} cannot be changed to or from a virtual visit.`;
      return { result: rejected(c, reason, appointmentChange(current)), audit };
    }
    const linkProblem = virtualLinkProblem(op.virtualLink, current.id);
    if (linkProblem) return { result: rejected(c, linkProblem, appointmentChange(current)), audit };
    const next = { ...current, virtualLink: op.virtualLink, version: current.version + 1 };
    await c.store.updateAppointment(next);
    return { result: applied(c, next.version), audit };
  }
  const kind = STATUS_OPS[op.op];
  const provider = await c.store.provider(current.providerId);
  const location = provider
    ? await locationOf(c.store, provider)
    : { id: '', name: '', timeZone: 'UTC', walkInMinutes: 0, version: 0 };
  const problem = statusProblem(current, kind, await judgeClock(c, location, c.m, c.deviceId));
  if (problem) return { result: rejected(c, problem, appointmentChange(current)), audit };
  // A visit coming back into its slot (undo of a no-show: a no-show holds none) meets the booking's check: the
  // slot may have been given to another visit meanwhile (review 6 D3).
  if (
    !SLOT_HOLDING_STATUSES.includes(current.status) &&
    SLOT_HOLDING_STATUSES.includes(TRANSITIONS[kind].to)
  ) {
    const holder = await c.store.findSlotHolder(current.providerId, current.start, current.end, current.id);
    if (holder)
      return {
        result: conflict(c, await slotTakenReason(c, holder), appointmentChange(current)),
        audit,
      };
  }
  const next: AppointmentRecord = {
    ...current,
    status: TRANSITIONS[kind].to,
    cancelReason: op.op === 'appointment.cancel' ? op.reason : current.cancelReason,
    cancelCode: op.op === 'appointment.cancel' ? (op.code ?? 'other') : current.cancelCode,
    version: current.version + 1,
  };
  await c.store.updateAppointment(next);
  return { result: applied(c, next.version), audit };
}

async function threadOp(
  c: OpContext,
  op: Op<'thread.assign' | 'thread.setPriority' | 'thread.setStatus' | 'thread.route' | 'message.send'>,
): Promise<Outcome> {
  const fields =
    op.op === 'thread.assign'
      ? ['assigneeId']
      : op.op === 'thread.setPriority'
        ? ['priority']
        : op.op === 'thread.setStatus'
          ? ['status']
          : op.op === 'thread.route'
            ? ['poolId']
            : ['messages'];
  const audit: AuditTarget = {
    action: op.op === 'message.send' ? 'create' : 'update',
    entityType: 'thread',
    entityId: c.m.entityId,
    fields,
  };
  const out = (result: MutationResult): Outcome => ({ result, audit });
  const thread = await c.store.thread(c.m.entityId);
  if (!thread) return out(rejected(c, 'Unknown thread.', null));
  // issue 14a: a receptionist works administrative pools only; of a clinical thread they may only re-route it.
  const kind = await poolKindOf(c.store, thread);
  if (op.op !== 'thread.route' && !roleMayReadPool(c.staff.role, kind)) {
    return out(
      rejected(c, 'This thread is in a clinical pool: your role may not change it.', threadChange(thread)),
    );
  }
  const pool = thread.poolId ? await c.store.triagePool(thread.poolId) : null;
  const now = c.nowIso();
  let next: ThreadRecord;
  switch (op.op) {
    case 'thread.route': {
      const target = await c.store.triagePool(op.poolId);
      if (!target) return out(rejected(c, 'Unknown pool.', threadChange(thread)));
      if (!roleMayRoute(c.staff.role, kind, target.kind)) {
        return out(
          rejected(
            c,
            'Only a clinician can move a clinical thread into an administrative pool.',
            threadChange(thread),
          ),
        );
      }
      // Whoever holds it keeps it only if their role may work the new pool (review 7 R5, as D9 for assign): else it
      // would sit in a "Mine" queue nobody can act on, out of every clinician's "Unassigned".
      const holder = thread.assigneeId === null ? null : await c.store.staff(thread.assigneeId);
      const keepsHolder = holder === null || roleMayReadPool(holder.role, target.kind);
      // The due time follows the new pool's SLA (review 4: a re-routed thread kept the old pool's).
      next = {
        ...thread,
        poolId: target.id,
        assigneeId: keepsHolder ? thread.assigneeId : null,
        dueAt: thread.dueAt ? dueAt(thread.lastMessageAt, thread.priority, target.sla) : null,
      };
      break;
    }
    case 'thread.assign': {
      const assignee = op.assigneeId === null ? null : await c.store.staff(op.assigneeId);
      if (op.assigneeId !== null && !assignee)
        return out(rejected(c, 'Unknown staff member.', threadChange(thread)));
      // issue 14a (review 6 D9): a thread goes only to someone who can work it — a role that may read its pool,
      // an account still active — or it would sit in a "Mine" queue nobody can act on.
      if (assignee && !roleMayReadPool(assignee.role, kind))
        return out(
          rejected(
            c,
            `${assignee.displayName} cannot work a thread of a clinical pool: assign it to a clinician.`,
            threadChange(thread),
          ),
        );
      if (assignee && !(await staffActive(c, assignee)))
        return out(
          rejected(
            c,
            `${assignee.displayName}'s account is not active: assign it to someone else.`,
            threadChange(thread),
          ),
        );
      const holder = thread.assigneeId;
      const stale = c.m.baseVersion === null || c.m.baseVersion !== thread.version;
      if (holder !== null && holder !== c.staff.id && holder !== op.assigneeId && stale) {
        const name = (await c.store.staff(holder))?.displayName ?? 'someone else';
        return out(conflict(c, `This thread was claimed by ${name} at another desk.`, threadChange(thread)));
      }
      next = { ...thread, assigneeId: op.assigneeId };
      break;
    }
    case 'thread.setPriority':
      next = {
        ...thread,
        priority: op.priority,
        // The pool's SLA for the new priority (issue 14a: set by the clinic per pool).
        dueAt: thread.dueAt ? dueAt(thread.lastMessageAt, op.priority, pool?.sla ?? DEFAULT_SLA) : null,
      };
      break;
    case 'thread.setStatus':
      next = { ...thread, status: op.status, dueAt: op.status === 'done' ? null : thread.dueAt };
      break;
    case 'message.send': {
      const existing = await c.store.message(op.messageId);
      if (existing) {
        const same =
          existing.threadId === thread.id && existing.authorId === c.staff.id && existing.body === op.body;
        return out(
          same
            ? applied(c, thread.version)
            : rejected(c, 'That message id is already in use.', threadChange(thread)),
        );
      }
      await c.store.insertMessage({
        id: op.messageId,
        threadId: thread.id,
        authorKind: 'staff',
        authorId: c.staff.id,
        body: op.body,
        sentAt: now,
        version: 1,
      });
      // A staff answer meets the service level: nothing is due until the patient writes again.
      next = { ...thread, lastMessageAt: now, dueAt: null };
      break;
    }
  }
  next = { ...next, updatedAt: now, version: thread.version + 1 };
  await c.store.updateThread(next);
  return out(applied(c, next.version));
}

/**
 * issue 14a: emergency access opened on a console. The server keeps the grant (its own clock and the clinic's
 * longest time decide when it ends), which lets it serve that staff member the thread (GET /sync/record), and
 * raises it to the admins' break-glass report until one acknowledges it. Same grant id again: applied once.
 */
async function openBreakGlass(c: OpContext, op: Op<'breakGlass.open'>): Promise<Outcome> {
  const audit: AuditTarget = {
    action: 'create',
    entityType: 'thread',
    entityId: c.m.entityId,
    fields: ['breakGlass'],
    purposeOfEvent: 'BTG',
  };
  const thread = await c.store.thread(c.m.entityId);
  if (!thread) return { result: rejected(c, 'Unknown thread.', null), audit };
  // Dated when the console opened it (bounded like any change's time), so reads made offline under it count.
  const openedAt = new Date(await judgedInstant(c, c.m, c.deviceId)).toISOString();
  // Session 4, 14c: the clinic's setting (admin-set, default 60) is the longest a grant may last.
  const minutes = Math.min(op.minutes, (await c.store.clinicSettings()).breakGlassMinutes);
  await c.store.insertBreakGlass({
    id: op.grantId,
    staffId: c.staff.id,
    deviceId: c.deviceId,
    entityType: 'thread',
    entityId: thread.id,
    reason: op.reason,
    openedAt,
    expiresAt: new Date(Date.parse(openedAt) + minutes * 60_000).toISOString(),
  });
  return { result: applied(c, thread.version), audit };
}

/**
 * Whether the server accepts a change in `staffId`'s name from `deviceId` (issue 10, DESIGN.md §5): an active
 * staff member who signed in ONLINE on that very device within the offline grace period. Null when accepted,
 * else the reason (names no one: it reaches the console's sync problems).
 */
async function attributionProblem(
  ctx: ServerContext,
  deviceId: string,
  staff: StaffRecord | null,
  m: Mutation,
  pushedBy: string | null,
): Promise<string | null> {
  if (!staff) return 'The server does not know the person this change was made by.';
  if (!(await staffActive(ctx, staff)))
    return 'The account of the person who made this change is no longer active.';
  const last = await ctx.store.deviceStaffLastOnline(deviceId, staff.id);
  if (last === null) return 'The person who made this change has never signed in online on this PC.';
  if (ctx.now() - Date.parse(last) > ctx.offlineGraceMs) {
    const hours = Math.round(ctx.offlineGraceMs / 3600_000);
    return `The person who made this change has not signed in online on this PC in the last ${hours} hours.`;
  }
  // A sign-out ends the session: in another person's online session, only changes made before it may still
  // arrive in that person's name. (Pushed on the device credential alone, a change dated after the sign-out is
  // accepted: it is how a session that began offline syncs, and the server cannot tell it from a later one.)
  const signedOut = await ctx.store.deviceStaffSignedOutAt(deviceId, staff.id);
  if (pushedBy !== null && signedOut !== null && Date.parse(m.createdAt) > Date.parse(signedOut)) {
    return 'The person who made this change had signed out of this PC before it was made.';
  }
  // Pushed under someone else's session: only changes made before that person signed in here (a previous
  // user's outbox, or a session that began offline) belong to another name.
  if (pushedBy !== null && pushedBy !== staff.id) {
    const since = await ctx.store.deviceStaffLastOnline(deviceId, pushedBy);
    if (since !== null && Date.parse(m.createdAt) > Date.parse(since)) {
      return 'This change is dated after another person signed in on this PC, in whose session it was sent.';
    }
  }
  return null;
}

/** Each change's record kind and whether it creates one, as its handler records it (typed: a new op must be added). */
const OP_TARGET: Record<
  Exclude<MutationOpName, 'audit.append'>,
  { entityType: 'appointment' | 'series' | 'waitlist' | 'thread'; action: 'create' | 'update' }
> = {
  'appointment.book': { entityType: 'appointment', action: 'create' },
  'appointment.reschedule': { entityType: 'appointment', action: 'update' },
  'appointment.cancel': { entityType: 'appointment', action: 'update' },
  'appointment.checkIn': { entityType: 'appointment', action: 'update' },
  'appointment.noShow': { entityType: 'appointment', action: 'update' },
  'appointment.room': { entityType: 'appointment', action: 'update' },
  'appointment.complete': { entityType: 'appointment', action: 'update' },
  'appointment.undoStatus': { entityType: 'appointment', action: 'update' },
  'appointment.setVirtual': { entityType: 'appointment', action: 'update' },
  'series.create': { entityType: 'series', action: 'create' },
  'series.setRule': { entityType: 'series', action: 'update' },
  'waitlist.add': { entityType: 'waitlist', action: 'create' },
  'waitlist.remove': { entityType: 'waitlist', action: 'update' },
  'thread.assign': { entityType: 'thread', action: 'update' },
  'thread.route': { entityType: 'thread', action: 'update' },
  'thread.setPriority': { entityType: 'thread', action: 'update' },
  'thread.setStatus': { entityType: 'thread', action: 'update' },
  'message.send': { entityType: 'thread', action: 'create' },
  'breakGlass.open': { entityType: 'thread', action: 'create' },
};

/**
 * The audit target of a change refused before its handler runs (a role that may not, text that is not well-formed
 * Unicode): the record and action its handler records, emergency access with its BTG flag, so the refused attempt is
 * filed where the handler's own refusals are (DESIGN §7). `entityId` as the change names it (made well-formed).
 */
function refusedTarget(op: Exclude<MutationOp, { op: 'audit.append' }>, entityId: string): AuditTarget {
  return {
    ...OP_TARGET[op.op],
    entityId: entityId.toWellFormed(),
    fields: [],
    ...(op.op === 'breakGlass.open' ? { purposeOfEvent: 'BTG' as const } : {}),
  };
}

async function decide(
  ctx: ServerContext,
  deviceId: string,
  m: Mutation,
  pushedBy: string | null,
): Promise<MutationResult> {
  // Issue 12: the current and the previous payload version are accepted; another is refused alone.
  const version = payloadVersionProblem(m);
  if (version) return { id: m.id, status: 'rejected', reason: version, current: null };
  const op = m.mutation;
  // Audit events are verified link by link against the device's chain, their text included (audit-chain.ts).
  if (op.op === 'audit.append') return await appendConsoleAudit(ctx, deviceId, m, op.event);
  const staff = await ctx.store.staff(m.staffId);
  const problem = await attributionProblem(ctx, deviceId, staff, m, pushedBy);
  if (problem !== null || !staff) {
    return { id: m.id, status: 'rejected', reason: problem ?? 'Unknown staff member.', current: null };
  }
  const c: OpContext = { ...ctx, deviceId, m, staff };

  // Text that is not well-formed Unicode (src-shared/well-formed-text.ts): this change is refused, the batch goes on
  // (the push route leaves the mutations' text to this check), and the refused attempt is recorded (DESIGN §7).
  const illFormed = illFormedTextPath(m);
  let outcome: Outcome;
  if (illFormed) {
    outcome = {
      result: rejected(c, illFormedTextMessage('', illFormed), null),
      audit: refusedTarget(op, m.entityId),
    };
  } else if (!roleMayPush(staff.role, op.op)) {
    const entity = OP_TARGET[op.op].entityType;
    const change = op.op === 'appointment.book' ? null : await ctx.store.loadChange(entity, m.entityId);
    outcome = {
      result: rejected(c, `A ${staff.role} may not do ${op.op}.`, change?.data ? change : null),
      audit: refusedTarget(op, m.entityId),
    };
  } else if (op.op === 'appointment.book') outcome = await book(c, op);
  else if (
    op.op === 'appointment.reschedule' ||
    op.op === 'appointment.cancel' ||
    op.op === 'appointment.checkIn' ||
    op.op === 'appointment.noShow' ||
    op.op === 'appointment.room' ||
    op.op === 'appointment.complete' ||
    op.op === 'appointment.undoStatus' ||
    op.op === 'appointment.setVirtual'
  ) {
    outcome = await appointmentOp(c, op);
  } else if (op.op === 'breakGlass.open') outcome = await openBreakGlass(c, op);
  else if (op.op === 'series.create') outcome = await createSeries(c, op);
  else if (op.op === 'series.setRule') outcome = await setSeriesRule(c, op);
  else if (op.op === 'waitlist.add' || op.op === 'waitlist.remove') outcome = await waitlistOp(c, op);
  else outcome = await threadOp(c, op);

  // Attributes the change (or the refused attempt) to the staff member and the pushing device.
  await ctx.audit.write({
    staffId: staff.id,
    role: staff.role,
    deviceId,
    action: outcome.audit.action,
    entityType: outcome.audit.entityType,
    entityId: outcome.audit.entityId,
    fields: outcome.audit.fields,
    outcome: outcome.result.status === 'applied' ? 'success' : 'failure',
    actorKind: 'staff',
    ...(outcome.audit.purposeOfEvent ? { purposeOfEvent: outcome.audit.purposeOfEvent } : {}),
  });
  return outcome.result;
}

/** Applies one mutation at most once; a retry returns the stored result. */
async function applyOnce(
  ctx: ServerContext,
  deviceId: string,
  m: Mutation,
  onError: (err: unknown) => void,
  pushedBy: string | null,
  raisesFloor: boolean,
): Promise<MutationResult> {
  try {
    return await ctx.store.transaction(async () => {
      const stored = await ctx.store.appliedMutation(deviceId, m.id);
      if (stored !== null) return JSON.parse(stored) as MutationResult;
      const result = await decide(ctx, deviceId, m, pushedBy);
      // The judging-time floor of this device's later changes (server/schedule/bookable.ts judgeClock). Audit
      // events are left out: a console pushes them from its audit log, a stream apart from its outbox, so their
      // times are not in order with its changes.
      const made = m.mutation.op === 'audit.append' || !raisesFloor ? NaN : Date.parse(m.createdAt);
      if (Number.isFinite(made))
        await ctx.store.raiseDeviceLastChangeAt(deviceId, new Date(Math.min(made, ctx.now())).toISOString());
      // The primary key (device_id, mutation_id) refuses a second result: a concurrent apply rolls back.
      await ctx.store.saveAppliedMutation(deviceId, m.id, JSON.stringify(result), ctx.nowIso());
      return result;
    });
  } catch (err) {
    onError(err);
    // Not stored: the transaction rolled back, so a later retry may still apply it.
    return { id: m.id, status: 'rejected', reason: 'The server could not apply this change.', current: null };
  }
}

/**
 * Mutations of a batch are applied in order, each in its own transaction.
 * @param pushedBy the staff member whose access token came with the push, or null (device credential alone)
 */
export async function applyPush(
  ctx: ServerContext,
  deviceId: string,
  mutations: Mutation[],
  onError: (err: unknown) => void,
  pushedBy: string | null = null,
): Promise<MutationResult[]> {
  const results: MutationResult[] = [];
  // Once a change of this push failed unexpectedly (rolled back; the console keeps it back and sends it again),
  // the changes after it no longer raise the judging-time floor: the retried one was made before them and must
  // still be judged at its own time (review 5).
  let inOrder = true;
  for (const m of mutations) {
    let failed = false;
    results.push(
      await applyOnce(
        ctx,
        deviceId,
        m,
        (err) => {
          failed = true;
          onError(err);
        },
        pushedBy,
        inOrder,
      ),
    );
    if (failed) inOrder = false;
  }
  return results;
}
