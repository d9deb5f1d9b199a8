import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentRecord, AuditRecord, ThreadRecord } from '../src-shared/domain';
import { PortalSignInResponse, PushResponse } from '../src-shared/sync';
import { DEMO_PORTAL_PASSWORD, demoMrn } from './demo/credentials';
import {
  call,
  pullAll,
  signInPatient,
  signInStaff,
  startServer,
  type Running,
  type StaffLogin,
} from './test/helpers';

let run: Running;
let desk: StaffLogin;
let doc: StaffLogin;
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

beforeAll(async () => {
  run = await startServer();
  desk = await signInStaff(run, 'reception1');
  doc = await signInStaff(run, 'clinician1');
});
afterAll(async () => run.stop());

async function trail(entityType: string, entityId: string): Promise<AuditRecord[]> {
  const res = await call(run.url, 'GET', `/audit/entity?entityType=${entityType}&entityId=${entityId}`, {
    token: desk.accessToken,
  });
  expect(res.status).toBe(200);
  return res.json.events as AuditRecord[];
}

/** A future weekday at `hour`:00 UTC, `days` ahead of the clock. */
function future(days: number, hour: number, minutes = 30): { start: string; end: string } {
  let day = Date.parse(new Date(run.clock.ms).toISOString().slice(0, 10)) + days * 86_400_000;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += 86_400_000;
  const start = day + hour * 3_600_000;
  return { start: new Date(start).toISOString(), end: new Date(start + minutes * 60_000).toISOString() };
}

describe('portal sign-in', () => {
  it('signs a patient in with MRN and password and refuses wrong ones, then throttles', async () => {
    const ok = await call(run.url, 'POST', '/portal/sign-in', {
      body: { mrn: demoMrn(2), password: DEMO_PORTAL_PASSWORD },
    });
    expect(PortalSignInResponse.parse(ok.json).patientId).toBe('pat-000002');
    for (let i = 0; i < 5; i++) {
      const bad = await call(run.url, 'POST', '/portal/sign-in', {
        body: { mrn: demoMrn(9), password: `guess-${i}` },
      });
      expect(bad.status).toBe(401);
    }
    const locked = await call(run.url, 'POST', '/portal/sign-in', {
      body: { mrn: demoMrn(9), password: DEMO_PORTAL_PASSWORD },
    });
    expect(locked.status).toBe(429);
    expect(locked.json.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('portal threads', () => {
  it('creates a thread with an attachment that consoles pull, audited as the patient', async () => {
    const patient = await signInPatient(run, 11);
    const cursor = (await pullAll(run.url, desk.accessToken)).cursor;
    const res = await call(run.url, 'POST', '/portal/threads', {
      token: patient.token,
      body: {
        subject: 'Rash photo',
        body: 'Here is the photo you asked for.',
        attachment: { fileName: 'rash.png', mimeType: 'image/png', contentBase64: PNG },
      },
    });
    expect(res.status).toBe(201);
    const thread = res.json.thread;
    expect(thread.messages).toHaveLength(1);
    expect(thread.messages[0].attachments).toEqual([
      expect.objectContaining({ fileName: 'rash.png', mimeType: 'image/png', size: 70 }),
    ]);

    // A clinician's console is served the clinical thread whole (a receptionist's leaves out its body: issue 14a).
    const { changes } = await pullAll(run.url, doc.accessToken, cursor);
    const kinds = changes.map((c) => c.entity).sort();
    expect(kinds).toEqual(['attachment', 'audit', 'message', 'thread']);
    expect(changes.find((c) => c.entity === 'attachment')?.data).toMatchObject({
      contentBase64: PNG,
      size: 70,
    });
    expect(changes.find((c) => c.entity === 'thread')?.data).toMatchObject({
      patientId: 'pat-000011',
      status: 'new',
      priority: 'routine',
    });
    const events = await trail('thread', thread.id);
    expect(events).toEqual([
      expect.objectContaining({ action: 'create', actorKind: 'patient', deviceId: 'portal', staffId: null }),
    ]);
  });

  it('refuses attachments with a bad name, type or content', async () => {
    const patient = await signInPatient(run, 12);
    const bad = [
      { fileName: '../../etc/passwd', mimeType: 'text/plain', contentBase64: 'aGk=' },
      { fileName: 'run.exe', mimeType: 'application/x-msdownload', contentBase64: 'TVqQ' },
      {
        fileName: 'fake.png',
        mimeType: 'image/png',
        contentBase64: Buffer.from('not a png').toString('base64'),
      },
      { fileName: 'x.txt', mimeType: 'text/plain', contentBase64: '***' },
    ];
    for (const attachment of bad) {
      const res = await call(run.url, 'POST', '/portal/threads', {
        token: patient.token,
        body: { subject: 's', body: 'b', attachment },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('VALIDATION');
    }
  });

  it('lists only the patient’s threads with staff replies, and each read is audited', async () => {
    const all = (await pullAll(run.url, desk.accessToken)).changes;
    const own = all
      .filter((c) => c.entity === 'thread' && (c.data as ThreadRecord).patientId === 'pat-000013')
      .map((c) => c.id);
    const patient = await signInPatient(run, 13);
    let threads = (await call(run.url, 'GET', '/portal/threads', { token: patient.token })).json.threads as {
      id: string;
    }[];
    if (own.length === 0) {
      await call(run.url, 'POST', '/portal/threads', {
        token: patient.token,
        body: { subject: 'Question', body: 'Hello' },
      });
      threads = (await call(run.url, 'GET', '/portal/threads', { token: patient.token })).json.threads;
    } else {
      expect(threads.map((t) => t.id).sort()).toEqual([...own].sort());
    }
    const threadId = threads[0]!.id;
    const reply = 'The results are normal.';
    const push = await call(run.url, 'POST', '/sync/push', {
      token: doc.accessToken,
      body: {
        deviceId: doc.deviceId,
        mutations: [
          {
            id: randomUUID(),
            entityId: threadId,
            baseVersion: null,
            createdAt: new Date(run.clock.ms).toISOString(),
            staffId: doc.staff.id,
            mutation: { op: 'message.send', messageId: randomUUID(), body: reply },
          },
        ],
      },
    });
    expect(PushResponse.parse(push.json).results[0]!.status).toBe('applied');
    const again = (await call(run.url, 'GET', '/portal/threads', { token: patient.token })).json.threads as {
      id: string;
      messages: { authorKind: string; authorName: string; body: string }[];
    }[];
    const withReply = again.find((t) => t.id === threadId)!;
    expect(withReply.messages.at(-1)).toMatchObject({
      authorKind: 'staff',
      authorName: 'Dr. Amara Okafor',
      body: reply,
    });
    const reads = (await trail('thread', threadId)).filter(
      (e) => e.action === 'read' && e.actorKind === 'patient',
    );
    expect(reads.length).toBeGreaterThanOrEqual(2);
  });

  it('posts into an own thread (reopening a closed one) and hides other patients’ threads', async () => {
    const patient = await signInPatient(run, 14);
    const created = await call(run.url, 'POST', '/portal/threads', {
      token: patient.token,
      body: { subject: 'Refill', body: 'Please' },
    });
    const threadId = created.json.thread.id as string;
    const posted = await call(run.url, 'POST', `/portal/threads/${threadId}/messages`, {
      token: patient.token,
      body: { body: 'Thanks!' },
    });
    expect(posted.status).toBe(201);
    expect(posted.json.message).toMatchObject({ authorKind: 'patient', body: 'Thanks!' });
    const intruder = await signInPatient(run, 15);
    const denied = await call(run.url, 'POST', `/portal/threads/${threadId}/messages`, {
      token: intruder.token,
      body: { body: 'hi' },
    });
    expect(denied.status).toBe(404);
    expect(denied.json.error).toBe('NOT_FOUND');
  });
});

describe('portal appointments', () => {
  it('books a free slot, refuses a taken one with 409, and lets the patient cancel their own', async () => {
    const a = await signInPatient(run, 21);
    const b = await signInPatient(run, 22);
    // 16:30 on a 30-minute provider, a day the demo leaves mostly empty, nudged until free.
    let slot = future(40, 16);
    let first = await call(run.url, 'POST', '/portal/appointments', {
      token: a.token,
      body: { providerId: 'prv-002', ...slot, reason: 'Check-up' },
    });
    for (let h = 8; first.status === 409 && h < 16; h++) {
      slot = future(40, h);
      first = await call(run.url, 'POST', '/portal/appointments', {
        token: a.token,
        body: { providerId: 'prv-002', ...slot, reason: 'Check-up' },
      });
    }
    expect(first.status).toBe(201);
    const appointment = first.json.appointment as AppointmentRecord & { providerName: string };
    expect(appointment).toMatchObject({
      status: 'booked',
      patientId: 'pat-000021',
      providerName: 'Dr. Lukas Brenner',
    });

    const taken = await call(run.url, 'POST', '/portal/appointments', {
      token: b.token,
      body: { providerId: 'prv-002', ...slot, reason: 'Cough' },
    });
    expect(taken.status).toBe(409);
    expect(taken.json).toEqual({
      error: 'CONFLICT',
      message: expect.stringContaining('no longer available'),
    });

    const offGrid = {
      start: slot.start.replace(':00:00', ':10:00'),
      end: slot.end.replace(':30:00', ':40:00'),
    };
    expect(
      (
        await call(run.url, 'POST', '/portal/appointments', {
          token: b.token,
          body: { providerId: 'prv-002', ...offGrid, reason: 'x' },
        })
      ).status,
    ).toBe(400);
    const past = { start: '2020-01-06T09:00:00.000Z', end: '2020-01-06T09:30:00.000Z' };
    expect(
      (
        await call(run.url, 'POST', '/portal/appointments', {
          token: b.token,
          body: { providerId: 'prv-002', ...past, reason: 'x' },
        })
      ).status,
    ).toBe(400);

    const list = await call(run.url, 'GET', '/portal/appointments', { token: a.token });
    expect(list.json.appointments.every((x: AppointmentRecord) => x.patientId === 'pat-000021')).toBe(true);
    expect(list.json.appointments.map((x: AppointmentRecord) => x.id)).toContain(appointment.id);

    expect(
      (await call(run.url, 'DELETE', `/portal/appointments/${appointment.id}`, { token: b.token })).status,
    ).toBe(404);
    const cancelled = await call(run.url, 'DELETE', `/portal/appointments/${appointment.id}`, {
      token: a.token,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.appointment).toMatchObject({ status: 'cancelled', version: 2 });
    expect(
      (await call(run.url, 'DELETE', `/portal/appointments/${appointment.id}`, { token: a.token })).status,
    ).toBe(409);

    const events = await trail('appointment', appointment.id);
    expect(events.map((e) => [e.action, e.actorKind])).toEqual([
      ['update', 'patient'],
      ['create', 'patient'],
    ]);
    // The freed slot can be booked again.
    const rebook = await call(run.url, 'POST', '/portal/appointments', {
      token: b.token,
      body: { providerId: 'prv-002', ...slot, reason: 'Cough' },
    });
    expect(rebook.status).toBe(201);
  });
});
