/**
 * Scheduling rules, one copy for the console's local checks and the portal backend's authoritative ones.
 * A provider's working hours and slot grid are wall-clock minutes at the provider's location, read in the
 * location's IANA zone through src-shared/clinic-time.ts (issue 13 §1): a 09:00 slot stays 09:00 across a
 * daylight-saving change, and the day of the change has the slots its wall clock has.
 */
import type { AppointmentRecord, AppointmentStatus, LocationRecord, ProviderRecord } from './domain';
import { instantAtLocal, localDateOf, localMinuteOf, minuteLabel } from './clinic-time';

export { normalizeIso } from './instant';

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
  for (let m = open; m + step <= close; m += step) {
    const s = instantAtLocal(date, m, location.timeZone);
    const e = instantAtLocal(date, m + step, location.timeZone);
    if (s === null || e === null || e <= s) continue;
    out.push({
      providerId: provider.id,
      date,
      startMinute: m,
      start: new Date(s).toISOString(),
      end: new Date(e).toISOString(),
    });
  }
  return out;
}

/**
 * Why [start, end) (UTC instants) is not bookable with this provider, or null when it starts and ends on the
 * provider's slot grid, within working hours, on one local day at the provider's location.
 */
export function slotProblem(
  provider: ProviderRecord,
  location: Pick<LocationRecord, 'timeZone'>,
  start: string,
  end: string,
): string | null {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (!Number.isFinite(s) || !Number.isFinite(e)) return 'The start or end time is not a real time.';
  if (e <= s) return 'The appointment must end after it starts.';
  const zone = location.timeZone;
  const date = localDateOf(s, zone);
  const endDate = localDateOf(e, zone);
  const { dayStartMinute: open, dayEndMinute: close, slotMinutes: slot } = provider;
  const hours = `${minuteLabel(open)}–${minuteLabel(close)} ${zone}`;
  const startMinute = localMinuteOf(s, zone);
  // An end at local midnight belongs to the day it closes.
  const endMinute = endDate !== date && localMinuteOf(e, zone) === 0 ? 1440 : localMinuteOf(e, zone);
  if (endDate !== date && endMinute !== 1440) return 'The appointment must start and end on the same day.';
  if (startMinute < open || endMinute > close) {
    return `Outside ${provider.name}'s working hours (${hours}).`;
  }
  const onGrid = (minute: number, at: number) =>
    (minute - open) % slot === 0 && instantAtLocal(date, minute, zone) === at;
  if (s % 60_000 !== 0 || e % 60_000 !== 0 || !onGrid(startMinute, s) || !onGrid(endMinute, e)) {
    return `Not on ${provider.name}'s ${slot}-minute slot grid.`;
  }
  return null;
}

/** FHIR Appointment.status transitions the console's operations may make. */
export const TRANSITIONS = {
  cancel: { from: ['proposed', 'pending', 'booked', 'waitlist'], to: 'cancelled' },
  checkIn: { from: ['booked', 'arrived'], to: 'checked-in' },
  noShow: { from: ['proposed', 'pending', 'booked'], to: 'noshow' },
  reschedule: { from: ['proposed', 'pending', 'booked'], to: null },
} as const satisfies Record<string, { from: readonly AppointmentStatus[]; to: AppointmentStatus | null }>;

export function transitionProblem(
  appointment: AppointmentRecord,
  op: keyof typeof TRANSITIONS,
): string | null {
  const allowed: readonly AppointmentStatus[] = TRANSITIONS[op].from;
  if (allowed.includes(appointment.status)) return null;
  const verb = {
    cancel: 'cancelled',
    checkIn: 'checked in',
    noShow: 'marked as no-show',
    reschedule: 'rescheduled',
  }[op];
  return `An appointment that is ${appointment.status} cannot be ${verb}.`;
}
