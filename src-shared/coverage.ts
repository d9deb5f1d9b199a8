/**
 * Coverage (issue 14 §3): a clinician's absence with a covering colleague. While the absence is active the
 * server hands the clinician's open assigned threads (and any assigned to them meanwhile) to the colleague, and
 * hands them back when it ends. The server is the authority (server/triage/coverage.ts); consoles see the moves by sync.
 *
 * An absence is a range of the clinic's local days (inclusive), read in the IANA zone of the absent clinician's
 * location (their provider's location; else the clinic's first location; else UTC): it runs from local midnight
 * of `startDate` to local midnight after `endDate`, so it follows the clinic's wall clock across DST changes.
 *
 * Rules written once, for the console's form and the server's check (which is the one that counts):
 * - a clinician marks their own absence; an admin may mark one for any clinician;
 * - the covering colleague is another active clinician (clinicians work every pool: src-shared/triage.ts);
 * - one absence of a person may not overlap another of theirs, and the colleague may not be away then;
 * - at most ABSENCE_MAX_DAYS days, ending no earlier than today.
 *
 * Hand-back (decided, documented in README "Coverage"): a thread still assigned to the colleague goes back to the
 * clinician, open or not yet closed; one the colleague closed stays closed with the colleague; one the
 * colleague (or anyone) re-assigned to a third person stays where it is.
 */
import { z } from 'zod';
import { addLocalDays, dayStartMs, LocalDate } from './clinic-time';
import { IsoTime, TimeZoneName, type Role } from './domain';

const id = z.string().min(1).max(64);
/** A clinic-local calendar date, YYYY-MM-DD, that exists (src-shared/clinic-time.ts). */
export { LocalDate };

/** The longest absence one record may cover (days). Longer leave is marked in several pieces. */
export const ABSENCE_MAX_DAYS = 366;

/**
 * Where an absence is in its life, as the server's clock saw it at its last coverage sweep: `scheduled` (not
 * started), `active` (threads handed over), `ended` (handed back; an absence ended early is `ended` too).
 */
export const ABSENCE_PHASES = ['scheduled', 'active', 'ended'] as const;
export const AbsencePhase = z.enum(ABSENCE_PHASES);
export type AbsencePhase = z.infer<typeof AbsencePhase>;

/** An absence as the server holds it and syncs it (entity 'absence'). Instants are UTC ISO. */
export const AbsenceRecord = z.strictObject({
  id,
  /** The absent clinician (staff id). */
  staffId: id,
  /** The covering colleague (staff id, a clinician). */
  coverId: id,
  /** First and last local day away (inclusive), in `timeZone`. */
  startDate: LocalDate,
  endDate: LocalDate,
  timeZone: TimeZoneName,
  /** Local midnight of startDate and the local midnight after endDate, as UTC instants. */
  startsAt: IsoTime,
  endsAt: IsoTime,
  phase: AbsencePhase,
  /** Who marked it (the clinician, or an admin for them). */
  createdBy: id,
  version: z.number().int().nonnegative(),
});
export type AbsenceRecord = z.infer<typeof AbsenceRecord>;

/** PUT /coverage/absences/:absenceId (and the console's coverage.set): mark an absence. */
export const AbsenceRequest = z.strictObject({
  staffId: id,
  coverId: id,
  startDate: LocalDate,
  endDate: LocalDate,
});
export type AbsenceRequest = z.infer<typeof AbsenceRequest>;
export const AbsenceResponse = z.strictObject({ absence: AbsenceRecord });

/**
 * The instants an absence of local days [startDate, endDate] runs between at `timeZone` (epoch ms):
 * [local midnight of startDate, local midnight of endDate + 1). Throws RangeError for a date that does not exist.
 */
export function absenceWindow(
  startDate: string,
  endDate: string,
  timeZone: string,
): { startsAt: string; endsAt: string } {
  return {
    startsAt: new Date(dayStartMs(startDate, timeZone)).toISOString(),
    endsAt: new Date(dayStartMs(addLocalDays(endDate, 1), timeZone)).toISOString(),
  };
}

/** Who an absence's rules look at: the person marking it, the absent one, the colleague (null: unknown id). */
export interface AbsenceParties {
  actor: { id: string; role: Role };
  absent: { id: string; role: Role; active: boolean } | null;
  cover: { id: string; role: Role; active: boolean } | null;
}

/**
 * Why this absence may not be marked, or null. Checks roles and dates only; overlaps need the stored absences
 * (absenceOverlapProblem). `todayLocal` is the clinic's today at the absence's zone.
 */
export function absenceProblem(
  request: AbsenceRequest,
  parties: AbsenceParties,
  todayLocal: string,
): string | null {
  const { actor, absent, cover } = parties;
  if (actor.role !== 'admin' && actor.id !== request.staffId)
    return 'Only an admin can mark an absence for someone else.';
  if (!absent || absent.role !== 'clinician') return 'Only a clinician’s absence can be covered.';
  if (!cover || !cover.active || cover.role !== 'clinician')
    return 'The covering colleague must be an active clinician.';
  if (cover.id === absent.id) return 'Choose a colleague other than the absent clinician.';
  if (request.endDate < request.startDate) return 'The last day away is before the first.';
  if (request.endDate < todayLocal) return 'This absence is already over.';
  const days = Math.round(
    (Date.parse(`${request.endDate}T00:00:00Z`) - Date.parse(`${request.startDate}T00:00:00Z`)) / 86_400_000,
  );
  if (days + 1 > ABSENCE_MAX_DAYS) return `An absence covers at most ${ABSENCE_MAX_DAYS} days.`;
  return null;
}

/**
 * Why the absence `[startsAt, endsAt)` of `staffId` covered by `coverId` clashes with other absences not yet
 * ended, or null: the same person away twice at once, or a colleague who is away then (or covering while away).
 */
export function absenceOverlapProblem(
  candidate: Pick<AbsenceRecord, 'id' | 'staffId' | 'coverId' | 'startsAt' | 'endsAt'>,
  others: readonly Pick<AbsenceRecord, 'id' | 'staffId' | 'coverId' | 'startsAt' | 'endsAt' | 'phase'>[],
): string | null {
  for (const o of others) {
    if (o.id === candidate.id || o.phase === 'ended') continue;
    const overlaps = o.startsAt < candidate.endsAt && candidate.startsAt < o.endsAt;
    if (!overlaps) continue;
    if (o.staffId === candidate.staffId)
      return 'This clinician is already marked away for part of that time.';
    if (o.staffId === candidate.coverId) return 'The covering colleague is away for part of that time.';
    if (o.coverId === candidate.staffId)
      return 'This clinician covers for a colleague for part of that time: change that cover first.';
  }
  return null;
}

/** Field names of the server audit event of each coverage move (FHIR AuditEvent: what changed and why). */
/**
 * The refusal of ending an absence that has already ended (server: HTTP 409; console: CONFLICT). Review, session 6:
 * an end that cannot happen is refused, never recorded as a change.
 */
export const ABSENCE_ALREADY_ENDED = 'This absence has already ended.';

export const COVERAGE_HAND_OVER_FIELDS = ['assigneeId', 'coverage.hand-over'] as const;
export const COVERAGE_HAND_BACK_FIELDS = ['assigneeId', 'coverage.hand-back'] as const;

/**
 * How a thread handed over came out at the hand-back (server coverage_moves.outcome). 'kept-inactive': the absent
 * clinician was deactivated meanwhile, so the open thread stayed with the cover (review 8).
 */
export type CoverageMoveOutcome = 'returned' | 'kept-closed' | 'kept-reassigned' | 'kept-inactive' | 'gone';

/** An absence as the console lists it (coverage.list): the record plus the names a person reads. */
export const AbsenceView = AbsenceRecord.extend({
  staffName: z.string(),
  coverName: z.string(),
});
export type AbsenceView = z.infer<typeof AbsenceView>;
