/**
 * Times in the admin audit report (issue 13: never UTC on screen): the clinic location's wall clock with the zone
 * named, and clinic-local days for the filters. Exports keep UTC instants.
 */
import { localDaysRange } from '../../../../src-shared/clinic-time';
import { displayZone, hhmm, localDay, zoneLabel } from '../../lib/time';

/** "Time (America/New_York)": the time column names the clinic zone its cells are in. */
export const timeColumnLabel = (zone = displayZone()): string => `Time (${zone})`;

/** "2026-11-23 09:30:05 EST": an instant at the clinic location, the zone's abbreviation named. */
export function localTimeCell(at: string, zone = displayZone()): string {
  return `${localDay(at, zone)} ${hhmm(at, zone)}:${at.slice(17, 19)} ${zoneLabel(at, zone)}`;
}

/** A range of clinic-local days (YYYY-MM-DD, inclusive) as inclusive UTC instants for the report query. */
export function localDayBounds(
  fromDay: string,
  toDay: string,
  zone = displayZone(),
): { from?: string; to?: string } {
  return {
    ...(fromDay ? { from: localDaysRange(fromDay, 1, zone).from } : {}),
    ...(toDay ? { to: new Date(Date.parse(localDaysRange(toDay, 1, zone).to) - 1).toISOString() } : {}),
  };
}
