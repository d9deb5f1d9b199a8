/**
 * Scheduling rules, one copy for the console's local checks and the portal backend's authoritative ones.
 * A provider's working hours and slot grid are wall-clock minutes at the provider's location, read in the
 * location's IANA zone through src-shared/clinic-time.ts (issue 13 §1): a 09:00 slot stays 09:00 across a
 * daylight-saving change, and the day of the change has the slots its wall clock has.
 */
import type {
  AppointmentRecord,
  AppointmentStatus,
  LocationRecord,
  ProviderRecord,
  VisitTypeRecord,
} from './domain';
import { SLOT_HOLDING_STATUSES } from './domain';
import { bookableProblem, type ProviderAvailability } from './availability';
import { instantAtLocal, instantsAtLocal, localDateOf } from './clinic-time';

export { normalizeIso } from './instant';

/** The availability of a provider without a template or exceptions: their default hours every day. */
const NO_AVAILABILITY: ProviderAvailability = { template: null, exceptions: [] };

/** A bookable slot: UTC instants of its start and end, with the local date and wall-clock minute it starts at. */
export interface GridSlot {
  providerId: string;
  /** Local date at the provider's location. */
  date: string;
  /** Wall-clock minute after local midnight at the provider's location. */
  startMinute: number;
  start: string;
  end: string;
}

/**
 * The slot grid of a provider on a local date at the provider's location: slots of `slotMinutes` from the day's
 * start to its end in wall-clock time. A slot whose wall time does not exist that day (skipped by a DST change)
 * is left out; the others keep their wall-clock times.
 */
export function slotGrid(
  provider: Pick<ProviderRecord, 'id' | 'slotMinutes' | 'dayStartMinute' | 'dayEndMinute'>,
  location: Pick<LocationRecord, 'timeZone'>,
  date: string,
): GridSlot[] {
  const out: GridSlot[] = [];
  const { slotMinutes: step, dayStartMinute: open, dayEndMinute: close } = provider;
  const slotSpan = (m: number) =>
    [instantAtLocal(date, m, location.timeZone), instantAtLocal(date, m + step, location.timeZone)] as const;
  for (let m = open; m + step <= close; m += step) {
    // A wall time repeated at a fall-back change is served as both of its occurrences (issue 13), each running
    // the slot's elapsed length from its instant.
    const repeated = instantsAtLocal(date, m, location.timeZone);
    const starts =
      repeated.length === 2 ? repeated.map((s) => [s, s + step * 60_000] as const) : [slotSpan(m)];
    for (const [s, e] of starts) {
      if (s === null || e === null || e <= s) continue;
      out.push({
        providerId: provider.id,
        date,
        startMinute: m,
        start: new Date(s).toISOString(),
        end: new Date(e).toISOString(),
      });
    }
  }
  if (out.some((slot, i) => i > 0 && slot.start < out[i - 1]!.start))
    out.sort((a, b) => (a.start < b.start ? -1 : 1));
  return out;
}

/**
 * Why [start, end) (UTC instants) is not bookable with this provider, or null when it starts and ends on the
 * provider's slot grid, within working hours, on one local day at the provider's location. This is
 * `bookableProblem` (src-shared/availability.ts) for a provider with no template and no exceptions: one copy of
 * each check.
 */
export function slotProblem(
  provider: ProviderRecord,
  location: Pick<LocationRecord, 'timeZone'>,
  start: string,
  end: string,
): string | null {
  return bookableProblem(provider, location, NO_AVAILABILITY, start, end);
}

/** The clinic's clock as the guardrails need it (issue 13 §6): an instant, the location's zone, its walk-in allowance. */
export interface ClinicClock {
  /** The instant the change is judged at (epoch ms): the console's clock, or on the server the change's time. */
  nowMs: number;
  timeZone: string;
  /** A slot that started up to this many minutes ago today may still be booked (walk-ins). */
  walkInMinutes: number;
}

/**
 * Why a visit starting at `start` may not be booked or moved there now, or null: no booking in the past, except
 * a slot that started at most `walkInMinutes` ago on the clinic's today (issue 13 §6).
 */
export function pastBookingProblem(start: string, at: ClinicClock): string | null {
  const s = Date.parse(start);
  if (s >= at.nowMs) return null;
  const sameDay = localDateOf(s, at.timeZone) === localDateOf(at.nowMs, at.timeZone);
  if (sameDay && at.nowMs - s <= at.walkInMinutes * 60_000) return null;
  return at.walkInMinutes > 0
    ? `This time has passed: only a slot that started in the last ${at.walkInMinutes} minutes can be booked, for a walk-in today.`
    : 'This time has passed.';
}

/**
 * Slot-holding visits of the same patient overlapping [start, end) (issue 13 §6: booking a patient who already
 * has an overlapping visit warns and needs a reason).
 */
export function patientOverlaps<T extends Pick<AppointmentRecord, 'id' | 'start' | 'end' | 'status'>>(
  visits: readonly T[],
  start: string,
  end: string,
  exceptId: string | null = null,
): T[] {
  const s = Date.parse(start);
  const e = Date.parse(end);
  return visits.filter(
    (v) =>
      v.id !== exceptId &&
      SLOT_HOLDING_STATUSES.includes(v.status) &&
      Date.parse(v.start) < e &&
      s < Date.parse(v.end),
  );
}

/** The message when an overlapping visit exists and no reason was given. */
export const OVERLAP_NEEDS_REASON =
  'This patient already has a visit at that time: give a reason to book the second one.';

/**
 * Appointment.status transitions the console's operations may make: the visit flow booked → checked-in
 * (arrived) → roomed → fulfilled (completed), plus no-show and cancelled (issue 13 §6; FHIR R4 Appointment.status,
 * with 'roomed' added). `undo` takes back a check-in or a no-show.
 */
export const TRANSITIONS = {
  cancel: { from: ['proposed', 'pending', 'booked', 'waitlist'], to: 'cancelled' },
  checkIn: { from: ['booked'], to: 'checked-in' },
  room: { from: ['checked-in', 'arrived'], to: 'roomed' },
  complete: { from: ['checked-in', 'arrived', 'roomed'], to: 'fulfilled' },
  noShow: { from: ['proposed', 'pending', 'booked'], to: 'noshow' },
  undo: { from: ['checked-in', 'arrived', 'noshow'], to: 'booked' },
  reschedule: { from: ['proposed', 'pending', 'booked'], to: null },
} as const satisfies Record<string, { from: readonly AppointmentStatus[]; to: AppointmentStatus | null }>;

export type TransitionOp = keyof typeof TRANSITIONS;

export function transitionProblem(
  appointment: Pick<AppointmentRecord, 'status'>,
  op: TransitionOp,
): string | null {
  const allowed: readonly AppointmentStatus[] = TRANSITIONS[op].from;
  if (allowed.includes(appointment.status)) return null;
  const verb = {
    cancel: 'cancelled',
    checkIn: 'checked in',
    room: 'roomed',
    complete: 'completed',
    noShow: 'marked as no-show',
    undo: 'taken back to booked',
    reschedule: 'rescheduled',
  }[op];
  return `An appointment that is ${appointment.status} cannot be ${verb}.`;
}

/**
 * Why `op` may not be applied to the visit now, or null: the status flow (TRANSITIONS) plus the clock rules of
 * issue 13 §6 — check-in only on the visit's day (clinic-local), no-show only after the visit's start, an undo of
 * a check-in or no-show only on the visit's day.
 */
export function statusProblem(
  appointment: Pick<AppointmentRecord, 'status' | 'start'>,
  op: Exclude<TransitionOp, 'reschedule'>,
  at: ClinicClock,
): string | null {
  const flow = transitionProblem(appointment, op);
  if (flow) return flow;
  const visitDay = localDateOf(appointment.start, at.timeZone);
  const today = localDateOf(at.nowMs, at.timeZone);
  if (op === 'checkIn' && visitDay !== today)
    return 'A patient can only be checked in on the day of the visit.';
  if (op === 'noShow' && at.nowMs < Date.parse(appointment.start))
    return 'A no-show can only be marked after the visit has started.';
  if (op === 'undo' && visitDay !== today)
    return 'A check-in or no-show can only be undone on the day of the visit.';
  return null;
}

/**
 * Why booking [start, end) with `providerId` as `visitType` is wrong, or null (issue 13 §3): the provider must
 * offer the type, and the span must be the type's length.
 */
export function visitTypeProblem(
  visitType: Pick<VisitTypeRecord, 'name' | 'minutes' | 'providerIds'>,
  providerId: string,
  start: string,
  end: string,
): string | null {
  if (!visitType.providerIds.includes(providerId))
    return `This provider does not offer ${visitType.name} visits.`;
  if (Date.parse(end) - Date.parse(start) !== visitType.minutes * 60_000)
    return `A ${visitType.name} visit takes ${visitType.minutes} minutes.`;
  return null;
}

// session 4, 13c: availability (weekly templates, exceptions) and the next-free-slot finder (issue 13 §3, §5).
export {
  bookableProblem,
  dayPlan,
  nextFreeSlots,
  planSlots,
  type DayPlan,
  type FreeSlot,
  type OffBlock,
  type PlanSlot,
  type ProviderAvailability,
} from './availability';
