/**
 * Review 7 U9 (confirmed by this test, which failed before the fix; the kind of R6): an admin deactivating a staff
 * account on the backend reached no console, so the person went on signing in offline with the PC's verifier
 * until the grace period ended, and a running session carried on reading from the local store. Now the
 * deactivation is pulled by every console: the person's running session ends (audited sign-out), the PC drops
 * their kept verifier, an offline sign-in is refused with a clear typed error (audited as a failed sign-in), and
 * after a reactivation an online sign-in works again, and offline ones after it (DESIGN §5, §6).
 * Real backend on loopback, SQLCipher stores, keychain and router; expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo, ThreadPage } from '../../src-shared/views';
import type { TestConsole } from '../helpers/console-harness';
import { setStaffActive } from '../helpers/staff-admin';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// The clinician's PC and an admin's PC, each signed in and synced once; sync runs when a test asks.
const desk = useSyncedConsoles(['clinician1', 'admin1'] as const, { console: { autoStart: false } });

const setActive = (admin: TestConsole, staffId: string, active: boolean) =>
  setStaffActive(desk.portal, admin, staffId, active);

const failedSignIns = (c: TestConsole, staffId: string) =>
  [...c.core.store.audit.iterate()].filter((e) => e.action === 'failed-sign-in' && e.staff_id === staffId)
    .length;

describe('a staff account deactivated on the backend', () => {
  it('ends the running session, drops the verifier and refuses offline sign-in until reactivated', async () => {
    const [clinic, admin] = desk.consoles;
    const page = await clinic.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      poolId: 'clinical',
      offset: 0,
      limit: 5,
    });
    const threadId = page.threads[0]!.id;
    expect((await clinic.call('thread.get', { threadId })).ok).toBe(true);
    expect(clinic.core.store.staff.credential('clinician1')?.verifier).toBeTruthy();

    await setStaffActive(desk.portal, admin, 'stf-clinician1', false, { pulledBy: clinic });

    // The running session has ended: no more reads from the local store.
    const info = await clinic.ok<SessionInfo>('session.status', {});
    expect(info.state).toBe('signed-out');
    const after = await clinic.call('thread.get', { threadId });
    expect(after.ok ? null : after.error.code).toBe('UNAUTHENTICATED');
    const ended = [...clinic.core.store.audit.iterate()].filter(
      (e) => e.action === 'sign-out' && e.staff_id === 'stf-clinician1',
    );
    expect(ended.map((e) => JSON.parse(e.fields) as string[])).toEqual([['deactivated']]);
    // The PC keeps no verifier of a deactivated account.
    expect(clinic.core.store.staff.credential('clinician1')?.verifier ?? null).toBeNull();

    // Offline (backend down): refused and recorded as a failed sign-in. With no verifier the password cannot be
    // proven right, so the words are those of a wrong password (review 8: no account-status oracle).
    await desk.portal.stop();
    const before = failedSignIns(clinic, 'stf-clinician1');
    const offline = await clinic.signIn('clinician1');
    expect(offline.ok ? null : offline.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Wrong username or password.',
    });
    expect(failedSignIns(clinic, 'stf-clinician1')).toBe(before + 1);
    await desk.portal.restart();

    // Online, the backend refuses too (its one 401 for every refusal), until an admin reactivates the account.
    const online = await clinic.signIn('clinician1');
    expect(online.ok ? null : online.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Wrong username, password or code.',
    });
    await setActive(admin, 'stf-clinician1', true);
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
    expect(clinic.core.store.staff.byId('stf-clinician1')?.active).toBe(true);
    await clinic.ok('auth.signOut');
    await desk.portal.stop();
    const back = await clinic.signIn('clinician1');
    expect(back.ok).toBe(true);
    expect((await clinic.ok<SessionInfo>('session.status', {})).offline).toBe(true);
    await desk.portal.restart();
  });

  it('reaches a session that is locked at the time too', async () => {
    const [clinic, admin] = desk.consoles;
    await clinic.ok('sync.now');
    if ((await clinic.ok<SessionInfo>('session.status', {})).state === 'signed-out')
      expect((await clinic.signIn('clinician1')).ok).toBe(true);
    await clinic.ok('auth.lock');
    await setActive(admin, 'stf-clinician1', false);
    // Sync keeps running while locked (DESIGN §6); the router refuses 'sync.now' then.
    await clinic.core.sync().syncNow();
    expect((await clinic.ok<SessionInfo>('session.status', {})).state).toBe('signed-out');
    // The password no longer unlocks anything.
    const unlock = await clinic.call('auth.unlock', { password: 'whatever-was-typed' });
    expect(unlock.ok ? null : unlock.error.code).toBe('UNAUTHENTICATED');
    await setActive(admin, 'stf-clinician1', true);
  });
});
