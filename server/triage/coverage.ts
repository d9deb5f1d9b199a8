/**
 * Coverage (issue 14 §3): absences with a covering colleague, and the server's hand-over and hand-back of the
 * absent clinician's threads. The server is the authority: consoles mark absences here (online), and see the
 * moves as ordinary thread changes by sync. Rules: src-shared/coverage.ts (one copy, also run by the console).
 *
 * The sweep (`sweepCoverage`) is driven by the server's injectable clock, never a console's: it runs lazily
 * before every pull and after every push (so a console that syncs sees the state as of the server's now), and on
 * a timer (`startCoverageTimer`) so moves happen when nobody syncs. It is idempotent and deterministic for a
 * given clock reading: the same store and `now` give the same moves.
 */
import {
  ABSENCE_ALREADY_ENDED,
  absenceOverlapProblem,
  absenceProblem,
  absenceWindow,
  COVERAGE_HAND_BACK_FIELDS,
  COVERAGE_HAND_OVER_FIELDS,
  type AbsenceRecord,
  type AbsenceRequest,
} from '../../src-shared/coverage';
import { localDateOf, todayAt } from '../../src-shared/clinic-time';
import type { StaffRecord, ThreadRecord } from '../../src-shared/domain';
import { staffActive } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';

/** Threads moved per absence and sweep at most (a sweep that hits it runs again at the next sync or tick). */
export const SWEEP_BATCH = 500;

/**
 * The IANA zone a clinician's absence days are read in: their provider's location, else the clinic's first
 * location (by id), else UTC.
 */
export async function clinicZoneOf(ctx: ServerContext, staff: StaffRecord): Promise<string> {
  const provider = staff.providerId ? await ctx.store.provider(staff.providerId) : null;
  const location = provider ? await ctx.store.location(provider.locationId) : null;
  if (location) return location.timeZone;
  const first = (await ctx.store.locations()).sort((a, b) => a.id.localeCompare(b.id))[0];
  return first?.timeZone ?? 'UTC';
}

async function party(ctx: ServerContext, id: string) {
  const staff = await ctx.store.staff(id);
  return staff ? { id: staff.id, role: staff.role, active: await staffActive(ctx, staff), staff } : null;
}

type Refusal = { refused: { status: 400 | 403 | 404 | 409; message: string; entityId: string | null } };
const CODES = { 400: 'VALIDATION', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT' } as const;

/**
 * A refused coverage request: audited as a failure on the staff member it named (after the rolled-back attempt,
 * so the event stays), then answered with the HTTP error.
 */
async function refuse(
  ctx: ServerContext,
  actor: { staff: StaffRecord; deviceId: string },
  action: 'create' | 'update',
  r: Refusal['refused'],
): Promise<never> {
  await ctx.audit.write({
    staffId: actor.staff.id,
    role: actor.staff.role,
    deviceId: actor.deviceId,
    action,
    entityType: 'staff',
    entityId: r.entityId,
    fields: ['absence'],
    outcome: 'failure',
    actorKind: 'staff',
  });
  throw new HttpError(r.status, CODES[r.status], r.message);
}

/**
 * Marks (creates) an absence. The actor is the signed-in staff member of the request (the server's own record).
 * Same id and same content again answers the stored absence (a retried request); other content is 409.
 * @throws HttpError 403 FORBIDDEN (someone else's absence, not admin), 400 VALIDATION (a rule of
 *   src-shared/coverage.ts: cover not an active clinician, dates), 409 CONFLICT (overlap, id in use). Each
 *   refusal is audited.
 */
export async function markAbsence(
  ctx: ServerContext,
  actor: { staff: StaffRecord; deviceId: string },
  absenceId: string,
  request: AbsenceRequest,
): Promise<AbsenceRecord> {
  const outcome = await ctx.store.transaction(async (): Promise<AbsenceRecord | Refusal> => {
    const absent = await party(ctx, request.staffId);
    const cover = await party(ctx, request.coverId);
    const no = (status: 400 | 403 | 409, message: string): Refusal => ({
      refused: { status, message, entityId: absent ? absent.id : null },
    });
    const timeZone = absent ? await clinicZoneOf(ctx, absent.staff) : 'UTC';
    const problem = absenceProblem(
      request,
      { actor: { id: actor.staff.id, role: actor.staff.role }, absent, cover },
      todayAt(timeZone, ctx.now()),
    );
    if (problem) return no(problem.startsWith('Only an admin') ? 403 : 400, problem);
    let window: { startsAt: string; endsAt: string };
    try {
      window = absenceWindow(request.startDate, request.endDate, timeZone);
    } catch {
      return no(400, 'A day of this absence does not exist in the calendar.');
    }
    const existing = await ctx.store.absence(absenceId);
    if (existing) {
      const same =
        existing.staffId === request.staffId &&
        existing.coverId === request.coverId &&
        existing.startDate === request.startDate &&
        existing.endDate === request.endDate;
      return same ? existing : no(409, 'That absence id is already in use.');
    }
    const record: AbsenceRecord = {
      id: absenceId,
      staffId: request.staffId,
      coverId: request.coverId,
      startDate: request.startDate,
      endDate: request.endDate,
      timeZone,
      ...window,
      phase: 'scheduled',
      createdBy: actor.staff.id,
      version: 1,
    };
    const clash = absenceOverlapProblem(
      record,
      await ctx.store.absencesInvolving([record.staffId, record.coverId]),
    );
    if (clash) return no(409, clash);
    await ctx.store.upsertAbsence(record);
    await ctx.audit.write({
      staffId: actor.staff.id,
      role: actor.staff.role,
      deviceId: actor.deviceId,
      action: 'create',
      entityType: 'staff',
      entityId: record.staffId,
      fields: ['absence', 'coverId', 'startDate', 'endDate'],
      outcome: 'success',
      actorKind: 'staff',
    });
    // An absence that has already begun (today's) hands over at once.
    await sweepCoverage(ctx);
    return (await ctx.store.absence(absenceId))!;
  });
  if ('refused' in outcome) return refuse(ctx, actor, 'create', outcome.refused);
  return outcome;
}

/**
 * Ends an absence now (the clinician is back early, or it is called off before it starts): its threads are handed
 * back at once. Only the absent clinician or an admin. An absence that has already run out (its last day is over
 * by the server's clock) or ended is a change that cannot happen: refused, never audited as an 'update' (review,
 * session 6); its hand-back is the sweep's, run first.
 * @throws HttpError 404 NOT_FOUND, 403 FORBIDDEN, 409 CONFLICT "This absence has already ended." (the last two
 *   audited as a failure on the absent clinician, as every refused coverage request is).
 */
export async function endAbsence(
  ctx: ServerContext,
  actor: { staff: StaffRecord; deviceId: string },
  absenceId: string,
): Promise<AbsenceRecord> {
  const outcome = await ctx.store.transaction(async (): Promise<AbsenceRecord | Refusal> => {
    // An absence whose end has passed is ended (and handed back) by the sweep, as before every pull.
    await sweepCoverage(ctx);
    const absence = await ctx.store.absence(absenceId);
    if (!absence) throw new HttpError(404, 'NOT_FOUND', 'No such absence.');
    if (actor.staff.role !== 'admin' && actor.staff.id !== absence.staffId) {
      return {
        refused: {
          status: 403,
          message: 'Only the absent clinician or an admin can end this absence.',
          entityId: absence.staffId,
        },
      };
    }
    if (absence.phase === 'ended')
      return { refused: { status: 409, message: ABSENCE_ALREADY_ENDED, entityId: absence.staffId } };
    const now = ctx.nowIso();
    const today = localDateOf(now, absence.timeZone);
    // Decided by the stored phase, not the clock (review 6 D2): an absence the sweep has begun has moved threads
    // and hands them back now, even when this server's clock reads before its start (a backward NTP step, an
    // instance a few seconds behind); only one not begun yet ends as it is.
    const clamp = (x: string, lo: string, hi: string) => (x < lo ? lo : x > hi ? hi : x);
    const next: AbsenceRecord =
      absence.phase === 'scheduled'
        ? { ...absence, phase: 'ended', version: absence.version + 1 }
        : {
            ...absence,
            endsAt: clamp(now, absence.startsAt, absence.endsAt),
            endDate: clamp(today, absence.startDate, absence.endDate),
            version: absence.version + 1,
          };
    await ctx.store.upsertAbsence(next);
    if (next.phase !== 'ended') await handBack(ctx, next, now);
    await ctx.audit.write({
      staffId: actor.staff.id,
      role: actor.staff.role,
      deviceId: actor.deviceId,
      action: 'update',
      entityType: 'staff',
      entityId: absence.staffId,
      fields: ['absence', 'endDate'],
      outcome: 'success',
      actorKind: 'staff',
    });
    await sweepCoverage(ctx);
    return (await ctx.store.absence(absenceId))!;
  });
  if ('refused' in outcome) return refuse(ctx, actor, 'update', outcome.refused);
  return outcome;
}

/**
 * One coverage move's audit event (FHIR AuditEvent-style): action update, outcome success, on the thread; the
 * agent is the system acting for the absent clinician (staffId), the fields name what changed and why
 * ('coverage.hand-over' / 'coverage.hand-back').
 */
async function auditMove(
  ctx: ServerContext,
  absence: AbsenceRecord,
  threadId: string,
  fields: readonly string[],
): Promise<void> {
  const absent = await ctx.store.staff(absence.staffId);
  await ctx.audit.write({
    staffId: absence.staffId,
    role: absent?.role ?? null,
    deviceId: 'server',
    action: 'update',
    entityType: 'thread',
    entityId: threadId,
    fields: [...fields],
    outcome: 'success',
    actorKind: 'system',
  });
}

async function reassign(ctx: ServerContext, thread: ThreadRecord, to: string): Promise<void> {
  await ctx.store.updateThread({
    ...thread,
    assigneeId: to,
    updatedAt: ctx.nowIso(),
    version: thread.version + 1,
  });
}

async function handBack(ctx: ServerContext, absence: AbsenceRecord, now: string): Promise<number> {
  let moved = 0;
  // The absent clinician may have been deactivated during the leave (review 8): nobody can work a thread handed
  // back to them, so every thread stays with the cover who was working it, and the kept hand-back is in the audit
  // trail once, on the person, for an admin to reassign if needed.
  const absent = await ctx.store.staff(absence.staffId);
  const returnable = !!absent && (await staffActive(ctx, absent));
  let keptInactive = 0;
  for (const move of await ctx.store.openCoverageMoves(absence.id)) {
    const thread = await ctx.store.thread(move.threadId);
    if (!thread) {
      await ctx.store.settleCoverageMove(absence.id, move.threadId, now, 'gone');
    } else if (thread.assigneeId !== move.toStaff) {
      // The colleague (or someone) re-assigned it on purpose: it stays where they put it.
      await ctx.store.settleCoverageMove(absence.id, move.threadId, now, 'kept-reassigned');
    } else if (thread.status === 'done') {
      // Closed by the colleague: it stays closed, with the person who closed it.
      await ctx.store.settleCoverageMove(absence.id, move.threadId, now, 'kept-closed');
    } else if (!returnable) {
      await ctx.store.settleCoverageMove(absence.id, move.threadId, now, 'kept-inactive');
      keptInactive++;
    } else {
      await reassign(ctx, thread, move.fromStaff);
      await auditMove(ctx, absence, thread.id, COVERAGE_HAND_BACK_FIELDS);
      await ctx.store.settleCoverageMove(absence.id, move.threadId, now, 'returned');
      moved++;
    }
  }
  if (keptInactive > 0)
    await ctx.audit.write({
      staffId: absence.staffId,
      role: absent?.role ?? null,
      deviceId: 'server',
      action: 'update',
      entityType: 'staff',
      entityId: absence.staffId,
      fields: ['coverage.hand-back', 'staff-inactive'],
      outcome: 'failure',
      actorKind: 'system',
    });
  await ctx.store.upsertAbsence({ ...absence, phase: 'ended', version: absence.version + 1 });
  return moved;
}

async function handOver(ctx: ServerContext, absence: AbsenceRecord, now: string): Promise<number> {
  let current = absence;
  const beginning = current.phase === 'scheduled';
  if (beginning) {
    current = { ...current, phase: 'active', version: current.version + 1 };
    await ctx.store.upsertAbsence(current);
  }
  // The cover was an active clinician when the absence was marked; they may have left since (review 6 D4).
  // Threads then stay with the absent clinician (reachable, visible in the pool's queues), and the failed
  // hand-over is in the audit trail once, at the start, for an admin to choose another cover.
  const cover = await ctx.store.staff(absence.coverId);
  if (!cover || cover.role !== 'clinician' || !(await staffActive(ctx, cover))) {
    if (beginning)
      await ctx.audit.write({
        staffId: absence.staffId,
        role: (await ctx.store.staff(absence.staffId))?.role ?? null,
        deviceId: 'server',
        action: 'update',
        entityType: 'staff',
        entityId: absence.coverId,
        fields: ['coverage.hand-over', 'cover-inactive'],
        outcome: 'failure',
        actorKind: 'system',
      });
    return 0;
  }
  let moved = 0;
  for (const thread of await ctx.store.openThreadsAssignedTo(absence.staffId, SWEEP_BATCH)) {
    await reassign(ctx, thread, absence.coverId);
    await auditMove(ctx, absence, thread.id, COVERAGE_HAND_OVER_FIELDS);
    await ctx.store.upsertCoverageMove({
      absenceId: absence.id,
      threadId: thread.id,
      fromStaff: absence.staffId,
      toStaff: absence.coverId,
      movedAt: now,
      returnedAt: null,
      outcome: null,
    });
    moved++;
  }
  return moved;
}

/** True when a sweep at `now` would change something (read only: a pull with nothing to do takes no lock). */
async function sweepDue(ctx: ServerContext, now: string): Promise<boolean> {
  for (const a of await ctx.store.absencesDue(now)) {
    if (a.phase === 'scheduled' || a.endsAt <= now) return true;
    if ((await ctx.store.openThreadsAssignedTo(a.staffId, 1)).length > 0) return true;
  }
  return false;
}

/**
 * Brings coverage up to the server's clock: absences that have ended hand their threads back (first, so a
 * back-to-back absence then takes them over again), absences that have begun hand over the clinician's open
 * assigned threads — including any assigned to them, or reopened, since the last sweep. Each move bumps the
 * thread's version (a 'thread' change every console pulls) and writes one server audit event. Returns the number
 * of threads moved. Runs in its own transaction (or the caller's).
 */
export async function sweepCoverage(ctx: ServerContext): Promise<number> {
  const now = ctx.nowIso();
  if (!(await sweepDue(ctx, now))) return 0;
  return ctx.store.transaction(async () => {
    const due = await ctx.store.absencesDue(now);
    let moved = 0;
    for (const a of due.filter((x) => x.endsAt <= now)) moved += await handBack(ctx, a, now);
    for (const a of due.filter((x) => x.endsAt > now)) {
      const fresh = await ctx.store.absence(a.id);
      if (fresh && fresh.phase !== 'ended') moved += await handOver(ctx, fresh, now);
    }
    return moved;
  });
}

/**
 * Runs the sweep every `intervalMs` of wall time (unref'd: never keeps the process alive). Errors are reported
 * by name only. Returns a stop function.
 */
export function startCoverageTimer(
  ctx: ServerContext,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => void {
  if (intervalMs <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepCoverage(ctx)
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
