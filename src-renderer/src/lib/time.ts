/**
 * Times on screen are the clinic's wall clock (issue 13a, DESIGN §8): every instant is shown in the IANA zone of
 * the clinic location (`displayZone`, set from the server's clinic profile), with the zone named. The PC's own
 * time zone never enters: all conversions go through src-shared/clinic-time.ts (Temporal polyfill) or Intl with
 * an explicit `timeZone`.
 */
import {
  addLocalDays,
  isoWeekday,
  localDateOf,
  localHhmm,
  localMinuteOf,
  minuteLabel as wallMinuteLabel,
  mondayOfLocal,
  todayAt,
  zoneShortName,
} from '../../../src-shared/clinic-time';

let zone = 'UTC';
let skewMs = 0;

/** Set the zone every time is shown in, and the console's clock relative to this PC's (epoch ms). */
export function setClinicClock(timeZone: string, consoleNowMs: number, pcNowMs = Date.now()): void {
  zone = timeZone;
  skewMs = consoleNowMs - pcNowMs;
}

/** The IANA zone times are shown in (the clinic location's). */
export function displayZone(): string {
  return zone;
}

/** The console's "now" (epoch ms): the core's clock, which tests may set; follows the PC's clock's progress. */
export function clinicNow(): number {
  return Date.now() + skewMs;
}

/** "09:30" wall clock at the clinic location of an ISO instant. */
export function hhmm(iso: string | number, timeZone = zone): string {
  return localHhmm(iso, timeZone);
}

/** "EST" / "EDT" / "GMT+10:30": the zone's name at an instant, shown next to times. */
export function zoneLabel(iso: string | number = clinicNow(), timeZone = zone): string {
  return zoneShortName(iso, timeZone);
}

/** "09:30" for wall-clock minutes after midnight. */
export function minuteLabel(minute: number): string {
  return wallMinuteLabel(minute);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WEEKDAYS_LONG = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const dayOf = (dayOrIso: string, timeZone: string): string =>
  dayOrIso.length === 10 ? dayOrIso : localDateOf(dayOrIso, timeZone);

/** "Mon 23 Nov" for a local YYYY-MM-DD day, or the clinic-local day of an ISO instant. */
export function dayLabel(dayOrIso: string, timeZone = zone): string {
  const day = dayOf(dayOrIso, timeZone);
  return `${WEEKDAYS[isoWeekday(day) - 1]} ${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]}`;
}

/** "Monday 23 November 2026" for a local day. */
export function longDayLabel(day: string): string {
  return `${WEEKDAYS_LONG[isoWeekday(day) - 1]} ${Number(day.slice(8, 10))} ${MONTHS_LONG[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
}

/** "23 Nov 2026, 09:30 EST": clinic-local date and time with the zone named. */
export function dateTimeLabel(iso: string, timeZone = zone): string {
  const day = localDateOf(iso, timeZone);
  return `${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}, ${hhmm(iso, timeZone)} ${zoneLabel(iso, timeZone)}`;
}

/** "09:30" when the instant is on the clinic's today, else "23 Nov": compact times for lists. */
export function shortWhen(iso: string, now = clinicNow()): string {
  return localDateOf(iso, zone) === todayAt(zone, now) ? hhmm(iso) : dayLabel(iso).slice(4);
}

/** The clinic's today (YYYY-MM-DD) at the clinic location, by the console's clock. */
export function clinicToday(now = clinicNow(), timeZone = zone): string {
  return todayAt(timeZone, now);
}

export function addDays(day: string, n: number): string {
  return addLocalDays(day, n);
}

/** Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  return mondayOfLocal(day);
}

/** Wall-clock minutes after local midnight at the clinic location of an ISO instant. */
export function minuteOfDay(iso: string, timeZone = zone): number {
  return localMinuteOf(iso, timeZone);
}

/** The clinic-local day (YYYY-MM-DD) of an ISO instant. */
export function localDay(iso: string, timeZone = zone): string {
  return localDateOf(iso, timeZone);
}

/** "3 h 20 min" for a duration in ms (rounded down to minutes). */
export function durationLabel(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
