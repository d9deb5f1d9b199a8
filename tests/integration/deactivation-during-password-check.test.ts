/**
 * Review 8 U9 race on the offline sign-in and unlock paths (both cases failed before the fix: they signed in /
 * unlocked a deactivated account; same race as deactivation-during-sign-in.test.ts): a deactivation pulled
 * while the PC checks a password against its offline verifier. The stored record, read after the check, decides:
 * the session is refused (typed UNAUTHENTICATED naming the deactivation, since the password was right), no
 * verifier is kept and a failed sign-in is audited.
 * Real SQLCipher store, keychain, router and backend on loopback. The pull itself is the store write a pull makes
 * (StaffRepo.upsert of the backend's next version), timed by a wrapper of StaffRepo.countFailure, which runs just
 * before the scrypt check: a real pull over HTTP cannot be placed inside that check deterministically.
 */
import { describe, expect, it } from 'vitest';
import { demoStaff } from '../../server/demo/credentials';
import type { SessionInfo } from '../../src-shared/views';
import type { TestConsole } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const desk = useSyncedConsoles(['clinician1'] as const, { console: { autoStart: false } });

const DEACTIVATED = 'This account has been deactivated: ask the clinic admin.';

/** The next password check of `staffId` on `c` is overtaken by a pulled deactivation (version + 1). */
function deactivateDuringNextCheck(c: TestConsole, staffId: string): void {
  const staff = c.core.store.staff;
  const countFailure = staff.countFailure;
  staff.countFailure = (...args: Parameters<typeof countFailure>) => {
    staff.countFailure = countFailure;
    const counted = countFailure.apply(staff, args);
    const record = staff.byId(staffId)!;
    // After this call returns, while the scrypt check is pending.
    queueMicrotask(() => staff.upsert({ ...record, version: record.version + 1, active: false }));
    return counted;
  };
}

/** Undo the local deactivation (the backend never had it) and sign in online again for a fresh verifier. */
async function restore(c: TestConsole, version: number): Promise<void> {
  const record = c.core.store.staff.byId('stf-clinician1')!;
  c.core.store.staff.upsert({ ...record, version, active: true });
  expect((await c.signIn('clinician1')).ok).toBe(true);
}

const failedSignIns = (c: TestConsole) =>
  [...c.core.store.audit.iterate()].filter(
    (e) => e.action === 'failed-sign-in' && e.staff_id === 'stf-clinician1',
  ).length;

describe('a deactivation pulled during the offline password check', () => {
  it('refuses the unlock and ends the locked session', async () => {
    const [clinic] = desk.consoles;
    const version = clinic.core.store.staff.byId('stf-clinician1')!.version;
    await clinic.ok('auth.lock');
    const before = failedSignIns(clinic);
    deactivateDuringNextCheck(clinic, 'stf-clinician1');
    try {
      const unlock = await clinic.call('auth.unlock', { password: demoStaff('clinician1').password });
      expect(unlock.ok ? null : unlock.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: DEACTIVATED,
      });
      expect((await clinic.ok<SessionInfo>('session.status', {})).state).toBe('signed-out');
      expect(clinic.core.store.staff.credential('clinician1')?.verifier ?? null).toBeNull();
      expect(failedSignIns(clinic)).toBe(before + 1);
    } finally {
      await restore(clinic, version);
    }
  });

  it('refuses the offline sign-in', async () => {
    const [clinic] = desk.consoles;
    const version = clinic.core.store.staff.byId('stf-clinician1')!.version;
    await clinic.ok('auth.signOut');
    const before = failedSignIns(clinic);
    await desk.portal.stop();
    try {
      deactivateDuringNextCheck(clinic, 'stf-clinician1');
      const offline = await clinic.signIn('clinician1');
      expect(offline.ok ? null : offline.error).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: DEACTIVATED,
      });
      expect((await clinic.ok<SessionInfo>('session.status', {})).state).toBe('signed-out');
      expect(clinic.core.store.staff.credential('clinician1')?.verifier ?? null).toBeNull();
      expect(failedSignIns(clinic)).toBe(before + 1);
    } finally {
      await desk.portal.restart();
      await restore(clinic, version);
    }
  });
});
