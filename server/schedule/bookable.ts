/**
 * The server's side of the scheduling rules (issue 13a): it loads what the shared rules need (the provider's
 * location and its IANA zone) and asks src-shared/schedule-rules.ts, the one copy the console also runs.
 */
import type { LocationRecord, ProviderRecord } from '../../src-shared/domain';
import { slotProblem, type ClinicClock } from '../../src-shared/schedule-rules';
import type { ServerContext } from '../context';
import type { ServerStore } from '../db/types';

/** The provider's location; a provider whose location is missing is read in UTC (the pre-location meaning). */
export async function locationOf(store: ServerStore, provider: ProviderRecord): Promise<LocationRecord> {
  return (
    (await store.location(provider.locationId)) ?? {
      id: provider.locationId,
      name: provider.locationId,
      timeZone: 'UTC',
      walkInMinutes: 30,
      version: 0,
    }
  );
}

/** Why [start, end) (normalised UTC instants) is off the provider's wall-clock slot grid, or null. */
export async function gridProblem(
  store: ServerStore,
  provider: ProviderRecord,
  start: string,
  end: string,
): Promise<string | null> {
  return slotProblem(provider, await locationOf(store, provider), start, end);
}

/**
 * The clinic clock a pushed change is judged at (issue 13a): the time the console made it (so a check-in made
 * offline on the visit's day still counts when it syncs the next morning), but never earlier than the offline
 * grace period allows and never later than the server's now (a console's clock is not trusted beyond that).
 */
export function clinicClockFor(ctx: ServerContext, location: LocationRecord, createdAt: string): ClinicClock {
  const now = ctx.now();
  const made = Date.parse(createdAt);
  const nowMs = Number.isFinite(made) ? Math.min(now, Math.max(made, now - ctx.offlineGraceMs)) : now;
  return { nowMs, timeZone: location.timeZone, walkInMinutes: location.walkInMinutes };
}
