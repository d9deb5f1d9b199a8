/**
 * The slot grid of a provider's local day at the clinic location, and which slots are free. The grid itself is
 * src-shared/schedule-rules.ts's `slotGrid` (wall-clock minutes in the location's IANA zone): the same copy the
 * core and the server check bookings against.
 */
import { SLOT_HOLDING_STATUSES } from '../../../../src-shared/domain';
import { slotGrid, type GridSlot } from '../../../../src-shared/schedule-rules';
import type { AppointmentView, ProviderView } from '../../../../src-shared/views';
import { displayZone, localDay } from '../../lib/time';

export interface Slot {
  providerId: string;
  /** Local date at the clinic location. */
  day: string;
  /** Wall-clock minute after local midnight. */
  startMinute: number;
  start: string;
  end: string;
}

export const holdsSlot = (a: AppointmentView): boolean => SLOT_HOLDING_STATUSES.includes(a.status);

const overlaps = (aStart: string, aEnd: string, bStart: string, bEnd: string): boolean =>
  Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);

const toSlot = (s: GridSlot): Slot => ({
  providerId: s.providerId,
  day: s.date,
  startMinute: s.startMinute,
  start: s.start,
  end: s.end,
});

export function slotsOf(provider: ProviderView, day: string, timeZone = displayZone()): Slot[] {
  return slotGrid(provider, { timeZone }, day).map(toSlot);
}

/** Appointments of one provider on one local day. */
export function appointmentsOf(
  all: readonly AppointmentView[],
  providerId: string,
  day: string,
  timeZone = displayZone(),
): AppointmentView[] {
  return all.filter((a) => a.providerId === providerId && localDay(a.start, timeZone) === day);
}

/** Slots with no slot-holding appointment overlapping (optionally ignoring one appointment: the one being moved). */
export function freeSlots(
  provider: ProviderView,
  day: string,
  appointments: readonly AppointmentView[],
  ignoreId?: string,
  timeZone = displayZone(),
): Slot[] {
  const holding = appointments.filter((a) => a.id !== ignoreId && holdsSlot(a));
  return slotsOf(provider, day, timeZone).filter(
    (s) => !holding.some((a) => overlaps(a.start, a.end, s.start, s.end)),
  );
}
