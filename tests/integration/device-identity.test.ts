/**
 * Issue 10 through a real console (real store, real keychain, real backend on loopback): a modified console's
 * change in someone else's name is refused and shows in sync problems; a revoked PC keeps its data and outbox
 * and says so; a session that began offline syncs as soon as the backend is back, attributed per change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import {
  AuditHeadResponse,
  DEVICE_CREDENTIAL_HEADER,
  DEVICE_REVOKED_MESSAGE,
  SYNC_ROUTES,
} from '../../src-shared/sync';
import type { ProviderView, ScheduleView, SessionInfo, SyncProblem } from '../../src-shared/views';
import { enrolAsDemoAdmin } from '../../src-main/auth/demo-enrol';
import { uuidv7 } from '../../src-main/base/ids';
import { demoStaff } from '../../server/demo/credentials';
import { AUDIT_HEAD_PROBLEM } from '../../src-main/sync/audit-head';
import { sealAuditEvent } from '../../server/test/helpers';
import {
  enrolConsole,
  startConsole,
  startPortal,
  TEST_TODAY,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

let portal: TestPortal;
const consoles: TestConsole[] = [];

beforeEach(async () => {
  portal = await startPortal();
});
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.close();
  await portal.close();
});

async function open(): Promise<TestConsole> {
  const c = await startConsole(portal);
  consoles.push(c);
  return c;
}

/** Free slots of the first provider, `days` after the demo's today. */
async function freeSlots(c: TestConsole, days: number, count: number) {
  const day = new Date(Date.parse(`${TEST_TODAY}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const view = await c.ok<ScheduleView>('schedule.range', { from: day, days: 1 });
  const provider: ProviderView = view.providers[0]!;
  const slots: { providerId: string; start: string; end: string }[] = [];
  for (
    let m = provider.dayStartMinute;
    m + provider.slotMinutes <= provider.dayEndMinute;
    m += provider.slotMinutes
  ) {
    const start = new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000).toISOString();
    const end = new Date(Date.parse(start) + provider.slotMinutes * 60_000).toISOString();
    const taken = view.appointments.some(
      (a) => a.providerId === provider.id && a.start < end && start < a.end && a.status !== 'cancelled',
    );
    if (!taken) slots.push({ providerId: provider.id, start, end });
    if (slots.length === count) return slots;
  }
  throw new Error('not enough free slots');
}

function serverTrail(entityType: string, entityId: string): Promise<AuditRecord[]> {
  return portal.server.store.auditForEntity(entityType, entityId, 100);
}

describe('the device credential on the PC', () => {
  it('is kept only inside the encrypted store: no file of the data folder holds the secret in clear', async () => {
    const desk = await open();
    const secret = desk.core.auth.deviceSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(desk.core.auth.deviceState()).toBe('enrolled');
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await desk.ok('sync.now');
    const files = fs.readdirSync(desk.dataDir, { recursive: true, encoding: 'utf8' });
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const file = path.join(desk.dataDir, name);
      if (!fs.statSync(file).isFile()) continue;
      expect(fs.readFileSync(file).includes(Buffer.from(secret!)), name).toBe(false);
    }
  });
});

describe('npm start', () => {
  it('enrols the demo console as the demo admin from the credentials the demo backend printed, and says so', async () => {
    const clinic = await startConsole(portal, { enrol: false });
    consoles.push(clinic);
    expect(clinic.core.auth.deviceState()).toBe('not-enrolled');
    const admin = demoStaff('admin1');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      await enrolAsDemoAdmin(
        clinic.core.auth,
        {
          CLINIC_DEMO_ENROL: JSON.stringify({
            username: 'admin1',
            password: admin.password,
            totpSecret: admin.totpSecret,
          }),
        },
        () => portal.clock.now(),
      );
    } finally {
      log.mockRestore();
    }
    expect(clinic.core.auth.deviceState()).toBe('enrolled');
    expect(lines).toEqual([expect.stringMatching(/enrolled this console .* as the demo admin \(admin1\)/)]);
    expect((await portal.server.store.device(clinic.core.auth.deviceId()!))?.enrolledBy).toBe('stf-admin1');
  });
});

describe('a modified console', () => {
  it("cannot push a booking in another person's name: refused, nothing stored, the reason in sync problems", async () => {
    const clinic = await open();
    expect((await clinic.signIn('clinician2')).ok).toBe(true);
    await clinic.ok('sync.now');
    // What a tampered console would queue: a booking attributed to reception1, who never signed in here.
    const [slot] = await freeSlots(clinic, 3, 1);
    const patientId = clinic.core.store.patients.search('a', 1)[0]!.id;
    const appointmentId = uuidv7(portal.clock.now());
    clinic.core.store.outbox.add({
      id: uuidv7(portal.clock.now()),
      entity: 'appointment',
      entityId: appointmentId,
      baseVersion: null,
      mutation: { op: 'appointment.book', patientId, ...slot!, reason: 'x', virtualLink: null },
      staffId: 'stf-reception1',
      createdAt: new Date(portal.clock.now()).toISOString(),
    });
    await clinic.ok('sync.now');
    expect(await portal.server.store.appointment(appointmentId)).toBeNull();
    const problems = await clinic.ok<SyncProblem[]>('sync.problems');
    expect(problems).toContainEqual(
      expect.objectContaining({
        kind: 'rejected',
        operation: 'appointment.book',
        entityId: appointmentId,
        message: expect.stringMatching(
          /^Booking for .* not saved: The person who made this change has never signed in online on this PC\./,
        ),
      }),
    );
  });
});

describe('revocation', () => {
  it('a revoked PC says so, keeps its local data and outbox, and its next refresh and push fail', async () => {
    const desk = await open();
    const admin = await open();
    expect((await desk.signIn('reception1')).ok).toBe(true);
    expect((await admin.signIn('admin1')).ok).toBe(true);
    await desk.ok('sync.now');
    await desk.core.sync().stop(); // keep the change below in the outbox until we push by hand
    const threadId = desk.core.store.threads.page({
      queue: 'all',
      staffId: 'x',
      offset: 0,
      limit: 1,
      poolId: 'front-desk',
    }).rows[0]!.id;
    await desk.ok('thread.setPriority', { threadId, priority: 'urgent' });
    const pending = desk.core.store.outbox.count();
    expect(pending).toBeGreaterThan(0);
    const pendingIds = desk.core.store.outbox.peek(100).map((r) => r.id);
    const threadsBefore = desk.core.store.db.prepare('SELECT COUNT(*) AS n FROM threads').get();

    const deviceId = desk.core.auth.deviceId()!;
    const devices = await admin.ok<{ id: string; revokedAt: string | null }[]>('admin.devices');
    expect(devices.find((d) => d.id === deviceId)?.revokedAt).toBeNull();
    await admin.ok('admin.revokeDevice', { deviceId });

    // The next push fails: nothing applied, the outbox untouched, the console says what happened.
    await expect(desk.core.sync().syncNow()).rejects.toMatchObject({ status: 403 });
    expect(desk.core.store.outbox.count()).toBe(pending);
    const session = await desk.ok<SessionInfo>('session.status');
    expect(session.device).toBe('revoked');
    expect(DEVICE_REVOKED_MESSAGE).toBe('This PC was removed from the clinic: ask IT to enrol it again.');
    expect(desk.core.store.db.prepare('SELECT COUNT(*) AS n FROM threads').get()).toEqual(threadsBefore);
    // A refresh is refused too (its tokens were ended at once), and sign-in says why.
    expect(await desk.core.auth.accessToken()).toBeNull();
    const again = await desk.signIn('reception1');
    expect(again).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: DEVICE_REVOKED_MESSAGE } });
    // Switching user recorded a sign-out; every change made before the removal is still queued.
    const after = desk.core.store.outbox.peek(100).map((r) => r.id);
    expect(after.slice(0, pendingIds.length)).toEqual(pendingIds);
  });
});

describe('review fix: enrolled again after removal', () => {
  it("keeps the PC's queued work: the new device inherits its sign-ins, and the local session ends", async () => {
    const desk = await open();
    const admin = await open();
    expect((await desk.signIn('reception1')).ok).toBe(true);
    expect((await admin.signIn('admin1')).ok).toBe(true);
    await desk.ok('sync.now');
    await desk.core.sync().stop();
    const threadId = desk.core.store.threads.page({
      queue: 'all',
      staffId: 'x',
      offset: 0,
      limit: 1,
      poolId: 'front-desk',
    }).rows[0]!.id;
    await desk.ok('thread.setPriority', { threadId, priority: 'stat' });
    await admin.ok('admin.revokeDevice', { deviceId: desk.core.auth.deviceId()! });
    await expect(desk.core.sync().syncNow()).rejects.toMatchObject({ status: 403 });
    expect(desk.core.auth.deviceState()).toBe('revoked');

    await enrolConsole(desk.core, portal);
    expect(desk.core.auth.deviceState()).toBe('enrolled');
    expect(desk.core.auth.current()).toBeNull();
    await desk.core.sync().syncNow();
    expect((await portal.server.store.thread(threadId))?.priority).toBe('stat');
    const problems = await desk.core.sync().problems();
    expect(problems.filter((p) => p.operation === 'thread.setPriority')).toEqual([]);
  });
});

describe('a session that began offline', () => {
  it('syncs every change once, attributed to the person who made it, as soon as the backend is back', async () => {
    const desk = await open();
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await desk.ok('sync.now');
    await desk.ok('auth.signOut');
    await desk.core.sync().stop();
    await portal.stop();

    const offline = await desk.signIn('reception1');
    expect(offline).toMatchObject({ ok: true, value: { offline: true } });
    const [a, b] = await freeSlots(desk, 4, 2);
    const patientId = desk.core.store.patients.search('a', 1)[0]!.id;
    const booked = await desk.ok<{ appointmentId: string }>('appointment.book', {
      patientId,
      ...a!,
      reason: 'Offline booking',
      virtual: false,
    });
    await desk.ok('appointment.reschedule', { appointmentId: booked.appointmentId, ...b! });
    const threadId = desk.core.store.threads.page({
      queue: 'unassigned',
      staffId: 'x',
      offset: 0,
      limit: 1,
      poolId: 'front-desk',
    }).rows[0]!.id;
    await desk.ok('thread.claim', { threadId });
    await desk.ok('thread.setPriority', { threadId, priority: 'asap' });
    await desk.ok('thread.reply', { threadId, body: 'We will call you back.' });
    await desk.ok('thread.setStatus', { threadId, status: 'done' });
    expect(desk.core.store.outbox.count()).toBeGreaterThan(6);

    await portal.restart();
    // One sync cycle: no online sign-in happened, the device credential carries it.
    await desk.core.sync().syncNow();
    expect(desk.core.store.outbox.count()).toBe(0);
    expect(await desk.ok<SyncProblem[]>('sync.problems')).toEqual([]);
    const deviceId = desk.core.auth.deviceId();
    const server = portal.server.store;
    expect(await server.appointment(booked.appointmentId)).toMatchObject({ start: b!.start, version: 2 });
    expect(await server.thread(threadId)).toMatchObject({
      assigneeId: 'stf-reception1',
      priority: 'asap',
      status: 'done',
    });
    const changes = [
      ...(await serverTrail('appointment', booked.appointmentId)),
      ...(await serverTrail('thread', threadId)),
    ].filter((e) => e.deviceId === deviceId && e.actorKind === 'staff');
    // Each change exactly once, each attributed to reception1 on this PC (server events and console events).
    expect(changes.length).toBeGreaterThanOrEqual(6);
    expect(new Set(changes.map((e) => e.staffId))).toEqual(new Set(['stf-reception1']));
    const messages = (await server.messagesOfThread(threadId)).filter((m) => m.authorKind === 'staff');
    expect(messages.filter((m) => m.body === 'We will call you back.')).toHaveLength(1);
  });
});

describe('the local audit chain against the server', () => {
  it('reports, after a sync, a local log that lacks the last event the server holds from this PC', async () => {
    const desk = await open();
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await desk.ok('sync.now');
    const deviceId = desk.core.auth.deviceId()!;
    const headers = {
      'content-type': 'application/json',
      [DEVICE_CREDENTIAL_HEADER]: `${deviceId}:${desk.core.auth.deviceSecret()!}`,
    };
    const head = AuditHeadResponse.parse(
      await (await fetch(portal.url + SYNC_ROUTES.auditHead, { headers })).json(),
    ).head;
    expect(head).not.toBeNull();
    expect(desk.core.store.audit.hashExists(head!.hash)).toBe(true);
    expect((await desk.ok<SyncProblem[]>('sync.problems')).map((p) => p.operation)).not.toContain(
      'audit.chain',
    );

    // The server now holds an event this PC's local log does not have: as after the local log was wiped and
    // restarted (the console's chain and the server's have parted).
    const event = sealAuditEvent({
      id: uuidv7(portal.clock.now()),
      at: new Date(portal.clock.now()).toISOString(),
      staffId: 'stf-reception1',
      role: 'receptionist',
      deviceId,
      action: 'read',
      entityType: 'patient',
      entityId: 'pat-000001',
      outcome: 'success',
      fields: [],
      actorKind: 'staff',
      prevHash: head!.hash,
      version: 0,
    });
    const pushed = await fetch(portal.url + SYNC_ROUTES.push, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        deviceId,
        mutations: [
          {
            id: event.id,
            entityId: event.id,
            baseVersion: null,
            createdAt: event.at,
            staffId: 'stf-reception1',
            mutation: { op: 'audit.append', event },
          },
        ],
      }),
    });
    expect(((await pushed.json()) as { results: { status: string }[] }).results[0]!.status).toBe('applied');

    await desk.ok('sync.now');
    await expect
      .poll(async () =>
        (await desk.ok<SyncProblem[]>('sync.problems')).find((p) => p.operation === 'audit.chain'),
      )
      .toMatchObject({ entityId: event.id, message: AUDIT_HEAD_PROBLEM });
  });
});

describe('audit-integrity alerts in the console', () => {
  it("an admin's console lists the alert the server raised for a forged event of another PC", async () => {
    const desk = await open();
    const admin = await open();
    expect((await desk.signIn('reception1')).ok).toBe(true);
    expect((await admin.signIn('admin1')).ok).toBe(true);
    const deviceId = desk.core.auth.deviceId()!;
    const forged = {
      ...sealAuditEvent({
        id: uuidv7(portal.clock.now()),
        at: new Date(portal.clock.now()).toISOString(),
        staffId: 'stf-reception1',
        role: 'receptionist',
        deviceId,
        action: 'read',
        entityType: 'patient',
        entityId: 'pat-000002',
        outcome: 'success',
        fields: [],
        actorKind: 'staff',
        prevHash: '0'.repeat(64),
        version: 0,
      }),
      entityId: 'pat-000009', // changed after sealing
    };
    await fetch(portal.url + SYNC_ROUTES.push, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [DEVICE_CREDENTIAL_HEADER]: `${deviceId}:${desk.core.auth.deviceSecret()!}`,
      },
      body: JSON.stringify({
        deviceId,
        mutations: [
          {
            id: forged.id,
            entityId: forged.id,
            baseVersion: null,
            createdAt: forged.at,
            staffId: 'stf-reception1',
            mutation: { op: 'audit.append', event: forged },
          },
        ],
      }),
    });
    const alerts = await admin.ok<{ kind: string; eventId: string; deviceId: string }[]>('admin.auditAlerts');
    expect(alerts).toContainEqual(
      expect.objectContaining({ kind: 'bad-hash', eventId: forged.id, deviceId }),
    );
    // Not for other roles.
    const refused = await desk.call('admin.auditAlerts', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
