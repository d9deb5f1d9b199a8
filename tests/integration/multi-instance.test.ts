/**
 * A clinic group's deployment (issue 15): two backend instances on loopback sharing one PostgreSQL database,
 * consoles connected to each. Pokes cross instances (LISTEN/NOTIFY), a push whose answer was lost is retried
 * against the other instance and applied once, the same push sent to both at once is applied once, a slot
 * raced for through both instances is booked once, and every console converges on one change order.
 * Real PostgreSQL (throwaway cluster of tests/setup/postgres.ts), real encrypted console stores, real SSE.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Change,
  type Mutation,
  type MutationOp,
  type MutationResult,
  PullResponse,
  PushResponse,
  SYNC_ROUTES,
} from '../../src-shared/sync';
import type { Clock } from '../../src-main/base/adapters';
import { uuidv7 } from '../../src-main/base/ids';
import { SyncEngine, type SyncEngineOptions } from '../../src-main/sync/engine';
import type { MutationEntity } from '../../src-main/sync/local-mutations';
import { demoStaff } from '../../server/demo/credentials';
import { FaultProxy, isPush } from '../helpers/sync-fault-proxy';
import { testPostgresDatabase } from '../helpers/pg-test-store';
import {
  type DeviceCred,
  TestCredentials,
  type TestServer,
  deviceHeader,
  enrolDevice,
  freeSlot,
  localSnapshot,
  patientNewThread,
  patientSignIn,
  serverSnapshot,
  sorted,
  startTestServer,
  syncUntilClean,
  waitFor,
  type SyncedConsole,
  writeLocalChange,
} from '../helpers/sync-harness';
import { makeTestStore } from '../helpers/sync-store';

const clock: Clock = { now: () => Date.now() };
const FAST: Partial<SyncEngineOptions> = {
  backoff: { baseMs: 20, capMs: 250, floorMs: 5 },
  // Long enough that only a poke (not a poll) can deliver a change within a test's wait.
  pollIntervalMs: 600_000,
  requestTimeoutMs: 5_000,
  kickDelayMs: 5,
};

type Console = SyncedConsole;

const portOf = (url: string): number => Number(new URL(url).port);

describe('two backend instances on one PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;
  const consoles: Console[] = [];
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    const database = await testPostgresDatabase('multi');
    a = await startTestServer({ scale: 0.05, database });
    b = await startTestServer({ scale: 0.05, database });
  });
  afterAll(async () => {
    for (const c of consoles) {
      await c.engine.stop();
      c.t.dispose();
    }
    for (const p of proxies) await p.close();
    await b?.close();
    await a?.close();
  });

  /** A console signed in through instance A (TOTP steps are per database) that syncs with `serverUrl`. */
  async function openConsole(
    name: string,
    username: string,
    serverUrl: string,
    over: Partial<SyncEngineOptions> = {},
  ): Promise<Console> {
    const t = makeTestStore(`clinic-multi-${name}-`);
    const creds = await TestCredentials.signIn(a, username, name);
    const engine = new SyncEngine({ store: t.store, serverUrl, credentials: creds, ...FAST, ...over });
    const c = { name, t, creds, engine };
    consoles.push(c);
    return c;
  }

  const write = (c: Console, entity: MutationEntity, entityId: string, mutation: MutationOp): string =>
    writeLocalChange(c, clock, entity, entityId, mutation);

  async function push(url: string, creds: TestCredentials, mutations: Mutation[]): Promise<MutationResult[]> {
    const res = await fetch(url + SYNC_ROUTES.push, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${creds.tokens.access}`,
        ...deviceHeader(creds.device),
      },
      body: JSON.stringify({ deviceId: creds.deviceId(), mutations }),
    });
    expect(res.status).toBe(200);
    return PushResponse.parse(await res.json()).results;
  }

  function mutation(
    creds: TestCredentials,
    entityId: string,
    baseVersion: number | null,
    op: MutationOp,
  ): Mutation {
    return {
      id: uuidv7(),
      entityId,
      baseVersion,
      createdAt: new Date().toISOString(),
      staffId: creds.staffId,
      mutation: op,
    };
  }

  async function pullAll(
    url: string,
    creds: TestCredentials,
  ): Promise<{ changes: Change[]; cursor: string }> {
    const changes: Change[] = [];
    let cursor = '0';
    for (;;) {
      const res = await fetch(`${url}${SYNC_ROUTES.pull}?after=${cursor}&limit=500`, {
        headers: { authorization: `Bearer ${creds.tokens.access}`, ...deviceHeader(creds.device) },
      });
      expect(res.status).toBe(200);
      const page = PullResponse.parse(await res.json());
      changes.push(...page.changes);
      cursor = page.cursor;
      if (!page.hasMore) return { changes, cursor };
    }
  }

  it('the second instance finds the first one’s data and seeds nothing', () => {
    expect(a.server.demo).not.toBeNull();
    expect(b.server.demo).toBeNull();
  });

  it('one TOTP code sent to both instances at once signs in once (replay refused across instances)', async () => {
    // TOTP steps are per database: every code comes from A's clock (B's runs at most one step behind).
    const d1 = await enrolDevice(a.url, 'replay 1', a.totpFor('admin1'));
    const d2 = await enrolDevice(a.url, 'replay 2', a.totpFor('admin1'));
    const code = a.totpFor('reception2');
    const attempt = (url: string, device: DeviceCred) =>
      fetch(url + SYNC_ROUTES.signIn, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...deviceHeader(device) },
        body: JSON.stringify({
          username: 'reception2',
          password: demoStaff('reception2').password,
          totp: code,
          deviceId: device.deviceId,
        }),
      }).then((r) => r.status);
    const statuses = await Promise.all([attempt(a.url, d1), attempt(b.url, d2)]);
    expect(statuses.sort()).toEqual([200, 401]);
  });

  it('a change taken by one instance pokes a console connected to the other (LISTEN/NOTIFY)', async () => {
    const onB = await openConsole('poked-on-b', 'clinician2', b.url);
    onB.engine.start();
    await waitFor('the initial sync through B', () => onB.engine.status().lastSyncedAt !== null, {
      engines: [onB.engine],
    });
    const patient = await patientSignIn(a.url, 7);
    const threadId = await patientNewThread(a.url, patient, 'Question about a bill', 'Posted through A.');
    // No poll can fire within this wait (pollIntervalMs is 10 minutes): only B's poke stream delivers it.
    await waitFor(
      'the thread posted on A in the console on B',
      () => onB.t.store.threads.byId(threadId) !== null,
      {
        engines: [onB.engine],
        timeoutMs: 5_000,
      },
    );
  });

  it('a push whose answer was lost is retried against the other instance and applied once', async () => {
    // A load balancer in front of both: the first push goes to A, A applies it, the answer is lost; the
    // balancer then sends everything to B, where the console's retry lands.
    const balancer = new FaultProxy(portOf(a.url));
    proxies.push(balancer);
    await balancer.listen();
    const c = await openConsole('failover', 'reception2', balancer.url, { live: false });
    await c.engine.syncNow();
    let failedOver = false;
    const pushesAfterFailover: string[] = [];
    balancer.onRequest = (line) => {
      if (failedOver && isPush(line)) pushesAfterFailover.push(line);
    };
    balancer.onResponse = (line) => {
      if (failedOver || !isPush(line)) return;
      failedOver = true;
      balancer.targetPort = portOf(b.url);
      return 'drop';
    };
    // A receptionist may change only threads of the administrative pool (issue 14a).
    const thread = sorted(localSnapshot(c.t.store).threads).find(
      (t) => t.status !== 'done' && t.poolId === 'front-desk',
    )!;
    const body = `Failover reply ${randomUUID()}`;
    const ids = [
      write(c, 'thread', thread.id, { op: 'message.send', messageId: uuidv7(), body }),
      write(c, 'thread', thread.id, { op: 'thread.setPriority', priority: 'urgent' }),
    ];
    await syncUntilClean(c.engine, c.t.store);
    expect(failedOver).toBe(true);
    expect(pushesAfterFailover.length).toBeGreaterThan(0);

    for (const server of [a, b]) {
      const snap = await serverSnapshot(server.url, c.creds.tokens.access);
      expect([...snap.messages.values()].filter((m) => m.body === body)).toHaveLength(1);
      expect(snap.threads.get(thread.id)).toMatchObject({ priority: 'urgent', version: thread.version + 2 });
    }
    for (const id of ids) {
      expect(
        JSON.parse((await a.server.store.appliedMutation(c.creds.deviceId()!, id)) ?? 'null'),
      ).toMatchObject({
        status: 'applied',
      });
    }
    expect(c.engine.problems()).toEqual([]);
  });

  it('the same mutations pushed to both instances at once are applied once each', async () => {
    const creds = await TestCredentials.signIn(a, 'clinician1', 'twice');
    const before = await serverSnapshot(a.url, creds.tokens.access);
    const threads = sorted(before.threads)
      .filter((t) => t.status !== 'done')
      .slice(0, 5);
    const mutations = threads.map((t) =>
      mutation(creds, t.id, t.version, { op: 'message.send', messageId: uuidv7(), body: `Twice ${t.id}` }),
    );
    const [viaA, viaB] = await Promise.all([push(a.url, creds, mutations), push(b.url, creds, mutations)]);
    expect(viaA).toEqual(viaB);
    expect(viaA.map((r) => r.status)).toEqual(mutations.map(() => 'applied'));
    const after = await serverSnapshot(b.url, creds.tokens.access);
    for (const t of threads) {
      expect([...after.messages.values()].filter((m) => m.body === `Twice ${t.id}`)).toHaveLength(1);
      expect(after.threads.get(t.id)!.version).toBe(t.version + 1);
    }
  });

  it('two desks racing for one slot through different instances: exactly one booking', async () => {
    const deskA = await TestCredentials.signIn(a, 'reception1', 'race A');
    const deskB = await TestCredentials.signIn(a, 'admin1', 'race B');
    const snap = await serverSnapshot(a.url, deskA.tokens.access);
    const provider = (await a.server.store.providers())[0]!;
    const slots = [0, 1, 2, 3].map((i) => freeSlot(provider, 7, i));
    for (const slot of slots) {
      const book = (creds: TestCredentials, n: number) =>
        mutation(creds, uuidv7(), null, {
          op: 'appointment.book',
          patientId: sorted(snap.patients)[n]!.id,
          ...slot,
          reason: 'Race',
          virtualLink: null,
        });
      const [[ra], [rb]] = await Promise.all([
        push(a.url, deskA, [book(deskA, 0)]),
        push(b.url, deskB, [book(deskB, 1)]),
      ]);
      expect([ra!.status, rb!.status].sort()).toEqual(['applied', 'conflict']);
    }
    const after = await serverSnapshot(b.url, deskA.tokens.access);
    for (const slot of slots) {
      expect(
        [...after.appointments.values()].filter(
          (x) => x.start === slot.start && x.providerId === provider.id,
        ),
      ).toHaveLength(1);
    }
  });

  it('consoles on both instances converge, and both instances serve one change order', async () => {
    const deskOnA = await openConsole('desk-a', 'reception1', a.url);
    const roomOnB = await openConsole('room-b', 'clinician1', b.url);
    const all = [deskOnA, roomOnB];
    for (const c of all) c.engine.start();
    const engines = () => all.map((c) => c.engine);
    await waitFor('initial sync on both', () => all.every((c) => c.engine.status().lastSyncedAt !== null), {
      engines: engines(),
    });
    const open = sorted(localSnapshot(deskOnA.t.store).threads).filter((t) => t.status !== 'done');
    // The desk (a receptionist) may change only threads of the administrative pool (issue 14a); the clinician
    // works clinical ones, so the two consoles still touch different threads.
    const deskThreads = open.filter((t) => t.poolId === 'front-desk');
    const roomThreads = open.filter((t) => t.poolId !== 'front-desk');
    const providers = deskOnA.t.store.providers.list();
    for (let i = 0; i < 6; i++) {
      write(roomOnB, 'thread', roomThreads[i]!.id, {
        op: 'thread.setPriority',
        priority: i % 2 ? 'asap' : 'stat',
      });
      write(deskOnA, 'thread', deskThreads[i]!.id, {
        op: 'message.send',
        messageId: uuidv7(),
        body: `Desk note ${i}`,
      });
      write(deskOnA, 'appointment', uuidv7(), {
        op: 'appointment.book',
        patientId: 'pat-000003',
        ...freeSlot(providers[1]!, 9, i),
        reason: 'Converge',
        virtualLink: null,
      });
    }
    await waitFor('both outboxes to drain', () => all.every((c) => c.t.store.outbox.count() === 0), {
      engines: engines(),
      timeoutMs: 15_000,
    });
    // Each console holds what the server serves its staff member: since issue 14a a receptionist gets no
    // message of a clinical pool, so the desk is compared with the receptionist's view (through instance A), the
    // room with the clinician's whole view (through instance B).
    const targets = new Map<Console, Awaited<ReturnType<typeof serverSnapshot>>>([
      [deskOnA, await serverSnapshot(a.url, deskOnA.creds.tokens.access)],
      [roomOnB, await serverSnapshot(b.url, roomOnB.creds.tokens.access)],
    ]);
    const same = (c: Console) => {
      const l = localSnapshot(c.t.store);
      const target = targets.get(c)!;
      return (['threads', 'messages', 'appointments', 'patients'] as const).every(
        (k) =>
          JSON.stringify(sorted(l[k] as Map<string, { id: string }>)) ===
          JSON.stringify(sorted(target[k] as Map<string, { id: string }>)),
      );
    };
    await waitFor('both consoles to hold the server state', () => all.every(same), {
      engines: engines(),
      timeoutMs: 15_000,
    });
    for (const c of all) {
      const l = localSnapshot(c.t.store);
      const target = targets.get(c)!;
      expect(sorted(l.threads), c.name).toEqual(sorted(target.threads));
      expect(sorted(l.messages), c.name).toEqual(sorted(target.messages));
      expect(sorted(l.appointments), c.name).toEqual(sorted(target.appointments));
    }
    // Both desks' changes arrived: the desk notes are in both views, the clinician's priorities on the room's.
    for (const c of all) {
      const bodies = [...localSnapshot(c.t.store).messages.values()].map((m) => m.body);
      for (let i = 0; i < 6; i++)
        expect(
          bodies.filter((b) => b === `Desk note ${i}`),
          c.name,
        ).toHaveLength(1);
    }
    for (let i = 0; i < 6; i++) {
      expect(localSnapshot(roomOnB.t.store).threads.get(roomThreads[i]!.id)?.priority).toBe(
        i % 2 ? 'asap' : 'stat',
      );
    }
    // One change log: a pull from 0 through either instance gives the same changes in the same order.
    // Every console stopped first: none may push (its own audit events) between the two pulls.
    for (const c of consoles) await c.engine.stop();
    const [fromA, fromB] = await Promise.all([pullAll(a.url, deskOnA.creds), pullAll(b.url, deskOnA.creds)]);
    expect(fromB.cursor).toBe(fromA.cursor);
    expect(fromB.changes.map((x) => `${x.entity}:${x.id}`)).toEqual(
      fromA.changes.map((x) => `${x.entity}:${x.id}`),
    );
  });
});
