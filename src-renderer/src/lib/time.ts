/** Times are shown in UTC, as the portal backend and the schedule grid use them. */

const pad = (n: number): string => String(n).padStart(2, '0');

/** "09:30" for an ISO instant, in UTC. */
export function hhmm(iso: string | number): string {
  const d = new Date(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "09:30" for minutes after midnight. */
export function minuteLabel(minute: number): string {
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const WEEKDAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Mon 23 Nov" for a YYYY-MM-DD day or an ISO instant (UTC). */
export function dayLabel(dayOrIso: string): string {
  const d = new Date(dayOrIso.length === 10 ? `${dayOrIso}T00:00:00.000Z` : dayOrIso);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** "Monday 23 November 2026" */
export function longDayLabel(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  const month = d.toLocaleString('en', { month: 'long', timeZone: 'UTC' });
  return `${WEEKDAYS_LONG[d.getUTCDay()]} ${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`;
}

/** "23 Nov 2026, 09:30 UTC" */
export function dateTimeLabel(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hhmm(iso)} UTC`;
}

/** "09:30" today, else "23 Nov" (UTC): compact times for lists. */
export function shortWhen(iso: string, now = Date.now()): string {
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? hhmm(iso) : dayLabel(iso).slice(4);
}

/** Today's day (UTC) as YYYY-MM-DD. */
export function todayUtc(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Monday of the week holding `day` (UTC). */
export function mondayOf(day: string): string {
  const dow = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return addDays(day, -((dow + 6) % 7));
}

/** ISO instant of a minute of a day (UTC). */
export function instantOf(day: string, minute: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + minute * 60_000).toISOString();
}

/** Minutes after midnight (UTC) of an ISO instant. */
export function minuteOfDay(iso: string): number {
  const d = new Date(iso);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
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
