/**
 * The server's side of the scheduling rules (issue 13a): it loads what the shared rules need (the provider's
 * location and its IANA zone) and asks src-shared/schedule-rules.ts, the one copy the console also runs.
 */
import type { LocationRecord, ProviderRecord } from '../../src-shared/domain';
import {
  bookableProblem,
  type ClinicClock,
  type ProviderAvailability,
} from '../../src-shared/schedule-rules';
import { localDateOf } from '../../src-shared/clinic-time';
import { PROVIDER_CLOSED_MESSAGE, providerClosed } from '../../src-shared/provider-bookings';
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

/**
 * The provider's availability on the local date `date` at their location (issue 13 §3): their weekly template
 * there and the location's exceptions that day.
 */
export async function availabilityOn(
  store: ServerStore,
  provider: ProviderRecord,
  date: string,
): Promise<ProviderAvailability> {
  return {
    template: await store.availabilityTemplateFor(provider.id, provider.locationId),
    exceptions: await store.availabilityExceptions(provider.locationId, date, date),
  };
}

/**
 * Session 8, sec8 (review 8): PROVIDER_CLOSED_MESSAGE when the provider takes no new bookings (every staff account
 * linked to them is deactivated: src-shared/provider-bookings.ts), else null.
 */
export async function providerClosedProblem(
  store: ServerStore,
  provider: ProviderRecord,
): Promise<string | null> {
  return providerClosed(await store.staffOfProvider(provider.id)) ? PROVIDER_CLOSED_MESSAGE : null;
}

/**
 * Why [start, end) (normalised UTC instants) cannot be booked with the provider, or null: the provider takes no
 * new bookings (providerClosedProblem); off their wall-clock slot grid or working hours, or in lunch, admin time,
 * leave or a holiday (src-shared/availability.ts, the rules the console runs too: a modified console cannot book
 * into lunch). Every booking, move and portal request asks this.
 */
export async function gridProblem(
  store: ServerStore,
  provider: ProviderRecord,
  start: string,
  end: string,
): Promise<string | null> {
  const closed = await providerClosedProblem(store, provider);
  if (closed) return closed;
  const location = await locationOf(store, provider);
  const date = Number.isFinite(Date.parse(start)) ? localDateOf(start, location.timeZone) : '0000-01-01';
  return bookableProblem(provider, location, await availabilityOn(store, provider, date), start, end);
}

/**
 * The clinic clock a pushed change is judged at (issue 13a): the time the console made it (so a check-in made
 * offline on the visit's day still counts when it syncs the next morning), but never later than the server's now
 * (a console's clock is not trusted beyond that) and never earlier than the offline grace period allows, than the
 * PC's enrolment, than this person's first online sign-in on this PC, or than the latest change this PC pushed
 * before: no honest console made a change before those, and an honest console pushes its outbox in the order its
 * changes were made (reviews of issue 13a: a modified console back-dating a fabricated visit, sessions 3 and 4).
 */
export async function judgeClock(
  ctx: ServerContext,
  location: LocationRecord,
  m: { createdAt: string; staffId: string },
  deviceId: string,
): Promise<ClinicClock> {
  const nowMs = await judgedInstant(ctx, m, deviceId);
  return { nowMs, timeZone: location.timeZone, walkInMinutes: location.walkInMinutes };
}

/**
 * The instant (ms) a pushed change counts as made, with the floors and ceiling of judgeClock above; also the
 * start of an emergency-access grant opened while the PC was offline (review 4: its reads are then counted).
 */
export async function judgedInstant(
  ctx: ServerContext,
  m: { createdAt: string; staffId: string },
  deviceId: string,
): Promise<number> {
  const now = ctx.now();
  const floors = [now - ctx.offlineGraceMs];
  const device = await ctx.store.device(deviceId);
  if (device) floors.push(Date.parse(device.createdAt));
  const lastChange = await ctx.store.deviceLastChangeAt(deviceId);
  if (lastChange) floors.push(Date.parse(lastChange));
  const firstAt = await ctx.store.deviceStaffFirstAt(deviceId, m.staffId);
  floors.push(firstAt ? Date.parse(firstAt) : now);
  const floor = Math.max(...floors.filter(Number.isFinite));
  const made = Date.parse(m.createdAt);
  return Number.isFinite(made) ? Math.min(now, Math.max(made, floor)) : now;
}
