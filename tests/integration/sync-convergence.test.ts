/**
 * Convergence (DESIGN.md §5): three consoles (own data folders, devices and staff) and portal patients change
 * data; two consoles spend a while offline (one stopped, one pointed at a closed port) and keep working;
 * once everyone syncs, every console holds exactly the server's threads, messages, appointments and patients.
 * Real backend on loopback, real encrypted stores, real SSE pokes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationOp } from '../../src-shared/sync';
import type { Clock } from '../../src-main/base/adapters';
import { uuidv7 } from '../../src-main/base/ids';
import { SyncEngine, type SyncEngineOptions } from '../../src-main/sync/engine';
import type { MutationEntity } from '../../src-main/sync/local-mutations';
import { closedPort } from '../helpers/sync-fault-proxy';
import {
  TestCredentials,
  type TestServer,
  freeSlot,
  insertVisitsUnderWay,
  localSnapshot,
  patientMessage,
  patientNewThread,
  patientRequestAppointment,
  patientSignIn,
  serverSnapshot,
  sorted,
  startTestServer,
  waitFor,
  type SyncedConsole,
  writeLocalChange,
} from '../helpers/sync-harness';
import { makeTestStore } from '../helpers/sync-store';
import { virtualVisitLink } from '../../src-shared/virtual-visit';

const clock: Clock = { now: () => Date.now() };
const FAST: Partial<SyncEngineOptions> = {
  backoff: { baseMs: 20, capMs: 250, floorMs: 5 },
  pollIntervalMs: 2_000,
  requestTimeoutMs: 5_000,
  kickDelayMs: 5,
};

type Console = SyncedConsole;

describe('sync convergence', () => {
  let server: TestServer;
  const consoles: Console[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    // Visits under way today, for the offline check-in and no-show (issue 13a: only on the visit's day).
    await insertVisitsUnderWay(server, [
      { id: 'apt-today-checkin', providerId: 'prv-003', patientId: 'pat-000005' },
      { id: 'apt-today-noshow', providerId: 'prv-004', patientId: 'pat-000006' },
    ]);
  });
  afterAll(async () => {
    for (const c of consoles) {
      await c.engine.stop();
      c.t.dispose();
    }
    await server.close();
  });

  async function openConsole(name: string, username: string): Promise<Console> {
    const t = makeTestStore(`clinic-sync-${name}-`);
    const creds = await TestCredentials.signIn(server, username, name);
    const engine = new SyncEngine({ store: t.store, serverUrl: server.url, credentials: creds, ...FAST });
    const c = { name, t, creds, engine };
    consoles.push(c);
    return c;
  }

  const write = (c: Console, entity: MutationEntity, entityId: string, mutation: MutationOp): string =>
    writeLocalChange(c, clock, entity, entityId, mutation);

  /** Point a console at a port where nothing listens, keeping its store: it is offline but keeps working. */
  async function goOffline(c: Console): Promise<void> {
    await c.engine.stop();
    c.engine = new SyncEngine({
      store: c.t.store,
      serverUrl: `http://127.0.0.1:${await closedPort()}`,
      credentials: c.creds,
      ...FAST,
    });
    c.engine.start();
  }

  async function goOnline(c: Console): Promise<void> {
    await c.engine.stop();
    c.engine = new SyncEngine({ store: c.t.store, serverUrl: server.url, credentials: c.creds, ...FAST });
    c.engine.start();
  }

  it('three consoles and the portal converge on the server state after offline work', async () => {
    const desk = await openConsole('front-desk', 'reception1');
    const room = await openConsole('consult-room', 'clinician1');
    const desk2 = await openConsole('front-desk-2', 'reception2');
    for (const c of consoles) c.engine.start();
    const engines = () => consoles.map((c) => c.engine);
    await waitFor(
      'initial sync on every console',
      () => consoles.every((c) => c.engine.status().lastSyncedAt !== null),
      {
        engines: engines(),
      },
    );
    const initial = localSnapshot(desk.t.store);
    expect(initial.threads.size).toBeGreaterThan(10);
    expect(initial.appointments.size).toBeGreaterThan(10);

    // Live: a patient's new thread reaches every console through the poke stream, no one calls syncNow.
    const p1 = await patientSignIn(server.url, 1);
    const p2 = await patientSignIn(server.url, 2);
    const p3 = await patientSignIn(server.url, 3);
    const liveThread = await patientNewThread(
      server.url,
      p1,
      'Rash after new soap',
      'It itches since Monday.',
    );
    await waitFor(
      'the patient thread on every console',
      () => consoles.every((c) => c.t.store.threads.byId(liveThread)),
      {
        engines: engines(),
      },
    );

    // Two consoles go offline: one stopped outright, one pointed at a closed port (it keeps retrying).
    await desk2.engine.stop();
    await goOffline(room);

    // Threads of the administrative pool: receptionists and clinicians may both work them (issue 14a).
    const threads = sorted(initial.threads).filter((t) => t.status !== 'done' && t.poolId === 'front-desk');
    const [tA, tB, tC, tD] = threads as [
      (typeof threads)[number],
      (typeof threads)[number],
      (typeof threads)[number],
      (typeof threads)[number],
    ];
    const providers = desk.t.store.providers.list();
    const booked = sorted(initial.appointments).filter(
      (a) => a.status === 'booked' && a.start > '2026-11-24',
    );

    // Offline consult room: claim, triage and answer threads.
    write(room, 'thread', tA.id, { op: 'thread.assign', assigneeId: room.creds.staffId });
    write(room, 'thread', tA.id, { op: 'thread.setPriority', priority: 'urgent' });
    write(room, 'thread', tA.id, {
      op: 'message.send',
      messageId: uuidv7(),
      body: 'Offline reply from the consult room.',
    });
    write(room, 'thread', tB.id, { op: 'thread.setPriority', priority: 'asap' });
    write(room, 'thread', liveThread, {
      op: 'message.send',
      messageId: uuidv7(),
      body: 'Please send a photo.',
    });
    write(room, 'thread', tD.id, { op: 'thread.assign', assigneeId: room.creds.staffId });

    // Stopped front desk 2: book, cancel, check in, no-show.
    const newAppt = uuidv7();
    write(desk2, 'appointment', newAppt, {
      op: 'appointment.book',
      patientId: 'pat-000004',
      ...freeSlot(providers[0]!, 0, 3),
      reason: 'Booked while offline',
      virtualLink: null,
    });
    write(desk2, 'appointment', booked[0]!.id, {
      op: 'appointment.cancel',
      reason: 'Patient called to cancel',
    });
    write(desk2, 'appointment', 'apt-today-checkin', { op: 'appointment.checkIn' });
    write(desk2, 'appointment', 'apt-today-noshow', { op: 'appointment.noShow' });

    // Online front desk meanwhile: changes some of the same threads, and claims one the room claims offline.
    write(desk, 'thread', tB.id, { op: 'thread.setPriority', priority: 'stat' });
    write(desk, 'thread', tC.id, { op: 'thread.setStatus', status: 'in_progress' });
    write(desk, 'thread', tC.id, {
      op: 'message.send',
      messageId: uuidv7(),
      body: 'We have forwarded this.',
    });
    write(desk, 'thread', tD.id, { op: 'thread.assign', assigneeId: desk.creds.staffId });
    const deskBook = uuidv7();
    write(desk, 'appointment', deskBook, {
      op: 'appointment.book',
      patientId: 'pat-000005',
      ...freeSlot(providers[1]!, 0, 2),
      reason: 'Booked online',
      virtualLink: virtualVisitLink(deskBook),
    });

    // Patients keep going too.
    await patientMessage(
      server.url,
      p2,
      await patientNewThread(server.url, p2, 'Refill', 'Need a refill.'),
      'Thanks!',
    );
    await patientMessage(server.url, p1, liveThread, 'Here is more detail.');
    const portalRequest = await patientRequestAppointment(server.url, p3, freeSlot(providers[2]!, 1, 4));
    expect(portalRequest.status).toBe(201);

    await waitFor('the online desk to push everything', () => desk.t.store.outbox.count() === 0, {
      engines: engines(),
    });
    await waitFor('the room to notice it is offline', () => room.engine.status().connection === 'offline', {
      engines: engines(),
    });
    expect(room.engine.status().pending).toBe(6);
    expect(desk2.engine.status().pending).toBe(4);
    // Offline work is visible locally at once (optimistic), pending until pushed.
    expect(room.t.store.threads.byId(tA.id)).toMatchObject({
      assigneeId: room.creds.staffId,
      priority: 'urgent',
    });
    expect(desk2.t.store.appointments.byId(newAppt)).toMatchObject({ status: 'booked', version: 0 });

    // Everyone back online.
    await goOnline(room);
    desk2.engine.start();
    const all = engines();
    await waitFor('every outbox to drain', () => consoles.every((c) => c.t.store.outbox.count() === 0), {
      engines: all,
      timeoutMs: 15_000,
    });

    // Each console holds what the server serves its role (a receptionist gets no clinical bodies: issue 14a);
    // the clinician's view is the whole server state.
    const served = new Map<Console, Awaited<ReturnType<typeof serverSnapshot>>>();
    for (const c of consoles) served.set(c, await serverSnapshot(server.url, c.creds.tokens.access));
    const target = served.get(room)!;
    const same = (c: Console) => {
      const l = localSnapshot(c.t.store);
      const mine = served.get(c)!;
      return (['threads', 'messages', 'appointments', 'patients'] as const).every(
        (k) =>
          JSON.stringify(sorted(l[k] as Map<string, { id: string }>)) ===
          JSON.stringify(sorted(mine[k] as Map<string, { id: string }>)),
      );
    };
    await waitFor('every console to hold the server state', async () => consoles.every(same), {
      engines: all,
      timeoutMs: 15_000,
    });
    for (const c of consoles) {
      const l = localSnapshot(c.t.store);
      const target = served.get(c)!;
      expect(sorted(l.threads), c.name).toEqual(sorted(target.threads));
      expect(sorted(l.messages), c.name).toEqual(sorted(target.messages));
      expect(sorted(l.appointments), c.name).toEqual(sorted(target.appointments));
      expect(sorted(l.patients), c.name).toEqual(sorted(target.patients));
    }
    // and the front desks were served fewer messages than the consult room: none of the clinical pools'
    expect(served.get(desk)!.messages.size).toBeLessThan(target.messages.size);

    // The work itself made it: offline booking, offline replies, the later claim lost to the earlier one.
    expect(target.appointments.get(newAppt)).toMatchObject({
      status: 'booked',
      reason: 'Booked while offline',
      version: 1,
    });
    expect(target.appointments.get(booked[0]!.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Patient called to cancel',
    });
    expect(target.appointments.get('apt-today-checkin')?.status).toBe('checked-in');
    expect(target.appointments.get('apt-today-noshow')?.status).toBe('noshow');
    expect(target.appointments.get(deskBook)?.virtualLink).toBe(`https://visit.clinic.example/v/${deskBook}`);
    const bodies = [...target.messages.values()].map((m) => m.body);
    for (const b of [
      'Offline reply from the consult room.',
      'Please send a photo.',
      'We have forwarded this.',
      'Here is more detail.',
    ]) {
      expect(bodies.filter((x) => x === b)).toHaveLength(1);
    }
    expect(target.threads.get(tA.id)).toMatchObject({ assigneeId: room.creds.staffId, priority: 'urgent' });
    // The room pushed its asap after the desk's stat: the server applies in arrival order.
    expect(target.threads.get(tB.id)?.priority).toBe('asap');
    expect(target.threads.get(tD.id)?.assigneeId).toBe(desk.creds.staffId);

    // The room's claim of tD lost to the desk's earlier claim; the room is told, in words.
    expect(room.engine.problems()).toEqual([
      expect.objectContaining({ kind: 'conflict', operation: 'thread.assign', entityId: tD.id }),
    ]);
    expect(room.engine.problems()[0]!.message).toMatch(
      /^Assignment of .+'s thread ".+" not saved: This thread was claimed by .+ at another desk\. Open the thread to see where it stands now\.$/,
    );
    expect(desk.engine.problems()).toEqual([]);
    expect(desk2.engine.problems()).toEqual([]);
    await waitFor(
      'every console idle and online',
      () => consoles.every((c) => c.engine.status().connection === 'online'),
      {
        engines: engines(),
      },
    );
    for (const c of consoles) {
      expect(c.engine.status()).toMatchObject({
        connection: 'online',
        pending: 0,
        progress: null,
        problems: c === room ? 1 : 0,
      });
      expect(c.t.store.integrityCheck()).toBe('ok');
    }
  });

  it('initial sync streams in batches and reports progress (total = done + remaining)', async () => {
    const t = makeTestStore('clinic-sync-progress-');
    const creds = await TestCredentials.signIn(server, 'admin1');
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: server.url,
      credentials: creds,
      live: false,
      pullBatchSize: 50,
    });
    const progress: { done: number; total: number }[] = [];
    engine.onStatus((s) => {
      if (s.progress) progress.push(s.progress);
    });
    try {
      await engine.syncNow();
      const total = (await serverSnapshot(server.url, creds.tokens.access)).all.size;
      expect(progress.length).toBeGreaterThan(3);
      expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
      expect(progress[0]!.done).toBe(50);
      // The server's total can grow while we pull (this very sync is audited), never shrink.
      expect(progress.at(-1)!.total).toBeGreaterThanOrEqual(total - 5);
      for (const p of progress) expect(p.done).toBeLessThanOrEqual(p.total);
      expect(engine.status()).toMatchObject({ progress: null, connection: 'online' });
      expect(localSnapshot(t.store).threads.size).toBeGreaterThan(10);
    } finally {
      await engine.stop();
      t.dispose();
    }
  });
});
