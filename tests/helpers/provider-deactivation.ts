/**
 * Set-up of the console tests of a deactivated provider (session 9, s9dup: provider-deactivated-console and
 * series-refuses-deactivated-provider wrote it twice): a front desk and an admin's console on one portal, the
 * clinician who is provider prv-001 deactivated or reactivated by the admin and pulled by the desk, and the
 * next-free query both tests ask.
 */
import { TEST_TODAY, type TestConsole, type TestPortal } from './console-harness';
import { setStaffActive } from './staff-admin';
import { useSyncedConsoles } from './synced-consoles';

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

/** What `useDeactivationDesks` opens. Read its fields inside tests and hooks: they throw before its beforeAll ran. */
export interface DeactivationDesks {
  readonly portal: TestPortal;
  /** The front desk, reception1 signed in. */
  readonly front: TestConsole;
  /** The admin's console, admin1 signed in. */
  readonly admin: TestConsole;
  /**
   * The admin sets clinician1 (provider prv-001) active or not on the backend (`PUT /admin/staff/:id/active`, must
   * answer 200), then the front desk, touched as a person at it would be, pulls the change (`sync.now` must
   * succeed).
   */
  setProviderActive(active: boolean): Promise<void>;
}

/**
 * Registers the hooks that open a portal, a front desk signed in as reception1 and an admin's console signed in
 * as admin1 (each synced once, sync engines not started).
 */
export function useDeactivationDesks(): DeactivationDesks {
  const set = useSyncedConsoles(['reception1', 'admin1'] as const, { console: { autoStart: false } });
  return {
    get portal() {
      return set.portal;
    },
    get front() {
      return set.consoles[0];
    },
    get admin() {
      return set.consoles[1];
    },
    async setProviderActive(active: boolean) {
      const [front, admin] = set.consoles;
      await setStaffActive(set.portal, admin, 'stf-clinician1', active);
      front.idle.touch();
      await front.ok('sync.now');
    },
  };
}
