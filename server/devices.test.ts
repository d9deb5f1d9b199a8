/**
 * Issue 10: identity the server can prove. Enrolled devices with a secret, device proof on every staff request,
 * revocation, server-side attribution and role checks. Real backend on loopback.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../src-shared/domain';
import {
  DEVICE_CREDENTIAL_HEADER,
  PushResponse,
  RegisterDeviceResponse,
  TokenResponse,
  type Mutation,
  type MutationOp,
} from '../src-shared/sync';
import { totp } from '../src-shared/totp';
import { demoStaff } from './demo/credentials';
import {
  call,
  deviceCredential,
  pullAll,
  registerDevice,
  sealAuditEvent,
  signInStaff,
  startServer,
  type Running,
  type StaffLogin,
} from './test/helpers';

let run: Running;
beforeAll(async () => {
  run = await startServer();
});
afterAll(async () => run.stop());

const RECEPTION1 = 'stf-reception1';

function mutation(staffId: string, entityId: string, op: MutationOp): Mutation {
  return {
    id: randomUUID(),
    entityId,
    baseVersion: null,
    createdAt: new Date(run.clock.ms).toISOString(),
    staffId,
    mutation: op,
  };
}

/** A weekday slot on provider prv-001's 15-minute grid, `days` ahead, not held by anyone. */
async function freeSlot(login: StaffLogin, days: number): Promise<{ start: string; end: string }> {
  const held = (await pullAll(run.url, login.accessToken)).changes
    .filter((c) => c.entity === 'appointment' && c.data)
    .map((c) => c.data as AppointmentRecord)
    .filter((a) => a.providerId === 'prv-001' && a.status !== 'cancelled');
  let day = Date.parse(new Date(run.clock.ms).toISOString().slice(0, 10)) + days * 86_400_000;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += 86_400_000;
  for (let minute = 8 * 60; minute < 17 * 60; minute += 15) {
    const start = new Date(day + minute * 60_000).toISOString();
    const end = new Date(day + (minute + 15) * 60_000).toISOString();
    if (!held.some((a) => a.start < end && a.end > start)) return { start, end };
  }
  throw new Error('no free slot');
}

const bookOp = (slot: { start: string; end: string }): MutationOp => ({
  op: 'appointment.book',
  patientId: 'pat-000001',
  providerId: 'prv-001',
  ...slot,
  reason: 'Follow-up visit',
  virtualLink: null,
});

function signInBody(username: string, deviceId: string) {
  const cred = demoStaff(username);
  return { username, password: cred.password, totp: totp(cred.totpSecret, run.clock.ms), deviceId };
}

describe('enrolment', () => {
  it('needs an admin sign-in, issues a 256-bit secret, and keeps only its hash', async () => {
    run.clock.advance(30);
    const admin = demoStaff('admin1');
    const res = await call(run.url, 'POST', '/auth/devices', {
      body: {
        name: 'Desk 9',
        username: 'admin1',
        password: admin.password,
        totp: totp(admin.totpSecret, run.clock.ms),
      },
    });
    expect(res.status).toBe(201);
    const { deviceId, deviceSecret } = RegisterDeviceResponse.parse(res.json);
    expect(Buffer.from(deviceSecret, 'base64url')).toHaveLength(32);
    const stored = (await run.server.store.device(deviceId))!;
    expect(stored.secretHash).toBe(createHash('sha256').update(deviceSecret).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(deviceSecret);
    expect(stored.enrolledBy).toBe('stf-admin1');

    run.clock.advance(30);
    const rec = demoStaff('reception1');
    const notAdmin = await call(run.url, 'POST', '/auth/devices', {
      body: {
        name: 'Desk 10',
        username: 'reception1',
        password: rec.password,
        totp: totp(rec.totpSecret, run.clock.ms),
      },
    });
    expect(notAdmin.status).toBe(403);
    const noCode = await call(run.url, 'POST', '/auth/devices', {
      body: { name: 'Desk 10', username: 'admin1', password: admin.password, totp: '000000' },
    });
    expect(noCode.status).toBe(401);
    // The open enrolment of before (a name alone) is refused.
    expect((await call(run.url, 'POST', '/auth/devices', { body: { name: 'Desk 11' } })).status).toBe(400);
  });

  it('never echoes request content in a validation error, field names included', async () => {
    const res = await call(run.url, 'POST', '/auth/devices', {
      raw: '{"name":"pc","Jane Roe 1970-01-01":1}',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).not.toContain('Jane Roe');
    expect(JSON.stringify(res.json)).not.toContain('1970');
  });
});

describe('the reproduction of issue 10', () => {
  it("refuses a clinician pushing a booking and a forged audit event in a receptionist's name", async () => {
    // reception1 signs in on desk D.
    const desk = await signInStaff(run, 'reception1');
    const slot = await freeSlot(desk, 20);
    const apptId = randomUUID();
    const forged = {
      id: randomUUID(),
      at: '2020-01-01T00:00:00.000Z',
      staffId: RECEPTION1,
      role: 'receptionist' as const,
      deviceId: desk.deviceId,
      action: 'create' as const,
      entityType: 'appointment' as const,
      entityId: apptId,
      outcome: 'success' as const,
      fields: [],
      actorKind: 'staff' as const,
      prevHash: '0'.repeat(64),
      hash: 'f'.repeat(64),
      version: 0,
    };
    const mutations = [
      mutation(RECEPTION1, apptId, bookOp(slot)),
      mutation(RECEPTION1, forged.id, { op: 'audit.append', event: forged }),
    ];

    // From another client, clinician2 signs in with deviceId D: it only knows the id, not D's secret.
    run.clock.advance(30);
    const idOnly = await call(run.url, 'POST', '/auth/sign-in', {
      body: signInBody('clinician2', desk.deviceId),
      device: null,
    });
    expect(idOnly.status).toBe(401);
    expect(idOnly.json.error).toBe('UNKNOWN_DEVICE');
    const guessed = await call(run.url, 'POST', '/auth/sign-in', {
      body: signInBody('clinician2', desk.deviceId),
      device: null,
      headers: { [DEVICE_CREDENTIAL_HEADER]: `${desk.deviceId}:${'A'.repeat(43)}` },
    });
    expect(guessed.status).toBe(401);
    // Nor can it push as D, with or without a token of its own.
    const own = await signInStaff(run, 'clinician2');
    const asD = await call(run.url, 'POST', '/sync/push', {
      device: null,
      body: { deviceId: desk.deviceId, mutations },
    });
    expect(asD.status).toBe(401);
    const viaOwn = await call(run.url, 'POST', '/sync/push', {
      token: own.accessToken,
      body: { deviceId: desk.deviceId, mutations },
    });
    expect(viaOwn.status).toBe(403);
    // On its own enrolled device, both changes are refused with a reason the console shows as a sync problem.
    const res = await call(run.url, 'POST', '/sync/push', {
      token: own.accessToken,
      body: { deviceId: own.deviceId, mutations },
    });
    expect(res.status).toBe(200);
    const results = PushResponse.parse(res.json).results;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results[0]).toMatchObject({
      reason: 'The person who made this change has never signed in online on this PC.',
    });
    expect(results[1]).toMatchObject({
      reason: 'An audit event can only be appended by the device that recorded it.',
    });
    // Nothing stored: no appointment, no forged event, no trail naming reception1.
    expect(await run.server.store.appointment(apptId)).toBeNull();
    expect(await run.server.store.auditEvent(forged.id)).toBeNull();
    const trail = await call(run.url, 'GET', `/audit/entity?entityType=appointment&entityId=${apptId}`, {
      token: desk.accessToken,
    });
    expect(trail.json.events.filter((e: { staffId: string }) => e.staffId === RECEPTION1)).toEqual([]);
  });

  it("refuses a clinician's booking even from a modified console on the clinician's own device", async () => {
    const doc = await signInStaff(run, 'clinician1');
    const slot = await freeSlot(doc, 21);
    const id = randomUUID();
    const res = await call(run.url, 'POST', '/sync/push', {
      token: doc.accessToken,
      body: { deviceId: doc.deviceId, mutations: [mutation(doc.staff.id, id, bookOp(slot))] },
    });
    expect(PushResponse.parse(res.json).results[0]).toMatchObject({
      status: 'rejected',
      reason: 'A clinician may not do appointment.book.',
    });
    expect(await run.server.store.appointment(id)).toBeNull();
  });
});

describe('device credential on every request', () => {
  it('a device id without its secret cannot sign in, refresh, pull, push or stream', async () => {
    const login = await signInStaff(run, 'reception2');
    const routes = [
      ['POST', '/auth/refresh', { refreshToken: login.refreshToken }],
      ['GET', '/sync/pull?limit=1', undefined],
      ['POST', '/sync/push', { deviceId: login.deviceId, mutations: [] }],
      ['GET', '/sync/events', undefined],
      ['GET', '/admin/devices', undefined],
    ] as const;
    for (const [method, route, body] of routes) {
      const res = await call(run.url, method, route, { token: login.accessToken, body, device: null });
      expect([route, res.status, res.json.error]).toEqual([route, 401, 'UNKNOWN_DEVICE']);
    }
    // Another enrolled device's credential with this device's token: the token is worth nothing there.
    const other = await registerDevice(run, 'Other desk');
    const swapped = await call(run.url, 'GET', '/sync/pull?limit=1', {
      token: login.accessToken,
      device: other,
    });
    expect(swapped.status).toBe(401);
    const refreshed = await call(run.url, 'POST', '/auth/refresh', {
      body: { refreshToken: login.refreshToken },
      device: other,
    });
    expect(refreshed.status).toBe(401);
  });

  it('lets an enrolled device pull and push on its own credential, attributed per change', async () => {
    const desk = await signInStaff(run, 'reception2');
    const pull = await call(run.url, 'GET', '/sync/pull?limit=1', { device: desk.deviceId });
    expect(pull.status).toBe(200);
    const slot = await freeSlot(desk, 22);
    const id = randomUUID();
    const res = await call(run.url, 'POST', '/sync/push', {
      device: desk.deviceId,
      body: { deviceId: desk.deviceId, mutations: [mutation(desk.staff.id, id, bookOp(slot))] },
    });
    expect(PushResponse.parse(res.json).results[0]!.status).toBe('applied');
    const trail = await call(run.url, 'GET', `/audit/entity?entityType=appointment&entityId=${id}`, {
      token: desk.accessToken,
    });
    expect(trail.json.events).toEqual([
      expect.objectContaining({ staffId: desk.staff.id, deviceId: desk.deviceId, action: 'create' }),
    ]);
  });

  it('refuses changes of someone whose last online sign-in on the device is older than the grace period', async () => {
    const desk = await signInStaff(run, 'reception1');
    run.clock.advance(72 * 3600 + 60);
    const res = await call(run.url, 'POST', '/sync/push', {
      device: desk.deviceId,
      body: {
        deviceId: desk.deviceId,
        mutations: [mutation(desk.staff.id, 'thr-000002', { op: 'thread.setStatus', status: 'done' })],
      },
    });
    expect(PushResponse.parse(res.json).results[0]).toMatchObject({
      status: 'rejected',
      reason: 'The person who made this change has not signed in online on this PC in the last 72 hours.',
    });
  });
});

describe('revocation', () => {
  it("ends the device's tokens and streams at once and refuses its refresh, pull and push", async () => {
    const desk = await signInStaff(run, 'clinician1');
    const admin = await signInStaff(run, 'admin1');
    const stream = await fetch(`${run.url}/sync/events`, {
      headers: {
        authorization: `Bearer ${desk.accessToken}`,
        [DEVICE_CREDENTIAL_HEADER]: deviceCredential(desk.deviceId),
      },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // retry + first poke

    const list = await call(run.url, 'GET', '/admin/devices', { token: admin.accessToken });
    expect(list.status).toBe(200);
    expect(list.json.devices.map((d: { id: string }) => d.id)).toContain(desk.deviceId);
    const notAdmin = await call(run.url, 'POST', `/admin/devices/${admin.deviceId}/revoke`, {
      token: desk.accessToken,
      body: {},
    });
    expect(notAdmin.status).toBe(403);

    const revoke = await call(run.url, 'POST', `/admin/devices/${desk.deviceId}/revoke`, {
      token: admin.accessToken,
      body: {},
    });
    expect(revoke.status).toBe(200);
    expect(revoke.json.device.revokedAt).not.toBeNull();
    // The open stream ends now (not at the next heartbeat, 15 s away).
    for (;;) if ((await reader.read()).done) break;

    for (const [method, route, body] of [
      ['POST', '/auth/refresh', { refreshToken: desk.refreshToken }],
      ['GET', '/sync/pull?limit=1', undefined],
      ['POST', '/sync/push', { deviceId: desk.deviceId, mutations: [] }],
      ['POST', '/auth/sign-in', signInBody('clinician1', desk.deviceId)],
    ] as const) {
      const res = await call(run.url, method, route, { token: desk.accessToken, body });
      expect([route, res.status, res.json.error]).toEqual([route, 403, 'DEVICE_REVOKED']);
      expect(res.json.message).toBe('This PC was removed from the clinic: ask IT to enrol it again.');
      expect(res.headers.get('x-clinic-device-status')).toBe('revoked');
    }
    // Its tokens are gone from the server, not merely refused at the door.
    expect(
      await run.server.store.accessToken(createHash('sha256').update(desk.accessToken).digest('hex')),
    ).toBeNull();
  });

  it('refresh refuses a staff member who is no longer active', async () => {
    const login = await signInStaff(run, 'reception2');
    expect((await run.server.store.staffAuthByUsername('reception2'))!.active).toBe(true);
    // No admin route deactivates staff yet: a second connection to the database does, as an HR sync would.
    const db = new Database(path.join(run.dataDir, 'portal.sqlite'));
    const setActive = (active: number) =>
      db.prepare('UPDATE staff SET active = ? WHERE username = ?').run(active, 'reception2');
    try {
      setActive(0);
      const res = await call(run.url, 'POST', '/auth/refresh', {
        body: { refreshToken: login.refreshToken },
      });
      expect(res.status).toBe(401);
      const pull = await call(run.url, 'GET', '/sync/pull?limit=1', { token: login.accessToken });
      expect(pull.status).toBe(401);
    } finally {
      setActive(1);
      db.close();
    }
    run.clock.advance(30);
    const back = await call(run.url, 'POST', '/auth/sign-in', {
      body: signInBody('reception2', login.deviceId),
    });
    expect(TokenResponse.parse(back.json).staff.username).toBe('reception2');
  });

  it('refuses a sealed, linked audit event of a staff member who never signed in on the device', async () => {
    const desk = await signInStaff(run, 'reception1');
    const event = sealAuditEvent({
      id: randomUUID(),
      at: new Date(run.clock.ms).toISOString(),
      staffId: 'stf-clinician2',
      role: 'clinician',
      deviceId: desk.deviceId,
      action: 'read',
      entityType: 'patient',
      entityId: 'pat-000003',
      outcome: 'success',
      fields: [],
      actorKind: 'staff',
      prevHash: '0'.repeat(64),
      version: 0,
    });
    const res = await call(run.url, 'POST', '/sync/push', {
      token: desk.accessToken,
      body: {
        deviceId: desk.deviceId,
        mutations: [mutation('stf-clinician2', event.id, { op: 'audit.append', event })],
      },
    });
    expect(PushResponse.parse(res.json).results[0]).toMatchObject({ status: 'rejected' });
    expect(await run.server.store.auditEvent(event.id)).toBeNull();
  });
});

describe('review fixes', () => {
  it('failed enrolments for an account do not lock that person out of signing in', async () => {
    const desk = await registerDevice(run, 'Desk of reception1');
    for (let i = 0; i < 12; i++) {
      const res = await call(run.url, 'POST', '/auth/devices', {
        body: { name: 'x', username: 'reception1', password: `wrong-${i}`, totp: '000000' },
      });
      expect([401, 429]).toContain(res.status);
    }
    run.clock.advance(30);
    const res = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('reception1', desk) });
    expect(res.status).toBe(200);
  });
});

describe('review fix: a server sign-out ends attribution', () => {
  it("refuses a change pushed in the name of someone who signed out, from another person's session", async () => {
    const desk = await signInStaff(run, 'reception1');
    const madeWhileSignedIn = new Date(run.clock.ms + 1000).toISOString();
    const doc = await signInStaff(run, 'clinician2', desk.deviceId);
    expect((await call(run.url, 'POST', '/auth/sign-out', { token: desk.accessToken })).status).toBe(200);
    run.clock.advance(5);
    const push = async (m: Mutation) =>
      PushResponse.parse(
        (
          await call(run.url, 'POST', '/sync/push', {
            token: doc.accessToken,
            body: { deviceId: desk.deviceId, mutations: [m] },
          })
        ).json,
      ).results[0];
    const after = mutation(RECEPTION1, 'thr-000003', { op: 'thread.setStatus', status: 'done' });
    expect(await push(after)).toMatchObject({ status: 'rejected' });
    expect((await run.server.store.thread('thr-000003'))?.status).not.toBe('done');
    // A change reception1 made before she signed out (and before clinician2 signed in) still goes in: a shared
    // PC's outbox of the previous user.
    const before = {
      ...mutation(RECEPTION1, 'thr-000003', { op: 'thread.setPriority', priority: 'urgent' }),
      createdAt: madeWhileSignedIn,
    };
    expect(await push(before)).toMatchObject({ status: 'applied' });
  });
});
