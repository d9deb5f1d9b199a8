/**
 * Issue 11's reproductions, each as it was tried by an auditor or an attacker at an unattended desk: the lock as
 * a gate (clock jump, no timer), a locked admin session taking writes, parallel guesses past the throttle (unlock
 * and offline sign-in), switch user ending a session before checking the new person, refused attempts leaving no
 * trace, reads missing from trails, and settings/role changes. Real portal backend on loopback, real encrypted
 * store, real keychain, real router; the idle timer is not started (autoStart: false), so only the gate can lock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntityType } from '../../src-shared/domain';
import type {
  AuditEntryView,
  PatientView,
  ScheduleView,
  SessionInfo,
  Settings,
  ThreadDetail,
  ThreadPage,
} from '../../src-shared/views';
import { demoStaff } from '../../server/demo/credentials';
import { FREE_ATTEMPTS } from '../../src-main/auth/throttle';
import { FaultProxy } from '../helpers/sync-fault-proxy';
import {
  startConsole,
  startPortal,
  TEST_TODAY,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

let portal: TestPortal;
let clinic: TestConsole;
const inbox = { queue: 'all', offset: 0, limit: 5 };

beforeEach(async () => {
  portal = await startPortal();
  clinic = await startConsole(portal, { autoStart: false });
});
afterEach(async () => {
  await clinic.close();
  await portal.close();
});

async function signInAndSync(username: string): Promise<void> {
  expect((await clinic.signIn(username)).ok).toBe(true);
  await clinic.ok('sync.now');
}

const trail = (entityType: AuditEntityType, entityId: string): AuditEntryView[] =>
  clinic.core.audit.trail(entityType, entityId);
const newEvents = (before: number) => [...clinic.core.store.audit.iterate()].slice(before);
const credentialOf = (username: string) => clinic.core.store.staff.credential(username)!;

describe('the lock is a gate, not a timer', () => {
  it('a clock jump past the timeout with no timer firing: the next inbox.list and thread.get answer LOCKED', async () => {
    await signInAndSync('clinician1');
    const page = await clinic.ok<ThreadPage>('inbox.list', inbox);
    const threadId = page.threads[0]!.id;
    // Last input at T; the PC sleeps without a suspend event; the clock is now T + 6 min (timeout 5 min).
    clinic.idle.touch();
    portal.clock.advance(6 * 60_000);
    expect(await clinic.call('inbox.list', inbox)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(await clinic.call('thread.get', { threadId })).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'locked' });
    const lock = [...clinic.core.store.audit.iterate()].filter((e) => e.action === 'lock');
    expect(lock.map((e) => JSON.parse(e.fields))).toEqual([['idle']]);
  });

  it('just under the timeout the call is served; at the timeout it is not', async () => {
    await signInAndSync('clinician1');
    clinic.idle.touch();
    portal.clock.advance(5 * 60_000 - 1000);
    expect((await clinic.call('inbox.list', inbox)).ok).toBe(true);
    portal.clock.advance(1000);
    expect(await clinic.call('inbox.list', inbox)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
  });

  it('locks on resume from sleep', async () => {
    await signInAndSync('clinician1');
    clinic.core.lock.start();
    try {
      clinic.idle.emitSystemLock('resume');
      expect(await clinic.call('inbox.list', inbox)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    } finally {
      clinic.core.lock.stop();
    }
  });
});

describe('a locked session answers only status, unlock, switch user and sign-out', () => {
  it('a locked admin cannot change settings (server address), nor read account activity or sync problems', async () => {
    await signInAndSync('admin1');
    const before = await clinic.ok<Settings>('settings.get');
    await clinic.ok('auth.lock');
    const update = await clinic.call('settings.update', {
      serverUrl: 'https://portal.other.example',
      offlineGraceHours: 720,
      idleTimeoutMinutes: 60,
    });
    expect(update).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(clinic.core.settings.get()).toEqual(before);
    expect(await clinic.call('auth.accountActivity', {})).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    expect(await clinic.call('sync.problems', {})).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    // The failed attempt on the settings is in the trail.
    const failed = [...clinic.core.store.audit.iterate()].filter(
      (e) => e.entity_type === 'settings' && e.outcome === 'failure',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ staff_id: 'stf-admin1', action: 'update' });
  });
});

describe('parallel guesses meet the throttle', () => {
  it('40 unlocks at once, 39 wrong then the right one: all refused, counters exact', async () => {
    await signInAndSync('clinician1');
    await clinic.ok('auth.lock');
    const right = demoStaff('clinician1').password;
    const passwords = [...Array.from({ length: 39 }, (_, i) => `wrong-${i}-password`), right];
    const results = await Promise.all(passwords.map((password) => clinic.call('auth.unlock', { password })));
    expect(results.every((r) => !r.ok && r.error.code === 'UNAUTHENTICATED')).toBe(true);
    const wrong = results.filter((r) => !r.ok && r.error.message === 'Wrong password.');
    const throttled = results.filter((r) => !r.ok && /Too many failed attempts/.test(r.error.message));
    expect([wrong.length, throttled.length]).toEqual([FREE_ATTEMPTS, 40 - FREE_ATTEMPTS]);
    expect(credentialOf('clinician1')).toMatchObject({ failed_count: FREE_ATTEMPTS, locked: 0 });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'locked' });
    const failedEvents = [...clinic.core.store.audit.iterate()].filter((e) => e.action === 'failed-sign-in');
    expect(failedEvents).toHaveLength(FREE_ATTEMPTS);
  });

  it('a success in the middle keeps the failures counted before it (one at a time, counted first)', async () => {
    await signInAndSync('clinician1');
    await clinic.ok('auth.lock');
    const right = demoStaff('clinician1').password;
    const results = await Promise.all(
      ['wrong-a-password', right, 'wrong-b-password'].map((password) =>
        clinic.call('auth.unlock', { password }),
      ),
    );
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    // The right one came after one counted failure and reset it; the last found the session already open.
    expect(credentialOf('clinician1')).toMatchObject({ failed_count: 0, locked: 0 });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'active' });
  });

  it('a failure counted by another attempt while one is verified is not erased by its success', () => {
    // The stored row as two overlapping attempts leave it: each counted before its check.
    const repo = clinic.core.store.staff;
    repo.saveCredential({
      username: 'someone',
      staff_id: 'stf-x',
      verifier: null,
      verified_at: null,
      failed_count: 1,
      locked: 0,
      last_failed_at: null,
    });
    const mine = repo.countFailure('someone', 'stf-x', new Date().toISOString(), 8);
    repo.countFailure('someone', 'stf-x', new Date().toISOString(), 8);
    repo.forgiveFailure('someone', mine, 0);
    expect(repo.credential('someone')).toMatchObject({ failed_count: 2 });
  });

  it('40 offline sign-ins at once, 39 wrong then the right one: all refused, counters exact', async () => {
    await signInAndSync('reception1');
    await clinic.ok('auth.signOut');
    await portal.stop();
    const right = demoStaff('reception1').password;
    const passwords = [...Array.from({ length: 39 }, (_, i) => `wrong-${i}-password`), right];
    const results = await Promise.all(
      passwords.map((password) =>
        clinic.call('auth.signIn', { username: 'reception1', password, totp: '123456' }),
      ),
    );
    expect(results.every((r) => !r.ok && r.error.code === 'UNAUTHENTICATED')).toBe(true);
    const throttled = results.filter((r) => !r.ok && /Too many failed attempts/.test(r.error.message));
    expect(throttled).toHaveLength(40 - FREE_ATTEMPTS);
    expect(credentialOf('reception1')).toMatchObject({ failed_count: FREE_ATTEMPTS, locked: 0 });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({ state: 'signed-out' });
  });
});

describe('switch user', () => {
  it('verifies the new person before ending the locked session', async () => {
    await signInAndSync('clinician1');
    await clinic.ok('auth.lock');
    const wrong = await clinic.call('auth.signIn', {
      username: 'reception2',
      password: 'not-the-password',
      totp: '123456',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await clinic.ok<SessionInfo>('session.status')).toMatchObject({
      state: 'locked',
      staff: { username: 'clinician1' },
    });
    expect([...clinic.core.store.audit.iterate()].filter((e) => e.action === 'sign-out')).toHaveLength(0);
    // The locked person can still unlock.
    expect(
      await clinic.ok<SessionInfo>('auth.unlock', { password: demoStaff('clinician1').password }),
    ).toMatchObject({ state: 'active' });
    await clinic.ok('auth.lock');
    expect(await clinic.signIn('reception2')).toMatchObject({
      ok: true,
      value: { state: 'active', staff: { username: 'reception2' } },
    });
    expect([...clinic.core.store.audit.iterate()].filter((e) => e.action === 'sign-out')).toHaveLength(1);
  });
});

describe('refused attempts leave a trace', () => {
  async function anAppointment(): Promise<string> {
    const view = await clinic.ok<ScheduleView>('schedule.range', { from: TEST_TODAY, days: 7 });
    return view.appointments.find((a) => a.status === 'booked')!.id;
  }

  it("a clinician's FORBIDDEN cancel and a LOCKED read each write one failure event on the appointment", async () => {
    await signInAndSync('clinician1');
    const appointmentId = await anAppointment();
    const before = trail('appointment', appointmentId).length;
    const cancel = await clinic.call('appointment.cancel', { appointmentId, reason: 'x' });
    expect(cancel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await clinic.ok('auth.lock');
    expect(await clinic.call('appointment.get', { appointmentId })).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    const added = trail('appointment', appointmentId).slice(
      0,
      trail('appointment', appointmentId).length - before,
    );
    expect(added.map((e) => [e.action, e.outcome, e.staffName])).toEqual([
      ['read', 'failure', 'Dr. Amara Okafor'],
      ['update', 'failure', 'Dr. Amara Okafor'],
    ]);
  });
});

describe('review of main: a read in flight and typed ids', () => {
  it('a read still in flight when the console locks is not handed out (LOCKED, one failure event)', async () => {
    // The console talks to the backend through a proxy that can hold the on-demand fetch back.
    const proxy = new FaultProxy(Number(new URL(portal.url).port));
    await proxy.listen();
    const viaProxy = await startConsole({ ...portal, url: proxy.url }, { autoStart: false });
    try {
      expect((await viaProxy.signIn('clinician1')).ok).toBe(true);
      await viaProxy.ok('sync.now');
      const threadId = viaProxy.core.store.threads.page({ queue: 'all', staffId: 'x', offset: 0, limit: 1 })
        .rows[0]!.id;
      // Not held on this PC any more (outside the store window): thread.get fetches it from the backend.
      viaProxy.core.store.transaction(() => viaProxy.core.store.threads.delete(threadId));
      const arrived = new Promise<void>((resolve) => {
        proxy.onRequest = (line) => {
          if (line.startsWith('GET /sync/record')) resolve();
        };
      });
      proxy.set({ mode: 'delay', match: (h) => h.startsWith('GET /sync/record'), delayMs: 1500, times: 1 });
      const before = viaProxy.core.store.audit.count();
      const read = viaProxy.call('thread.get', { threadId });
      await arrived;
      await viaProxy.ok('auth.lock');
      const result = await read;
      expect(proxy.injected.delay).toBe(1);
      expect(result).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
      expect(JSON.stringify(result)).not.toContain('patientName');
      const events = [...viaProxy.core.store.audit.iterate()]
        .slice(before)
        .filter((e) => e.entity_type === 'thread');
      expect(events.map((e) => [e.action, e.entity_id, e.outcome])).toEqual([['read', threadId, 'failure']]);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('signed-out, locked or refused calls never write typed text as a record id', async () => {
    const typed = (n: number) => `fake-${n}-Jane Roe 1970-01-01`;
    let before = clinic.core.store.audit.count();
    for (let n = 0; n < 50; n++) {
      const r = await clinic.call('appointment.get', { appointmentId: typed(n) });
      expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    let events = newEvents(before);
    expect(events).toHaveLength(50);
    expect(events.every((e) => e.entity_type === 'appointment' && e.entity_id === null)).toBe(true);
    await signInAndSync('clinician1');
    before = clinic.core.store.audit.count();
    expect((await clinic.call('appointment.cancel', { appointmentId: typed(51), reason: 'x' })).ok).toBe(
      false,
    );
    expect((await clinic.call('thread.get', { threadId: typed(52) })).ok).toBe(false);
    expect((await clinic.call('audit.trail', { entityType: 'patient', entityId: typed(53) })).ok).toBe(true);
    await clinic.ok('auth.lock');
    expect((await clinic.call('patient.get', { patientId: typed(54) })).ok).toBe(false);
    events = newEvents(before);
    expect(events.filter((e) => e.entity_id !== null && e.entity_type !== 'session')).toEqual([]);
    const everything = JSON.stringify([
      ...clinic.core.store.audit.iterate(),
      ...clinic.core.store.db.prepare('SELECT payload FROM outbox').all(),
    ]);
    expect(everything).not.toContain('Jane Roe');
  });
});

describe('reads in trails', () => {
  it("an attachment read appears in its thread's and its patient's trails", async () => {
    await signInAndSync('clinician1');
    const row = clinic.core.store.db
      .prepare(
        `SELECT a.id AS attachmentId, t.id AS threadId, t.patient_id AS patientId FROM attachments a
         JOIN messages m ON m.id = a.message_id JOIN threads t ON t.id = m.thread_id LIMIT 1`,
      )
      .get() as { attachmentId: string; threadId: string; patientId: string };
    await clinic.ok('attachment.get', { attachmentId: row.attachmentId });
    for (const [type, id] of [
      ['thread', row.threadId],
      ['patient', row.patientId],
    ] as const) {
      expect(trail(type, id)[0]).toMatchObject({
        action: 'read',
        outcome: 'success',
        fields: [`attachment.${row.attachmentId}`],
        staffName: 'Dr. Amara Okafor',
      });
    }
  });

  it('an inbox page, a search, a schedule range and a patient search show in each returned record’s trail', async () => {
    await signInAndSync('reception1');
    const page = await clinic.ok<ThreadPage>('inbox.list', { queue: 'all', offset: 0, limit: 50 });
    expect(page.threads.length).toBeGreaterThan(10);
    for (const t of page.threads) {
      expect(trail('thread', t.id)[0]).toMatchObject({ action: 'read', fields: ['inbox.list'] });
      expect(trail('patient', t.patientId)[0]).toMatchObject({ action: 'read', fields: ['inbox.list'] });
    }
    // A thread of the administrative pool: a receptionist reads those (issue 14a).
    const frontDesk = await clinic.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      poolId: 'front-desk',
      offset: 0,
      limit: 1,
    });
    const word = (
      await clinic.ok<ThreadDetail>('thread.get', { threadId: frontDesk.threads[0]!.id })
    ).messages[0]!.body.split(/\W+/).find((w) => w.length > 4)!;
    const found = await clinic.ok<ThreadPage>('inbox.list', { ...inbox, limit: 20, search: word });
    expect(found.threads.length).toBeGreaterThan(0);
    for (const t of found.threads) {
      expect(trail('thread', t.id)[0]).toMatchObject({ action: 'read', fields: ['inbox.list'] });
    }
    const day = await clinic.ok<ScheduleView>('schedule.range', { from: TEST_TODAY, days: 1 });
    expect(day.appointments.length).toBeGreaterThan(0);
    for (const a of day.appointments) {
      expect(trail('appointment', a.id)[0]).toMatchObject({ action: 'read', fields: ['schedule.range'] });
      expect(trail('patient', a.patientId)[0]).toMatchObject({ action: 'read', fields: ['schedule.range'] });
    }
    const patients = await clinic.ok<PatientView[]>('patient.search', { query: 'a', limit: 10 });
    expect(patients.length).toBeGreaterThan(0);
    for (const p of patients) {
      expect(trail('patient', p.id)[0]).toMatchObject({
        action: 'read',
        fields: ['patient.search'],
        staffName: demoStaffName('reception1'),
      });
    }
  });
});

describe('a refresh of the same list is not a new look-up', () => {
  it('the same query within 10 minutes adds only the list event; another query or later, each record again', async () => {
    await signInAndSync('clinician1');
    const query = { queue: 'all', offset: 0, limit: 10 };
    const perRecord = (before: number) => newEvents(before).filter((e) => e.entity_type !== 'queue').length;
    let before = clinic.core.store.audit.count();
    const page = await clinic.ok<ThreadPage>('inbox.list', query);
    const shown = new Set(page.threads.flatMap((t) => [t.id, t.patientId])).size;
    expect(perRecord(before)).toBe(shown);
    before = clinic.core.store.audit.count();
    await clinic.ok('inbox.list', query);
    expect(newEvents(before).map((e) => e.entity_type)).toEqual(['queue']);
    before = clinic.core.store.audit.count();
    await clinic.ok('inbox.list', { ...query, limit: 11 });
    expect(perRecord(before)).toBeGreaterThanOrEqual(shown);
    portal.clock.advance(10 * 60_000);
    clinic.idle.touch();
    before = clinic.core.store.audit.count();
    await clinic.ok('inbox.list', query);
    expect(perRecord(before)).toBe(shown);
  });
});

function demoStaffName(username: string): string {
  return clinic.core.store.staff.byUsername(username)!.displayName;
}

describe('settings and role changes are audited', () => {
  it('settings.update records the names of the settings that changed', async () => {
    await signInAndSync('admin1');
    const before = clinic.core.store.audit.count();
    await clinic.ok('settings.update', { idleTimeoutMinutes: 9, offlineGraceHours: 72 });
    const events = newEvents(before);
    expect(events.map((e) => [e.action, e.entity_type, JSON.parse(e.fields)])).toEqual([
      ['update', 'settings', ['idleTimeoutMinutes']],
    ]);
  });

  it("a staff member's role change is recorded on that staff member's trail", async () => {
    await signInAndSync('admin1');
    const staff = clinic.core.store.staff.byUsername('reception2')!;
    const before = clinic.core.store.audit.count();
    // As a pull from the backend applies it.
    clinic.core.store.transaction(() =>
      clinic.core.store.staff.upsert({ ...staff, role: 'clinician', version: staff.version + 1 }),
    );
    clinic.core.store.transaction(() =>
      clinic.core.store.staff.upsert({ ...staff, role: 'clinician', version: staff.version + 2 }),
    );
    expect(
      newEvents(before).map((e) => [e.action, e.entity_type, e.entity_id, JSON.parse(e.fields)]),
    ).toEqual([['update', 'staff', staff.id, ['role']]]);
  });
});
