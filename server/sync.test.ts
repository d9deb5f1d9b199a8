import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentRecord, ThreadRecord } from '../src-shared/domain';
import { SLOT_HOLDING_STATUSES } from '../src-shared/domain';
import {
  DEVICE_CREDENTIAL_HEADER,
  PullResponse,
  PushResponse,
  type Change,
  type Mutation,
  type MutationOp,
  type MutationResult,
} from '../src-shared/sync';
import {
  call,
  deviceCredential,
  pullAll,
  sealAuditEvent,
  signInPatient,
  signInStaff,
  startServer,
  type Running,
  type StaffLogin,
} from './test/helpers';

let run: Running;
let deskA: StaffLogin;
let deskB: StaffLogin;
let doc1: StaffLogin;
let doc2: StaffLogin;
let all: Change[];

beforeAll(async () => {
  run = await startServer();
  deskA = await signInStaff(run, 'reception1');
  deskB = await signInStaff(run, 'reception2');
  doc1 = await signInStaff(run, 'clinician1');
  doc2 = await signInStaff(run, 'clinician2');
  // A clinician is served every change; a receptionist's batches leave out clinical bodies (issue 14a).
  all = (await pullAll(run.url, doc1.accessToken)).changes;
});
afterAll(async () => run.stop());

function mutation(login: StaffLogin, entityId: string, baseVersion: number | null, op: MutationOp): Mutation {
  return {
    id: randomUUID(),
    entityId,
    baseVersion,
    createdAt: new Date(run.clock.ms).toISOString(),
    staffId: login.staff.id,
    mutation: op,
  };
}

async function push(login: StaffLogin, ...mutations: Mutation[]): Promise<MutationResult[]> {
  const res = await call(run.url, 'POST', '/sync/push', {
    token: login.accessToken,
    body: { deviceId: login.deviceId, mutations },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results;
}

async function latestCursor(): Promise<string> {
  return (await pullAll(run.url, deskA.accessToken, '0', 5000)).cursor;
}

const records = <T>(changes: Change[], entity: Change['entity']) =>
  changes.filter((c) => c.entity === entity).map((c) => c.data as T);

/** A free slot of a 15-minute provider `days` ahead of the demo's today (a weekday). */
async function freeSlot(
  days: number,
  providerId = 'prv-001',
  fromMinute = 8 * 60,
): Promise<{ start: string; end: string }> {
  const appointments = records<AppointmentRecord>(
    (await pullAll(run.url, deskA.accessToken)).changes,
    'appointment',
  );
  let day = Date.parse(new Date(run.clock.ms).toISOString().slice(0, 10)) + days * 86_400_000;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += 86_400_000;
  for (let minute = fromMinute; minute < 17 * 60; minute += 15) {
    const start = new Date(day + minute * 60_000).toISOString();
    const end = new Date(day + (minute + 15) * 60_000).toISOString();
    const taken = appointments.some(
      (a) =>
        a.providerId === providerId &&
        SLOT_HOLDING_STATUSES.includes(a.status) &&
        a.start < end &&
        a.end > start,
    );
    if (!taken) return { start, end };
  }
  throw new Error('no free slot');
}

const book = (
  patientId: string,
  slot: { start: string; end: string },
  providerId = 'prv-001',
): MutationOp => ({
  op: 'appointment.book',
  patientId,
  providerId,
  ...slot,
  reason: 'Follow-up visit',
  virtualLink: null,
});

describe('pull', () => {
  it('pages through every change exactly once, in cursor order, with remaining counts', async () => {
    const first = PullResponse.parse(
      (await call(run.url, 'GET', '/sync/pull?limit=300', { token: doc1.accessToken })).json,
    );
    expect(first.changes).toHaveLength(300);
    expect(first.hasMore).toBe(true);
    const paged = await pullAll(run.url, doc1.accessToken, '0', 300);
    expect(first.remaining).toBe(paged.changes.length - 300);
    const keys = paged.changes.map((c) => `${c.entity}:${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(paged.changes.length).toBeGreaterThanOrEqual(all.length);
    expect(records(paged.changes, 'patient')).toHaveLength(200);
    expect(records(paged.changes, 'thread')).toHaveLength(800);
    expect(records(paged.changes, 'staff')).toHaveLength(5);
    const last = PullResponse.parse(
      (await call(run.url, 'GET', `/sync/pull?after=${paged.cursor}`, { token: deskA.accessToken })).json,
    );
    expect(last).toEqual({ changes: [], cursor: paged.cursor, hasMore: false, remaining: 0 });
  });

  it('coalesces an entity changed many times into one change at its latest state', async () => {
    const thread = records<ThreadRecord>(all, 'thread').find((t) => t.id === 'thr-000010')!;
    const cursor = await latestCursor();
    const results = await push(
      doc1,
      mutation(doc1, thread.id, thread.version, { op: 'thread.setPriority', priority: 'urgent' }),
      mutation(doc1, thread.id, thread.version + 1, { op: 'thread.setPriority', priority: 'asap' }),
      mutation(doc1, thread.id, thread.version + 2, { op: 'thread.setStatus', status: 'in_progress' }),
    );
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    const { changes } = await pullAll(run.url, deskA.accessToken, cursor);
    const threads = records<ThreadRecord>(changes, 'thread');
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({
      id: thread.id,
      priority: 'asap',
      status: 'in_progress',
      version: thread.version + 3,
    });
    // Each applied mutation is also a server audit event attributed to the staff member and device.
    const audits = records<{ entityId: string; staffId: string; deviceId: string }>(changes, 'audit');
    expect(
      audits.filter(
        (a) => a.entityId === thread.id && a.staffId === doc1.staff.id && a.deviceId === doc1.deviceId,
      ),
    ).toHaveLength(3);
  });

  it('refuses a cursor ahead of the server with CURSOR_AHEAD', async () => {
    const res = await call(run.url, 'GET', '/sync/pull?after=999999999', { token: deskA.accessToken });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe('CURSOR_AHEAD');
  });
});

describe('push', () => {
  it('applies a mutation at most once: a retry returns the stored result', async () => {
    const thread = records<ThreadRecord>(all, 'thread').find((t) => t.id === 'thr-000020')!;
    const m = mutation(doc2, thread.id, thread.version, { op: 'thread.setPriority', priority: 'stat' });
    const [first] = await push(doc2, m);
    const [second, third] = await push(doc2, m, m);
    expect(first).toEqual({ id: m.id, status: 'applied', version: thread.version + 1 });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const after = records<ThreadRecord>((await pullAll(run.url, doc2.accessToken)).changes, 'thread').find(
      (t) => t.id === thread.id,
    )!;
    expect(after.version).toBe(thread.version + 1);
  });

  it('books a slot at one desk and reports a conflict with the holder to the other', async () => {
    const slot = await freeSlot(10);
    const idA = randomUUID();
    const idB = randomUUID();
    const [[a], [b]] = await Promise.all([
      push(deskA, mutation(deskA, idA, null, book('pat-000001', slot))),
      push(deskB, mutation(deskB, idB, null, book('pat-000002', slot))),
    ]);
    const results = [a!, b!];
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'conflict');
    expect(lost).toBeDefined();
    if (lost?.status !== 'conflict') throw new Error('expected a conflict');
    expect(lost.reason).toBe('This slot was booked at another desk.');
    const winnerId = a!.status === 'applied' ? idA : idB;
    expect(lost.current).toMatchObject({
      entity: 'appointment',
      id: winnerId,
      data: { status: 'booked', ...slot },
    });

    // Overlapping the held slot with a longer booking is a conflict too.
    const longer = { start: slot.start, end: new Date(Date.parse(slot.end) + 15 * 60_000).toISOString() };
    const [overlap] = await push(deskB, mutation(deskB, randomUUID(), null, book('pat-000003', longer)));
    expect(overlap!.status).toBe('conflict');
  });

  it('names the portal when a patient took the slot first', async () => {
    const slot = await freeSlot(11, 'prv-003');
    const patient = await signInPatient(run, 7);
    const request = await call(run.url, 'POST', '/portal/appointments', {
      token: patient.token,
      body: { providerId: 'prv-003', ...slot, reason: 'Sore throat' },
    });
    expect(request.status).toBe(201);
    const [result] = await push(
      deskA,
      mutation(deskA, randomUUID(), null, book('pat-000001', slot, 'prv-003')),
    );
    expect(result).toMatchObject({
      status: 'conflict',
      reason: 'This slot was just booked by a patient through the portal.',
    });
  });

  it('rejects bookings off the slot grid or outside working hours', async () => {
    const slot = await freeSlot(12);
    const day = slot.start.slice(0, 10);
    const bad = [
      { start: `${day}T08:07:00.000Z`, end: `${day}T08:22:00.000Z` },
      { start: `${day}T07:45:00.000Z`, end: `${day}T08:00:00.000Z` },
      { start: `${day}T17:00:00.000Z`, end: `${day}T17:15:00.000Z` },
      { start: slot.end, end: slot.start },
    ];
    const results = await push(
      deskA,
      ...bad.map((s) => mutation(deskA, randomUUID(), null, book('pat-000001', s))),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(results.every((r) => r.status === 'rejected' && r.current === null)).toBe(true);
    const [https] = await push(
      deskA,
      mutation(deskA, randomUUID(), null, {
        ...book('pat-000001', slot),
        virtualLink: 'javascript:alert(1)',
      } as MutationOp),
    );
    expect(https!.status).toBe('rejected');
  });

  it('applies valid status transitions and rejects invalid ones with the current record', async () => {
    // Today, later than the clock (09:00): a check-in is only accepted on the visit's day (issue 13a).
    const slot = await freeSlot(0, 'prv-001', 12 * 60);
    const id = randomUUID();
    const results = await push(
      deskA,
      mutation(deskA, id, null, book('pat-000004', slot)),
      mutation(deskA, id, 1, { op: 'appointment.checkIn' }),
      mutation(deskA, id, 2, { op: 'appointment.noShow' }),
      mutation(deskA, id, 2, { op: 'appointment.cancel', reason: 'Patient request' }),
    );
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'rejected']);
    const rejected = results[2]!;
    if (rejected.status !== 'rejected') throw new Error('expected rejected');
    expect(rejected.reason).toBe('An appointment that is checked-in cannot be marked as no-show.');
    expect(rejected.current).toMatchObject({
      entity: 'appointment',
      id,
      data: { status: 'checked-in', version: 2 },
    });

    const slot2 = await freeSlot(14);
    const id2 = randomUUID();
    const more = await push(
      deskB,
      mutation(deskB, id2, null, book('pat-000005', slot2)),
      mutation(deskB, id2, 1, { op: 'appointment.cancel', reason: 'Patient unwell' }),
      mutation(deskB, id2, 2, { op: 'appointment.cancel', reason: 'Again' }),
      mutation(deskB, id2, 2, { op: 'appointment.checkIn' }),
      mutation(deskB, id2, 2, { op: 'appointment.reschedule', providerId: 'prv-001', ...slot2 }),
    );
    expect(more.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'rejected', 'rejected']);
    // A cancelled appointment no longer holds its slot.
    const [rebook] = await push(deskA, mutation(deskA, randomUUID(), null, book('pat-000006', slot2)));
    expect(rebook!.status).toBe('applied');
  });

  it('reschedules onto a free slot and refuses a held one', async () => {
    const free = await freeSlot(15);
    const id = randomUUID();
    await push(deskA, mutation(deskA, id, null, book('pat-000008', free)));
    const target = await freeSlot(15);
    const [moved] = await push(
      deskA,
      mutation(deskA, id, 1, { op: 'appointment.reschedule', providerId: 'prv-001', ...target }),
    );
    expect(moved).toMatchObject({ status: 'applied', version: 2 });
    const other = randomUUID();
    await push(deskB, mutation(deskB, other, null, book('pat-000009', free)));
    const [clash] = await push(
      deskA,
      mutation(deskA, id, 2, { op: 'appointment.reschedule', providerId: 'prv-001', ...free }),
    );
    expect(clash).toMatchObject({ status: 'conflict', current: { entity: 'appointment', id: other } });
  });

  it('reports a claim by another desk as a conflict when the base version is stale', async () => {
    const thread = records<ThreadRecord>(all, 'thread').find(
      (t) => t.assigneeId === null && t.status === 'new',
    )!;
    const [claim] = await push(
      doc1,
      mutation(doc1, thread.id, thread.version, { op: 'thread.assign', assigneeId: doc1.staff.id }),
    );
    expect(claim).toMatchObject({ status: 'applied', version: thread.version + 1 });
    const [late] = await push(
      doc2,
      mutation(doc2, thread.id, thread.version, { op: 'thread.assign', assigneeId: doc2.staff.id }),
    );
    if (late?.status !== 'conflict') throw new Error('expected a conflict');
    expect(late.reason).toBe('This thread was claimed by Dr. Amara Okafor at another desk.');
    expect(late.current).toMatchObject({
      entity: 'thread',
      id: thread.id,
      data: { assigneeId: doc1.staff.id },
    });
    // Having seen the claim (fresh base version), an explicit reassignment applies.
    const [reassign] = await push(
      doc2,
      mutation(doc2, thread.id, thread.version + 1, { op: 'thread.assign', assigneeId: doc2.staff.id }),
    );
    expect(reassign).toMatchObject({ status: 'applied', version: thread.version + 2 });
  });

  it('sends a staff message into the thread and updates the thread', async () => {
    const thread = records<ThreadRecord>(all, 'thread').find((t) => t.id === 'thr-000030')!;
    const cursor = await latestCursor();
    const messageId = randomUUID();
    const op: MutationOp = { op: 'message.send', messageId, body: 'Please book a routine appointment.' };
    const [sent] = await push(doc1, mutation(doc1, thread.id, thread.version, op));
    expect(sent).toMatchObject({ status: 'applied', version: thread.version + 1 });
    // Re-sent under a new mutation id (e.g. after a lost answer): no second message.
    const [again] = await push(doc1, mutation(doc1, thread.id, thread.version, op));
    expect(again!.status).toBe('applied');
    const { changes } = await pullAll(run.url, doc1.accessToken, cursor);
    const messages = records<{ id: string; authorKind: string; authorId: string; threadId: string }>(
      changes,
      'message',
    );
    expect(messages).toEqual([
      expect.objectContaining({
        id: messageId,
        authorKind: 'staff',
        authorId: doc1.staff.id,
        threadId: thread.id,
      }),
    ]);
    const updated = records<ThreadRecord>(changes, 'thread')[0]!;
    expect(updated.lastMessageAt > thread.lastMessageAt).toBe(true);
    expect(updated.dueAt).toBeNull();
  });

  it('refuses a change whose text is not well-formed Unicode on its own; the rest of the batch applies', async () => {
    const thread = records<ThreadRecord>(all, 'thread').find((t) => t.id === 'thr-000031')!;
    const cursor = await latestCursor();
    // A lone high surrogate: half of an emoji, cut off.
    const bad = mutation(doc1, thread.id, thread.version, {
      op: 'message.send',
      messageId: randomUUID(),
      body: 'Take two tablets \ud83d',
    });
    const goodMessageId = randomUUID();
    const good = mutation(doc1, thread.id, thread.version, {
      op: 'message.send',
      messageId: goodMessageId,
      body: 'Take two tablets 😀',
    });
    const [refused, sent] = await push(doc1, bad, good);
    expect(refused).toEqual({
      id: bad.id,
      status: 'rejected',
      reason: 'mutation.body: text that is not valid Unicode (a lone UTF-16 surrogate)',
      current: null,
    });
    expect(sent).toMatchObject({ id: good.id, status: 'applied' });
    // At most once: sent again, the refusal is the stored result.
    expect(await push(doc1, bad)).toEqual([refused]);
    const { changes } = await pullAll(run.url, doc1.accessToken, cursor);
    const messages = records<{ id: string; body: string }>(changes, 'message');
    expect(messages.map((m) => [m.id, m.body])).toEqual([[goodMessageId, 'Take two tablets 😀']]);
    // The refused attempt is in the thread's trail, attributed (DESIGN §7), besides the applied reply.
    const trail = await call(run.url, 'GET', `/audit/entity?entityType=thread&entityId=${thread.id}`, {
      token: doc1.accessToken,
    });
    const events = (trail.json as { events: { action: string; outcome: string; staffId: string }[] }).events;
    expect(events.filter((e) => e.outcome === 'failure')).toEqual([
      // Filed as the reply it tried to be (the handler's own action for message.send).
      expect.objectContaining({ action: 'create', outcome: 'failure', staffId: doc1.staff.id }),
    ]);
  });

  it('appends console audit events at most once and only for the pushing device', async () => {
    const event = sealAuditEvent({
      id: randomUUID(),
      at: new Date(run.clock.ms).toISOString(),
      staffId: deskA.staff.id,
      role: 'receptionist' as const,
      deviceId: deskA.deviceId,
      action: 'read' as const,
      entityType: 'patient' as const,
      entityId: 'pat-000001',
      outcome: 'success' as const,
      fields: [],
      actorKind: 'staff' as const,
      prevHash: '0'.repeat(64),
      version: 1,
    });
    const cursor = await latestCursor();
    // A console pushes each event under its own id as the mutation id: a retry is answered from the stored result.
    const m = { ...mutation(deskA, event.id, null, { op: 'audit.append', event }), id: event.id };
    const results = await push(deskA, m, m);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const { changes } = await pullAll(run.url, deskA.accessToken, cursor);
    expect(changes).toEqual([{ entity: 'audit', id: event.id, data: event }]);
    const [foreign] = await push(
      deskB,
      mutation(deskB, randomUUID(), null, { op: 'audit.append', event: { ...event, id: randomUUID() } }),
    );
    expect(foreign!.status).toBe('rejected');
    const trail = await call(run.url, 'GET', '/audit/entity?entityType=patient&entityId=pat-000001', {
      token: deskA.accessToken,
    });
    expect(trail.json.events.map((e: { id: string }) => e.id)).toContain(event.id);
  });

  it("appends a device's staff-less event (a failed sign-in by an unknown username) under 'system'", async () => {
    const head = (await call(run.url, 'GET', '/sync/audit-head', { token: deskA.accessToken })).json.head;
    const event = sealAuditEvent({
      id: randomUUID(),
      at: new Date(run.clock.ms).toISOString(),
      staffId: null,
      role: null,
      deviceId: deskA.deviceId,
      action: 'failed-sign-in' as const,
      entityType: 'session' as const,
      entityId: null,
      outcome: 'failure' as const,
      fields: [],
      actorKind: 'staff' as const,
      prevHash: head?.hash ?? '0'.repeat(64),
      version: 0,
    });
    const m = { ...mutation(deskA, event.id, null, { op: 'audit.append', event }), staffId: 'system' };
    const [result] = await push(deskA, m);
    expect(result).toMatchObject({ status: 'applied' });
    // 'system' is only for staff-less events: it does not let a device attribute an event to nobody else.
    const named = sealAuditEvent({ ...event, id: randomUUID(), staffId: 'stf-admin1', prevHash: event.hash });
    const [refused] = await push(deskA, {
      ...mutation(deskA, named.id, null, { op: 'audit.append', event: named }),
      staffId: 'system',
    });
    expect(refused).toMatchObject({ status: 'rejected' });
  });

  it('rejects unknown entities, roles that may not, staff unknown to the device, and another device id', async () => {
    const [unknown] = await push(
      doc1,
      mutation(doc1, 'thr-nope', 1, { op: 'thread.setStatus', status: 'done' }),
    );
    expect(unknown).toMatchObject({ status: 'rejected', current: null });
    const [cancelUnknown] = await push(
      deskA,
      mutation(deskA, 'apt-nope', 1, { op: 'appointment.cancel', reason: 'x' }),
    );
    expect(cancelUnknown).toMatchObject({ status: 'rejected', current: null });
    const slot = await freeSlot(16);
    const refusedBooking = mutation(doc1, randomUUID(), null, book('pat-000001', slot));
    const [role] = await push(doc1, refusedBooking);
    expect(role).toMatchObject({ status: 'rejected', reason: 'A clinician may not do appointment.book.' });
    // Filed as the booking it tried to be, on the appointment it named (DESIGN §7: refused attempts).
    const trail = await call(
      run.url,
      'GET',
      `/audit/entity?entityType=appointment&entityId=${refusedBooking.entityId}`,
      { token: doc1.accessToken },
    );
    expect((trail.json as { events: unknown[] }).events).toEqual([
      expect.objectContaining({ action: 'create', outcome: 'failure', staffId: doc1.staff.id }),
    ]);
    const [stranger] = await push(deskA, {
      ...mutation(deskA, 'thr-000001', 1, { op: 'thread.setStatus', status: 'done' }),
      staffId: 'stf-admin1',
    });
    expect(stranger).toMatchObject({
      status: 'rejected',
      reason: 'The person who made this change has never signed in online on this PC.',
    });
    const res = await call(run.url, 'POST', '/sync/push', {
      token: deskA.accessToken,
      body: {
        deviceId: deskB.deviceId,
        mutations: [mutation(deskA, 'thr-000001', 1, { op: 'thread.setStatus', status: 'done' })],
      },
    });
    expect(res.status).toBe(403);
  });

  it('records the server audit event for an applied change with staff and device', async () => {
    const slot = await freeSlot(17);
    const id = randomUUID();
    await push(deskB, mutation(deskB, id, null, book('pat-000010', slot)));
    const trail = await call(run.url, 'GET', `/audit/entity?entityType=appointment&entityId=${id}`, {
      token: deskA.accessToken,
    });
    expect(trail.json.events).toEqual([
      expect.objectContaining({
        action: 'create',
        staffId: 'stf-reception2',
        role: 'receptionist',
        deviceId: deskB.deviceId,
        outcome: 'success',
        actorKind: 'staff',
      }),
    ]);
  });
});

describe('SSE poke stream', () => {
  it('pokes an open console when a patient posts a message', async () => {
    const controller = new AbortController();
    const res = await fetch(`${run.url}/sync/events`, {
      headers: {
        authorization: `Bearer ${deskA.accessToken}`,
        [DEVICE_CREDENTIAL_HEADER]: deviceCredential(deskA.deviceId),
      },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const nextPoke = async (): Promise<string> => {
      for (;;) {
        const match = /event: poke\ndata: (\{[^\n]*\})\n\n/.exec(buffer);
        if (match) {
          buffer = buffer.slice(match.index + match[0].length);
          return (JSON.parse(match[1]!) as { cursor: string }).cursor;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    const initial = await nextPoke();
    expect(initial).toBe(await latestCursor());

    const patient = await signInPatient(run, 3);
    const threads = await call(run.url, 'GET', '/portal/threads', { token: patient.token });
    const threadId = threads.json.threads[0]?.id as string | undefined;
    const posted = threadId
      ? await call(run.url, 'POST', `/portal/threads/${threadId}/messages`, {
          token: patient.token,
          body: { body: 'Any news?' },
        })
      : await call(run.url, 'POST', '/portal/threads', {
          token: patient.token,
          body: { subject: 'Hello', body: 'Any news?' },
        });
    expect(posted.status).toBe(201);
    let poked = await nextPoke();
    while (BigInt(poked) < BigInt(await latestCursor())) poked = await nextPoke();
    expect(BigInt(poked) > BigInt(initial)).toBe(true);
    const { changes } = await pullAll(run.url, doc1.accessToken, initial);
    expect(changes.some((c) => c.entity === 'message' && c.data?.body === 'Any news?')).toBe(true);
    controller.abort();
  });

  it('ends open streams when the server closes', async () => {
    const other = await startServer();
    const login = await signInStaff(other, 'reception1');
    const res = await fetch(`${other.url}/sync/events`, {
      headers: {
        authorization: `Bearer ${login.accessToken}`,
        [DEVICE_CREDENTIAL_HEADER]: deviceCredential(login.deviceId),
      },
    });
    const reader = res.body!.getReader();
    await reader.read();
    await other.stop();
    // The stream finishes (or is cut) instead of keeping close() waiting.
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).resolves.toBe('ended');
  });
});
