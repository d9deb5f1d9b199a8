/**
 * Set-up of the console tests of a deactivated provider (session 9, s9dup: provider-deactivated-console and
 * series-refuses-deactivated-provider wrote it twice): a front desk and an admin's console on one portal, the
 * clinician who is provider prv-001 deactivated or reactivated by the admin and pulled by the desk, and the
 * next-free query both tests ask.
 */
import { TEST_TODAY } from './console-harness';
import { setStaffActive } from './staff-admin';
import { type SyncedConsoles, useSyncedConsoles } from './synced-consoles';

/**
 * The console's refusal of a booking with a deactivated provider (src-shared/provider-bookings.ts), written here
 * by hand so a changed message fails the tests.
 */
export const PROVIDER_CLOSED = 'This provider is no longer taking bookings. Please choose another provider.';

/** The local date (YYYY-MM-DD) `n` days after the harness's today (the demo clinic is in UTC). */
export const dayFromToday = (n: number): string =>
  new Date(Date.parse(TEST_TODAY) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * `schedule.nextFree` input: new-patient visits a week to 11 days ahead, starting at 10:00 only (minutes after
 * local midnight), so each provider has one start a day and all of them fit in one answer.
 */
export const NEW_PATIENT_AT_TEN = {
  visitTypeId: 'vt-new-patient',
  fromDate: dayFromToday(7),
  toDate: dayFromToday(11),
  windowStart: 600,
  windowEnd: 601,
  limit: 50,
} as const;

export type DeactivationDesks = SyncedConsoles<readonly ['reception1', 'admin1']>;

/**
 * Registers the hooks that open a portal, a front desk signed in as reception1 and an admin's console signed in
 * as admin1 (each synced once, sync engines not started); `consoles` is `[front, admin]`.
 */
export function useDeactivationDesks(): DeactivationDesks {
  return useSyncedConsoles(['reception1', 'admin1'] as const, { console: { autoStart: false } });
}

/**
 * The admin sets clinician1 (provider prv-001) active or not on the backend (`PUT /admin/staff/:id/active`,
 * must answer 200), then the front desk, touched as a person at it would be, pulls the change (`sync.now` must
 * succeed).
 */
export async function setProviderActive(desks: DeactivationDesks, active: boolean): Promise<void> {
  const [front, admin] = desks.consoles;
  await setStaffActive(desks.portal, admin, 'stf-clinician1', active);
  front.idle.touch();
  await front.ok('sync.now');
}
