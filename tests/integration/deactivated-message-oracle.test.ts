/**
 * review 8, failed before the fix (U9, LOW): the console said "This account has been deactivated" to anyone who
 * typed a deactivated username, whatever password and code they typed (AuthService.signIn's online refusal and
 * refuseDeactivated offline, both before any credential was checked): an account-status oracle at an unattended
 * front desk, which the backend itself does not give (it answers one 401 for every refusal). Expected: the same
 * words as any wrong credential unless the password was right. Real backend on loopback, SQLCipher stores,
 * keychain.
 */
import { describe, expect, it } from 'vitest';
import { setStaffActive } from '../helpers/staff-admin';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const desk = useSyncedConsoles(['reception1', 'admin1'] as const, { console: { autoStart: false } });

describe('a deactivated username typed with a wrong password', () => {
  it('gets the same answer as any wrong credential, online and offline', async () => {
    const [front, admin] = desk.consoles;
    await setStaffActive(desk.portal, admin, 'stf-clinician1', false, { pulledBy: front });
    await front.ok('auth.signOut');
    const online = await front.signIn('clinician1', 'not-the-password');
    expect(online.ok ? null : online.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Wrong username, password or code.',
    });
    await desk.portal.stop();
    try {
      const offline = await front.signIn('clinician1', 'not-the-password');
      expect(offline.ok ? null : offline.error.message).not.toBe(
        'This account has been deactivated: ask the clinic admin.',
      );
      // The words of any wrong password offline.
      expect(offline.ok ? null : offline.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Wrong username or password.',
      });
    } finally {
      await desk.portal.restart();
    }
  });
});
