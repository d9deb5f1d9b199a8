/**
 * The slot grid of a provider's local day at the clinic location, and which slots are free. The grid itself is
 * src-shared/schedule-rules.ts's `slotGrid` (wall-clock minutes in the location's IANA zone): the same copy the
 * core and the server check bookings against.
 */
import { SLOT_HOLDING_STATUSES } from '../../../../src-shared/domain';
import {
  dayPlan,
  pastBookingProblem,
  planSlots,
  type OffBlock,
  type ProviderAvailability,
} from '../../../../src-shared/schedule-rules';
import type { AppointmentView, ProviderView, ScheduleView } from '../../../../src-shared/views';
import { instantAtLocal } from '../../../../src-shared/clinic-time';
import { clinicClock, displayZone, localDay } from '../../lib/time';

export interface Slot {
  providerId: string;
  /** Local date at the clinic location. */
  day: string;
  /** Wall-clock minute after local midnight. */
  startMinute: number;
  start: string;
  end: string;
}

export const holdsSlot = (a: AppointmentView): boolean => SLOT_HOLDING_STATUSES.includes(a.status);

const overlaps = (aStart: string, aEnd: string, bStart: string, bEnd: string): boolean =>
  Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);

/** No template and no exception: the provider's default hours (the meaning before templates). */
const DEFAULT_AVAILABILITY: ProviderAvailability = { template: null, exceptions: [] };

/** A provider's availability in a schedule view (issue 13 §3); the default hours when the view has none. */
export function availabilityIn(view: ScheduleView | null, providerId: string): ProviderAvailability {
  return view?.availability?.find((a) => a.providerId === providerId) ?? DEFAULT_AVAILABILITY;
}

/** The bookable slots of a provider's local day by their template and exceptions (lunch, leave… left out). */
export function slotsOf(
  provider: ProviderView,
  day: string,
  timeZone = displayZone(),
  availability: ProviderAvailability = DEFAULT_AVAILABILITY,
): Slot[] {
  return planSlots(provider, { timeZone }, dayPlan(provider, availability, day))
    .filter((s) => s.off === null)
    .map((s) => ({
      providerId: s.providerId,
      day: s.date,
      startMinute: s.startMinute,
      start: s.start,
      end: s.end,
    }));
}

/** A non-bookable stretch of the day grid (lunch, admin time, leave, holiday), with its UTC instants. */
export interface OffCell extends OffBlock {
  start: string | null;
}

/** What of a provider's local day is not bookable (issue 13 §3), for the day grid to show. */
export function offCells(
  provider: ProviderView,
  day: string,
  availability: ProviderAvailability,
  timeZone = displayZone(),
): OffCell[] {
  const plan = dayPlan(provider, availability, day);
  return plan.off.map((o) => {
    const at = instantAtLocal(day, o.startMinute, timeZone);
    return { ...o, start: at === null ? null : new Date(at).toISOString() };
  });
}

/** Appointments of one provider on one local day. */
export function appointmentsOf(
  all: readonly AppointmentView[],
  providerId: string,
  day: string,
  timeZone = displayZone(),
): AppointmentView[] {
  return all.filter((a) => a.providerId === providerId && localDay(a.start, timeZone) === day);
}

/**
 * Slots with no slot-holding appointment overlapping (optionally ignoring one appointment: the one being moved),
 * inside the provider's working blocks and outside lunch, admin time, leave and holidays (issue 13 §3).
 */
export function freeSlots(
  provider: ProviderView,
  day: string,
  appointments: readonly AppointmentView[],
  // An id alone (the appointment being moved) is the form callers used before availability (session 4, 13c).
  options: string | { ignoreId?: string; availability?: ProviderAvailability; timeZone?: string } = {},
  timeZone = displayZone(),
): Slot[] {
  const o = typeof options === 'string' ? { ignoreId: options } : options;
  const holding = appointments.filter((a) => a.id !== o.ignoreId && holdsSlot(a));
  // No booking in the past, beyond today's walk-in allowance (issue 13 §6; the core and server refuse it too).
  const clock = clinicClock();
  return slotsOf(provider, day, o.timeZone ?? timeZone, o.availability).filter(
    (s) =>
      pastBookingProblem(s.start, clock) === null &&
      !holding.some((a) => overlaps(a.start, a.end, s.start, s.end)),
  );
}
