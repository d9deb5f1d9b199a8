/**
 * The server's side of the scheduling rules (issue 13a): it loads what the shared rules need (the provider's
 * location and its IANA zone) and asks src-shared/schedule-rules.ts, the one copy the console also runs.
 */
import type { LocationRecord, ProviderRecord } from '../../src-shared/domain';
import { slotProblem } from '../../src-shared/schedule-rules';
import type { ServerStore } from '../db/types';

/** The provider's location; a provider whose location is missing is read in UTC (the pre-location meaning). */
export async function locationOf(store: ServerStore, provider: ProviderRecord): Promise<LocationRecord> {
  return (
    (await store.location(provider.locationId)) ?? {
      id: provider.locationId,
      name: provider.locationId,
      timeZone: 'UTC',
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
