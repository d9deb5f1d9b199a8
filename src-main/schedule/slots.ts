import { SLOT_HOLDING_STATUSES, type AppointmentStatus } from '../../src-shared/domain';

export { slotProblem, transitionProblem } from '../../src-shared/schedule-rules';

export function holdsSlot(status: AppointmentStatus): boolean {
  return SLOT_HOLDING_STATUSES.includes(status);
}

export function overlaps(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);
}
