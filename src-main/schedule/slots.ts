import { SLOT_HOLDING_STATUSES, type AppointmentStatus, type ProviderRecord } from '../../src-shared/domain';

/**
 * The slot grid of a provider (times are UTC, like the portal backend's): a booking must start on the grid,
 * last a whole number of slots and end within working hours.
 */
export function fitsGrid(provider: ProviderRecord, startIso: string, endIso: string): boolean {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (!(end > start)) return false;
  const startMinute = start.getUTCHours() * 60 + start.getUTCMinutes();
  const lengthMinutes = (end.getTime() - start.getTime()) / 60_000;
  const sameDay = start.toISOString().slice(0, 10) === new Date(end.getTime() - 1).toISOString().slice(0, 10);
  return (
    sameDay &&
    start.getUTCSeconds() === 0 &&
    start.getUTCMilliseconds() === 0 &&
    startMinute >= provider.dayStartMinute &&
    startMinute + lengthMinutes <= provider.dayEndMinute &&
    (startMinute - provider.dayStartMinute) % provider.slotMinutes === 0 &&
    lengthMinutes % provider.slotMinutes === 0
  );
}

export function holdsSlot(status: AppointmentStatus): boolean {
  return SLOT_HOLDING_STATUSES.includes(status);
}

export function overlaps(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);
}

/** FHIR status changes the front desk may make, by operation. */
export const ALLOWED_FROM: Record<
  'cancel' | 'checkIn' | 'noShow' | 'reschedule',
  readonly AppointmentStatus[]
> = {
  cancel: ['proposed', 'pending', 'booked', 'waitlist', 'arrived', 'checked-in'],
  checkIn: ['booked'],
  noShow: ['booked'],
  reschedule: ['proposed', 'pending', 'booked', 'waitlist'],
};
