/**
 * Availability on this PC (issue 13 §3): what the shared rules (src-shared/availability.ts) need, read from the
 * store as the server last synced it, and the admin's changes, made on the server and applied here at once.
 */
import { localDateOf } from '../../src-shared/clinic-time';
import type { LocationRecord, ProviderRecord } from '../../src-shared/domain';
import { bookableProblem } from '../../src-shared/schedule-rules';
import { PROVIDER_CLOSED_MESSAGE, providerClosed } from '../../src-shared/provider-bookings';
import type { Store } from '../store/store';

/**
 * Session 8, sec8 (review 8): true when the provider takes no new bookings by this PC's data (every staff account
 * linked to them deactivated, as last pulled: src-shared/provider-bookings.ts; the backend repeats it).
 */
export function providerClosedOnPc(store: Store, providerId: string): boolean {
  return providerClosed(store.staff.list().filter((s) => s.providerId === providerId));
}

/**
 * Why [start, end) (normalised UTC instants) cannot be booked with the provider by this PC's data, or null:
 * PROVIDER_CLOSED_MESSAGE when the provider takes no new bookings (providerClosedOnPc; review 9 R9-1: every
 * booking or move asks this, as the backend's gridProblem does, server/schedule/bookable.ts), else the shared
 * grid rules (src-shared/schedule-rules.ts bookableProblem).
 */
export function bookableOnPc(
  store: Store,
  provider: ProviderRecord,
  location: Pick<LocationRecord, 'timeZone'>,
  start: string,
  end: string,
): string | null {
  if (providerClosedOnPc(store, provider.id)) return PROVIDER_CLOSED_MESSAGE;
  const date = Number.isFinite(Date.parse(start)) ? localDateOf(start, location.timeZone) : '0000-01-01';
  return bookableProblem(provider, location, store.availability.of(provider, date, date), start, end);
}
