/**
 * Sign-in (online with TOTP, offline with the device verifier), throttling and lockout, idle/OS lock,
 * unlock and switch user — against the real portal backend on loopback, with an injected clock and idle source.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryView, SessionInfo } from '../../src-shared/views';
import { totp } from '../../src-shared/totp';
import { demoStaff } from '../../server/demo/credentials';
import { LOCKOUT_AFTER, FREE_ATTEMPTS } from '../../src-main/auth/throttle';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { patientNewThread, patientSignIn, waitFor } from '../helpers/sync-harness';

let portal: TestPortal;
let clinic: TestConsole;
const inbox = { queue: 'all', offset: 0, limit: 10 };

beforeEach(async () => {
  portal = await startPortal();
  clinic = await startConsole(portal);
});
afterEach(async () => {
  await clinic.close();
  await portal.close();
});

/** Take the backend away for real: close its listener (the console then sees connection refused). */
async function goOffline(): Promise<void> {
  await portal.stop();
}

describe('sign-in', () => {
  it('online with password and TOTP opens an active session with the staff role', async () => {
    const result = await clinic.signIn('clinician1');
    expect(result.ok).toBe(true);
    const session = (result as { value: SessionInfo }).value;
    expect(session).toMatchObject({
      state: 'active',
      offline: false,
      staff: { username: 'clinician1', role: 'clinician' },
    });
    expect(session.deviceId).toBeTruthy();
    expect((await clinic.call('inbox.list', inbox)).ok).toBe(true);
  });

  it('refuses a wrong password and a wrong code, and records the failed sign-in', async () => {
    // Known on this PC after one good sign-in, so failures are attributed to the staff member.
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
    await clinic.ok('auth.signOut');
    expect(await clinic.signIn('clinician1', 'not-the-password')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    const wrongCode = await clinic.call('auth.signIn', {
      username: 'clinician1',
      password: demoStaff('clinician1').password,
      totp: '000000',
    });
    expect(wrongCode).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const failed = [...clinic.core.store.audit.iterate()].filter((e) => e.action === 'failed-sign-in');
    expect(failed.length).toBe(2);
    expect(failed[0]!.staff_id).toBe('stf-clinician1');
  });

  it('account activity lists each sign-in and failed attempt once, after sync too', async () => {
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
    await clinic.ok('auth.signOut');
    expect((await clinic.signIn('clinician1', 'not-the-password')).ok).toBe(false);
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
    await clinic.ok('sync.now');
    const activity = await clinic.ok<AuditEntryView[]>('auth.accountActivity');
    const count = (action: string) => activity.filter((e) => e.action === action).length;
    expect([count('sign-in'), count('failed-sign-in'), count('sign-out')]).toEqual([2, 1, 1]);
    expect(activity.every((e) => e.staffName === 'Dr. Amara Okafor')).toBe(true);
  });

  it('refuses a replayed TOTP code', async () => {
    const staff = demoStaff('reception1');
    const code = totp(staff.totpSecret, portal.clock.now());
    const first = await clinic.call('auth.signIn', {
      username: 'reception1',
      password: staff.password,
      totp: code,
    });
    expect(first.ok).toBe(true);
    await clinic.call('auth.signOut', {});
    const replay = await clinic.call('auth.signIn', {
      username: 'reception1',
      password: staff.password,
      totp: code,
    });
    expect(replay).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('offline (backend stopped): the same person on the same device signs in with the verifier', async () => {
    expect((await clinic.signIn('reception1')).ok).toBe(true);
    await clinic.call('auth.signOut', {});
    await goOffline();
    const offline = await clinic.signIn('reception1');
    expect(offline).toMatchObject({ ok: true, value: { state: 'active', offline: true } });
    await clinic.call('auth.signOut', {});
    expect(await clinic.signIn('reception1', 'wrong-password')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    // Someone who never signed in online on this PC cannot sign in offline.
    expect(await clinic.signIn('clinician2')).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  });

  it('offline sign-in after the grace period (72 h) is refused', async () => {
    expect((await clinic.signIn('reception1')).ok).toBe(true);
    await clinic.call('auth.signOut', {});
    await goOffline();
    portal.clock.advance(71 * 3600_000);
    expect((await clinic.signIn('reception1')).ok).toBe(true);
    await clinic.call('auth.signOut', {});
    portal.clock.advance(2 * 3600_000);
    const late = await clinic.signIn('reception1');
    expect(late).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    expect((late as { error: { message: string } }).error.message).toMatch(
      /offline sign-in period has ended/,
    );
  });

  it('repeated failures slow down, then lock the account on this device until an online sign-in', async () => {
    expect((await clinic.signIn('reception1')).ok).toBe(true);
    await clinic.call('auth.signOut', {});
    await goOffline();
    // Direct calls: no clock movement between an attempt and the retry that must be throttled.
    const wrong = () =>
      clinic.call('auth.signIn', { username: 'reception1', password: 'wrong-password', totp: '123456' });
    let lastRetry = 0;
    for (let i = 1; i <= LOCKOUT_AFTER; i++) {
      const r = await wrong();
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password.' },
      });
      if (i >= FREE_ATTEMPTS && i < LOCKOUT_AFTER) {
        const again = await wrong();
        const retry = (again as { error: { retryAfterSeconds?: number } }).error.retryAfterSeconds ?? 0;
        expect(retry, JSON.stringify({ i, again })).toBeGreaterThan(lastRetry);
        lastRetry = retry;
      }
      portal.clock.advance(10 * 60_000);
    }
    // Locked: even the right password is refused offline.
    const locked = await clinic.signIn('reception1');
    expect(locked).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((locked as { error: { message: string } }).error.message).toMatch(/locked on this PC/);

    // An online sign-in lifts it.
    await portal.restart();
    expect((await clinic.signIn('reception1')).ok).toBe(true);
  });
});

describe('lock', () => {
  beforeEach(async () => {
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
  });

  it('locks after the idle timeout; every method but the four answers LOCKED; session.changed is emitted', async () => {
    const states: string[] = [];
    clinic.core.events.subscribe((event, payload) => {
      if (event === 'session.changed') states.push((payload as SessionInfo).state);
    });
    portal.clock.advance(4 * 60_000 + 59_000);
    expect(clinic.core.lock.tick()).toBe(false);
    portal.clock.advance(1000);
    expect(clinic.core.lock.tick()).toBe(true);
    expect(states).toEqual(['locked']);
    for (const method of [
      'inbox.list',
      'thread.get',
      'schedule.range',
      'patient.get',
      'audit.trail',
    ] as const) {
      const input = {
        'inbox.list': inbox,
        'thread.get': { threadId: 'x' },
        'schedule.range': { from: '2026-11-23', days: 1 },
        'patient.get': { patientId: 'x' },
        'audit.trail': { entityType: 'thread', entityId: 'x' },
      }[method];
      expect(await clinic.call(method, input)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    }
    // Issue 11: not only patient data — while locked only status, unlock, switch user and sign-out answer.
    expect(await clinic.call('sync.status', {})).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect((await clinic.call('session.status', {})).ok).toBe(true);
  });

  it.each(['lock-screen', 'suspend'] as const)('locks on OS %s', async (reason) => {
    clinic.idle.emitSystemLock(reason);
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'locked' });
  });

  it('sync keeps running while locked: a patient message arriving meanwhile is in the store', async () => {
    await clinic.ok('sync.now');
    await clinic.ok('auth.lock');
    const patient = await patientSignIn(portal.url, 3);
    const threadId = await patientNewThread(portal.url, patient, 'Rash', 'A new rash appeared on my arm.');
    await waitFor(
      'the new thread to arrive while locked',
      () => clinic.core.store.threads.byId(threadId) !== null,
      {
        engines: [clinic.core.sync()],
      },
    );
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'locked' });
  });

  it('unlocks with the same person’s password only', async () => {
    await clinic.ok('auth.lock');
    expect(await clinic.call('auth.unlock', { password: 'nope-nope' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'locked' });
    expect(await clinic.call('auth.unlock', { password: demoStaff('clinician2').password })).toMatchObject({
      ok: false,
    });
    const unlocked = await clinic.ok<SessionInfo>('auth.unlock', {
      password: demoStaff('clinician1').password,
    });
    expect(unlocked).toMatchObject({ state: 'active', staff: { username: 'clinician1' } });
    expect((await clinic.call('inbox.list', inbox)).ok).toBe(true);
    const actions = [...clinic.core.store.audit.iterate()].map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['lock:success', 'unlock:failure', 'unlock:success']));
  });

  it('switch user: a full sign-in replaces the locked session', async () => {
    await clinic.ok('auth.lock');
    const next = await clinic.signIn('reception2');
    expect(next).toMatchObject({ ok: true, value: { state: 'active', staff: { username: 'reception2' } } });
    // The receptionist's role now applies: the clinician's session is gone.
    expect(await clinic.call('audit.export', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('sign-out clears the session', async () => {
    await clinic.ok('auth.signOut');
    expect(await clinic.call('inbox.list', inbox)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({
      state: 'signed-out',
      staff: null,
    });
  });

  it('roles: a receptionist cannot change admin settings', async () => {
    await clinic.ok('auth.signOut');
    expect((await clinic.signIn('reception1')).ok).toBe(true);
    expect(await clinic.call('settings.update', { idleTimeoutMinutes: 10 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
