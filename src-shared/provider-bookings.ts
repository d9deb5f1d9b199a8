/**
 * Session 8, sec8 (review 8, unconfirmed suspicion 2): a provider whose staff account an admin deactivated takes
 * no new bookings. Their visits already booked stay (the clinic calls those patients and moves or cancels them, a
 * person's decision; nothing is cancelled behind their backs), and check-in, cancel and no-show on them still
 * work; but no desk, no portal patient and no "next free slot" search may book them again, nor move a visit to
 * them or to another time with them. One rule for the console (src-main/schedule) and the backend
 * (server/schedule/bookable.ts), which repeats it for every booking it accepts (DESIGN §5, trust on the server).
 */
import type { StaffRecord } from './domain';

/** Shown to the desk and the portal patient; names no one. */
export const PROVIDER_CLOSED_MESSAGE =
  'This provider is no longer taking bookings. Please choose another provider.';

/**
 * True when the provider takes no new bookings: at least one staff account is linked to them (`providerId`) and
 * every linked account is deactivated. A provider no account is linked to (a visiting doctor without a login)
 * takes bookings; an account without `active` (an older backend's record) counts as active.
 */
export function providerClosed(linkedStaff: readonly Pick<StaffRecord, 'active'>[]): boolean {
  return linkedStaff.length > 0 && linkedStaff.every((s) => s.active === false);
}
