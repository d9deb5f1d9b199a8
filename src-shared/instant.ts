/**
 * Instants at the contract (issue 13 §2): every time that crosses the API, the sync protocol or a store is a UTC
 * instant written `YYYY-MM-DDTHH:MM:SS.sssZ`, so text order is time order and equal instants are equal text.
 * An instant given with an offset (`2027-04-11T20:00:00-12:00`) is converted here, once, at the schema.
 */

/**
 * Normalises an ISO-8601 date-time with `Z` or a `±HH:MM` offset to `YYYY-MM-DDTHH:MM:SS.sssZ`, or null when it
 * is not a real instant (no date-time, or a calendar day/time that does not exist such as 2026-02-30).
 */
export function normalizeIso(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  // Date.parse rolls 2026-02-30 over to March; refuse instead of booking a different day. (Date.UTC here only
  // counts the days of a month: no time zone is involved.)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
