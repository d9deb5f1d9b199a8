/** The slot grid of a provider's day (UTC), and which slots are free. Mirrors the core's own check. */
import { SLOT_HOLDING_STATUSES } from '../../../../src-shared/domain';
import type { AppointmentView, ProviderView } from '../../../../src-shared/views';
import { instantOf } from '../../lib/time';

export interface Slot {
  providerId: string;
  day: string;
  startMinute: number;
  start: string;
  end: string;
}

export const holdsSlot = (a: AppointmentView): boolean => SLOT_HOLDING_STATUSES.includes(a.status);

const overlaps = (aStart: string, aEnd: string, bStart: string, bEnd: string): boolean =>
  Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);

export function slotsOf(provider: ProviderView, day: string): Slot[] {
  const out: Slot[] = [];
  for (
    let m = provider.dayStartMinute;
    m + provider.slotMinutes <= provider.dayEndMinute;
    m += provider.slotMinutes
  ) {
    out.push({
      providerId: provider.id,
      day,
      startMinute: m,
      start: instantOf(day, m),
      end: instantOf(day, m + provider.slotMinutes),
    });
  }
  return out;
}

/** Appointments of one provider on one day. */
export function appointmentsOf(
  all: readonly AppointmentView[],
  providerId: string,
  day: string,
): AppointmentView[] {
  return all.filter((a) => a.providerId === providerId && a.start.slice(0, 10) === day);
}

/** Slots with no slot-holding appointment overlapping (optionally ignoring one appointment: the one being moved). */
export function freeSlots(
  provider: ProviderView,
  day: string,
  appointments: readonly AppointmentView[],
  ignoreId?: string,
): Slot[] {
  const holding = appointments.filter((a) => a.id !== ignoreId && holdsSlot(a));
  return slotsOf(provider, day).filter((s) => !holding.some((a) => overlaps(a.start, a.end, s.start, s.end)));
}
