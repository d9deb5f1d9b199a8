/**
 * "Next free slot" (issue 13 §5): the earliest free starts for a visit type across the providers who offer it and
 * their locations, by local date range and wall-clock time-of-day window. The search itself is
 * src-shared/availability.ts `nextFreeSlots` (templates, exceptions, the slot grid); this gathers what it needs
 * from this PC's store and applies the past-booking guardrail of src-shared/schedule-rules.ts, so every slot
 * offered is one `appointment.book` accepts now.
 */
import { addLocalDays, localDateOf, localDaysRange } from '../../src-shared/clinic-time';
import { SLOT_HOLDING_STATUSES, type LocationRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import {
  nextFreeSlots,
  type FreeSlotSource,
  type FreeSlotView,
  type NextFreeQuery,
} from '../../src-shared/availability';
import { pastBookingProblem } from '../../src-shared/schedule-rules';
import type { z } from 'zod';
import type { Clock } from '../base/adapters';
import type { Store } from '../store/store';
import { providerClosedOnPc } from './availability';

/** A location the server has not sent yet reads as UTC (as ScheduleService.location). */
const locationOf = (store: Store, id: string): LocationRecord =>
  store.locations.byId(id) ?? { id, name: id, timeZone: 'UTC', walkInMinutes: 30, version: 0 };

/**
 * At most `query.limit` free starts, earliest first (ties by provider name). Only days this PC holds whole are
 * searched: its store window keeps the schedule `aheadDays` ahead (DESIGN §4), and beyond it the bookings of other
 * desks are not here, so a slot offered there could already be taken (review 6 D5).
 * @throws ApiError NOT_FOUND for an unknown visit type; VALIDATION when `toDate` is beyond the last day held.
 */
export function findNextFree(
  store: Store,
  clock: Clock,
  query: z.output<typeof NextFreeQuery>,
  aheadDays = 180,
): FreeSlotView[] {
  const visitType = store.visitTypes.byId(query.visitTypeId);
  if (!visitType) throw new ApiError('NOT_FOUND', 'No such visit type.');
  const providers = store.providers.list().filter(
    (p) =>
      visitType.providerIds.includes(p.id) &&
      (query.providerId === undefined || p.id === query.providerId) &&
      (query.locationId === undefined || p.locationId === query.locationId) &&
      // Session 8, sec8 (review 8): never offered once their account is deactivated (no new bookings).
      !providerClosedOnPc(store, p.id),
  );
  const now = clock.now();
  // The last local day held whole at each location: the day before the one the window's end falls in.
  const windowEnd = now + aheadDays * 86_400_000;
  for (const provider of providers) {
    const lastHeld = addLocalDays(
      localDateOf(windowEnd, locationOf(store, provider.locationId).timeZone),
      -1,
    );
    if (query.toDate > lastHeld)
      throw new ApiError(
        'VALIDATION',
        `This PC holds the schedule up to ${lastHeld}: search days up to then (later days are not on this PC).`,
      );
  }
  const sources: FreeSlotSource[] = providers.map((provider) => {
    const location = locationOf(store, provider.locationId);
    const days = Math.round((Date.parse(query.toDate) - Date.parse(query.fromDate)) / 86_400_000) + 1;
    const { from, to } = localDaysRange(query.fromDate, days, location.timeZone);
    return {
      provider,
      location,
      availability: store.availability.of(provider, query.fromDate, query.toDate),
      busy: store.appointments
        .range(from, to, provider.id)
        .filter((a) => SLOT_HOLDING_STATUSES.includes(a.status)),
    };
  });
  const found = nextFreeSlots({
    sources,
    minutes: visitType.minutes,
    fromDate: query.fromDate,
    toDate: query.toDate,
    windowStart: query.windowStart,
    windowEnd: query.windowEnd,
    limit: query.limit,
    addDays: addLocalDays,
    isPast: (start, source) => {
      const location = locationOf(store, source.location.id);
      return (
        pastBookingProblem(start, {
          nowMs: now,
          timeZone: location.timeZone,
          walkInMinutes: location.walkInMinutes,
        }) !== null
      );
    },
  });
  return found.map((f) => {
    const source = sources.find((s) => s.provider.id === f.providerId)!;
    const location = source.location as LocationRecord;
    return {
      ...f,
      providerName: source.provider.name,
      locationName: location.name,
      timeZone: location.timeZone,
    };
  });
}
