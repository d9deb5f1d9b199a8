/**
 * Scheduling rules, one copy for the console's local checks and the portal backend's authoritative ones. Times are UTC: a provider's
 * working hours (minutes after midnight) are read as UTC minutes (documented in server/API.md).
 */
import type { AppointmentRecord, AppointmentStatus, ProviderRecord } from './domain';

const DAY_MS = 86_400_000;

/** Normalises an ISO instant to `YYYY-MM-DDTHH:MM:SS.sssZ`, or null when it is not a real instant. */
export function normalizeIso(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  // Date.parse rolls 2026-02-30 over to March; refuse instead of booking a different day.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Why [start, end) is not bookable with this provider, or null when it lies on the slot grid in working hours. */
export function slotProblem(provider: ProviderRecord, start: string, end: string): string | null {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (e <= s) return 'The appointment must end after it starts.';
  const day = Math.floor(s / DAY_MS) * DAY_MS;
  if (e - day > DAY_MS) return 'The appointment must start and end on the same day.';
  const startMinute = (s - day) / 60_000;
  const endMinute = (e - day) / 60_000;
  const { dayStartMinute: open, dayEndMinute: close, slotMinutes: slot } = provider;
  if (startMinute < open || endMinute > close) {
    return `Outside ${provider.name}'s working hours (${hhmm(open)}–${hhmm(close)} UTC).`;
  }
  if (
    !Number.isInteger(startMinute) ||
    !Number.isInteger(endMinute) ||
    (startMinute - open) % slot !== 0 ||
    (endMinute - open) % slot !== 0
  ) {
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
