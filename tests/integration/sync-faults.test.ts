/**
 * Sync under a hostile network and a crashing server. The console talks to the backend (a child process, so it
 * can be killed -9) through a fault-injecting TCP proxy. Whatever happens, no mutation is lost and none is
 * applied twice: every mutation id is in the server's applied-mutations table exactly once with status applied,
 * thread versions rose by exactly the number of changes, each reply body exists once, non-repeatable
 * appointment transitions went through once, and the server audited each change once.
 */
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationOp } from '../../src-shared/sync';
import { PRIORITIES } from '../../src-shared/domain';
import { totp } from '../../src-shared/totp';
import type { Clock } from '../../src-main/base/adapters';
import { uuidv7 } from '../../src-main/base/ids';
import { readCursor } from '../../src-main/sync/apply-changes';
import { SyncEngine, type SyncEngineOptions } from '../../src-main/sync/engine';
import { type MutationEntity, recordLocalMutation } from '../../src-main/sync/local-mutations';
import { demoStaff } from '../../server/demo/credentials';
import { FaultProxy, httpResponse, isEvents, isPull, isPush } from '../helpers/sync-fault-proxy';
import {
  TestCredentials,
  enrolDevice,
  localSnapshot,
  patientNewThread,
  patientSignIn,
  sorted,
  waitFor,
} from '../helpers/sync-harness';
import { type ServerProcess, killHard, openServerDb, spawnServer } from '../helpers/sync-server-process';
import { type TestStore, makeTestStore } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const clock: Clock = { now: () => Date.now() };
const FAST: Partial<SyncEngineOptions> = {
  backoff: { baseMs: 20, capMs: 200, floorMs: 5 },
  pollIntervalMs: 60_000,
  requestTimeoutMs: 2_000,
  kickDelayMs: 5,
  live: false,
};

/** What a scenario recorded locally, to be found on the server exactly once. */
interface Recorded {
  ids: string[];
  threadVersions: Map<string, { before: number; changes: number }>;
  bodies: string[];
  cancelled: Map<string, number>;
}

describe('sync faults', () => {
  let server: ServerProcess;
  let dataDir: { dir: string; cleanup: () => void };
  let proxy: FaultProxy;
  let creds: TestCredentials;
  let db: Database.Database;
  const stores: TestStore[] = [];
  const engines: SyncEngine[] = [];
  /** Threads and appointments not yet used by a scenario (each scenario takes its own). */
  let freeThreads: string[] = [];
  let freeBooked: string[] = [];

  beforeAll(async () => {
    dataDir = tempDir('clinic-sync-faults-server-');
    server = await spawnServer(dataDir.dir);
    proxy = new FaultProxy(server.port);
    await proxy.listen();
    // Auth goes straight to the server; only sync traffic crosses the proxy.
    const device = await enrolDevice(server.url, 'faulty desk');
    creds = new TestCredentials(server.url, device);
    await creds.signIn('reception1', totp(demoStaff('reception1').totpSecret, Date.now()));
    db = openServerDb(server.dataDir);
    const t = newStore();
    await newEngine(t).syncNow();
    const snap = localSnapshot(t.store);
    // The console signs in as a receptionist: since triage pools (issue 14a) it may change only threads of the
    // administrative pool; a change to a clinical thread is rightly rejected by the server.
    freeThreads = sorted(snap.threads)
      .filter((x) => x.poolId === 'front-desk')
      .map((x) => x.id);
    freeBooked = sorted(snap.appointments)
      .filter((a) => a.status === 'booked')
      .map((a) => a.id);
  });

  afterAll(async () => {
    for (const e of engines) await e.stop();
    for (const t of stores) t.dispose();
    db?.close();
    await proxy?.close();
    if (server) await killHard(server);
    dataDir?.cleanup();
  });

  function newStore(): TestStore {
    const t = makeTestStore('clinic-sync-faults-');
    stores.push(t);
    return t;
  }

  function newEngine(t: TestStore, over: Partial<SyncEngineOptions> = {}): SyncEngine {
    const e = new SyncEngine({ store: t.store, serverUrl: proxy.url, credentials: creds, ...FAST, ...over });
    engines.push(e);
    return e;
  }

  /** A console with its initial sync done. */
  async function freshConsole(
    over: Partial<SyncEngineOptions> = {},
  ): Promise<{ t: TestStore; engine: SyncEngine }> {
    const t = newStore();
    const engine = newEngine(t, over);
    await engine.syncNow();
    return { t, engine };
  }

  function write(
    t: TestStore,
    rec: Recorded,
    entity: MutationEntity,
    entityId: string,
    mutation: MutationOp,
  ): void {
    const base =
      entity === 'appointment'
        ? t.store.appointments.byId(entityId)!.version
        : t.store.threads.byId(entityId)!.version;
    rec.ids.push(
      recordLocalMutation(t.store, clock, {
        entity,
        entityId,
        baseVersion: base,
        staffId: creds.staffId,
        mutation,
      }),
    );
  }

  /** Work on threads and appointments no other scenario touches: replies, priority changes, cancellations. */
  function work(t: TestStore, threads: number, perThread: number, cancels: number): Recorded {
    const rec: Recorded = { ids: [], threadVersions: new Map(), bodies: [], cancelled: new Map() };
    for (const threadId of freeThreads.splice(0, threads)) {
      rec.threadVersions.set(threadId, {
        before: t.store.threads.byId(threadId)!.version,
        changes: perThread,
      });
      for (let i = 0; i < perThread; i++) {
        if (i % 2 === 0) {
          const body = `reply ${uuidv7()}`;
          rec.bodies.push(body);
          write(t, rec, 'thread', threadId, { op: 'message.send', messageId: uuidv7(), body });
        } else {
          write(t, rec, 'thread', threadId, {
            op: 'thread.setPriority',
            priority: PRIORITIES[i % PRIORITIES.length]!,
          });
        }
      }
    }
    for (const id of freeBooked.splice(0, cancels)) {
      rec.cancelled.set(id, t.store.appointments.byId(id)!.version);
      write(t, rec, 'appointment', id, { op: 'appointment.cancel', reason: 'Clinic closed that day' });
    }
    return rec;
  }

  const appliedCount = (ids: string[]): number =>
    ids.filter((id) =>
      db
        .prepare('SELECT 1 FROM applied_mutations WHERE device_id = ? AND mutation_id = ?')
        .get(creds.deviceId(), id),
    ).length;

  /** Every recorded mutation reached the server exactly once, and the console agrees with the server. */
  function assertExactlyOnce(t: TestStore, engine: SyncEngine, rec: Recorded): void {
    expect(t.store.outbox.count()).toBe(0);
    expect(engine.problems()).toEqual([]);
    for (const id of rec.ids) {
      const row = db
        .prepare<[string, string], { result_json: string }>(
          'SELECT result_json FROM applied_mutations WHERE device_id = ? AND mutation_id = ?',
        )
        .get(creds.deviceId()!, id);
      expect(row, `mutation ${id} on the server`).toBeDefined();
      expect(JSON.parse(row!.result_json)).toMatchObject({ status: 'applied' });
    }
    for (const [threadId, { before, changes }] of rec.threadVersions) {
      const v = db
        .prepare<[string], { version: number }>('SELECT version FROM threads WHERE id = ?')
        .get(threadId)!.version;
      expect(v, `thread version after ${changes} changes`).toBe(before + changes);
      expect(t.store.threads.byId(threadId)!.version).toBe(v);
    }
    for (const body of rec.bodies) {
      expect(
        db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE body = ?').get(body)!.n,
      ).toBe(1);
    }
    for (const [id, before] of rec.cancelled) {
      const a = db
        .prepare<[string], { status: string; version: number }>(
          'SELECT status, version FROM appointments WHERE id = ?',
        )
        .get(id)!;
      expect(a).toEqual({ status: 'cancelled', version: before + 1 });
      expect(t.store.appointments.byId(id)).toMatchObject({ status: 'cancelled', version: before + 1 });
    }
    // The server audits each change it decides; a second application would add a second event.
    const touched = [...rec.threadVersions.keys(), ...rec.cancelled.keys()];
    const audited = db
      .prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM audit_events WHERE device_id = ? AND action IN ('create', 'update')
           AND entity_id IN (${touched.map(() => '?').join(', ')})`,
      )
      .get(creds.deviceId()!, ...(touched as [])) as { n: number };
    expect(audited.n).toBe(rec.ids.length);
  }

  it('connection reset mid-request: retried with backoff until every change is in, once', async () => {
    const { t, engine } = await freshConsole();
    const rec = work(t, 4, 5, 2);
    proxy.set({ mode: 'reset', match: isPush, times: 3 });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'network' });
    expect(engine.status()).toMatchObject({ connection: 'offline', pending: rec.ids.length });
    engine.start(); // the engine retries on its own, with backoff
    await waitFor(
      'the outbox to drain',
      () => t.store.outbox.count() === 0 && engine.status().connection === 'online',
      {
        engines: [engine],
      },
    );
    expect(proxy.injected.reset).toBe(3);
    assertExactlyOnce(t, engine, rec);
    proxy.pass();
  });

  it('response lost after the server applied the batch: the resend is answered from the at-most-once record', async () => {
    const { t, engine } = await freshConsole();
    const rec = work(t, 3, 4, 2);
    proxy.set({ mode: 'drop-response', match: isPush, times: 2 });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'network' });
    // The server has applied every mutation, the console does not know it yet: all still pending locally.
    expect(appliedCount(rec.ids)).toBe(rec.ids.length);
    expect(t.store.outbox.count()).toBe(rec.ids.length);
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'network' });
    await engine.syncNow();
    expect(proxy.injected['drop-response']).toBe(2);
    assertExactlyOnce(t, engine, rec);
    expect(engine.status()).toMatchObject({ connection: 'online', pending: 0, problems: 0 });
  });

  it('a push slower than the timeout reaches the server late, after the retry: applied once', async () => {
    const { t, engine } = await freshConsole({ requestTimeoutMs: 300 });
    const rec = work(t, 2, 4, 1);
    proxy.set({ mode: 'delay', match: isPush, times: 1, delayMs: 900 });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'timeout' });
    const answeredBefore = proxy.answered.filter(isPush).length;
    await engine.syncNow();
    expect(appliedCount(rec.ids)).toBe(rec.ids.length);
    // The delayed original reaches the server after the resend was applied: the server must treat it as a replay.
    await waitFor(
      'the late push to be answered by the server',
      () => proxy.answered.filter(isPush).length === answeredBefore + 2,
    );
    expect(proxy.injected.delay).toBe(1);
    assertExactlyOnce(t, engine, rec);

    // A server that accepts the connection and never answers: a timeout, not a hang.
    proxy.set({ mode: 'blackhole', match: isPull, times: 1 });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'timeout' });
    expect(engine.status().connection).toBe('offline');
    expect(proxy.injected.blackhole).toBe(1);
    await engine.syncNow();
  });

  it('503 and garbage answers: nothing written, status says so, and sync recovers', async () => {
    const { t, engine } = await freshConsole();
    const rec = work(t, 1, 2, 0);
    proxy.set({
      mode: 'respond',
      match: isPush,
      times: 1,
      response: httpResponse(503, '{"error":"UNAVAILABLE","message":"The server is shutting down."}'),
    });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'server', status: 503 });
    expect(engine.status()).toMatchObject({ connection: 'offline', pending: rec.ids.length });

    const cursor = readCursor(t.store);
    const patients = localSnapshot(t.store).patients.size;
    const garbage = JSON.stringify({
      changes: [{ entity: 'patient', id: 'pat-evil', data: { id: 'pat-evil', mrn: 'X', givenName: 'Eve' } }],
      cursor: '999999',
      hasMore: false,
      remaining: 0,
    });
    proxy.set({ mode: 'respond', match: isPull, times: 1, response: httpResponse(200, garbage) });
    const error = await engine.syncNow().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'protocol' });
    expect((error as Error).message).not.toContain('Eve');
    expect(engine.status().connection).toBe('error');
    expect(readCursor(t.store)).toBe(cursor);
    expect(localSnapshot(t.store).patients.size).toBe(patients);
    expect(t.store.patients.byId('pat-evil')).toBeNull();

    proxy.set({ mode: 'respond', match: isPull, times: 1, response: httpResponse(200, 'not json at all') });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'protocol' });

    await engine.syncNow();
    expect(engine.status().connection).toBe('online');
    assertExactlyOnce(t, engine, rec);
  });

  it('an expired token: the 401 invalidates it, a refreshed one is used, the push goes through once', async () => {
    const { t, engine } = await freshConsole();
    const rec = work(t, 1, 3, 0);
    const before = creds.refreshes;
    creds.corruptAccessToken();
    await engine.syncNow();
    expect(creds.refreshes).toBe(before + 1);
    assertExactlyOnce(t, engine, rec);
  });

  it('without the event stream the console polls, and still sees a patient message', async () => {
    proxy.set({
      mode: 'respond',
      match: isEvents,
      response: httpResponse(404, '{"error":"NOT_FOUND","message":"No such route."}'),
    });
    const { t, engine } = await freshConsole({ live: true, pollIntervalMs: 150 });
    engine.start();
    const patient = await patientSignIn(server.url, 7);
    const threadId = await patientNewThread(server.url, patient, 'Polling works', 'Seen without a poke.');
    await waitFor('the polled thread', () => t.store.threads.byId(threadId) !== null, { engines: [engine] });
    expect(proxy.injected.respond).toBeGreaterThan(0);
    await engine.stop();
    proxy.pass();
  });

  it('server killed -9 mid-push (before and after applying), restarted on the same port and data: once each', async () => {
    const { t, engine } = await freshConsole();
    engine.start();
    await waitFor('idle', () => engine.status().connection === 'online', { engines: [engine] });

    const restart = async () => {
      await killHard(server);
      server = await spawnServer(dataDir.dir, server.port);
    };

    // 1: killed the moment the push arrives: it may or may not have been applied.
    let restarted: Promise<void> | null = null;
    proxy.onRequest = (line) => {
      if (isPush(line) && !restarted) restarted = restart();
    };
    const rec1 = work(t, 2, 3, 1);
    engine.kick();
    await waitFor('the kill', () => restarted !== null, { engines: [engine] });
    await restarted;
    proxy.onRequest = null;
    await waitFor(
      'recovery after the first kill',
      () => t.store.outbox.count() === 0 && engine.status().connection === 'online',
      {
        engines: [engine],
        timeoutMs: 20_000,
      },
    );

    // 2: killed right after the server answered (it applied the batch and died before the answer left).
    restarted = null;
    proxy.onResponse = (line) => {
      if (!isPush(line) || restarted) return;
      restarted = restart();
      return 'drop';
    };
    const rec2 = work(t, 2, 3, 1);
    engine.kick();
    await waitFor('the second kill', () => restarted !== null, { engines: [engine] });
    await restarted;
    proxy.onResponse = null;
    expect(appliedCount(rec2.ids)).toBe(rec2.ids.length);
    await waitFor(
      'recovery after the second kill',
      () => t.store.outbox.count() === 0 && engine.status().connection === 'online',
      {
        engines: [engine],
        timeoutMs: 20_000,
      },
    );

    // The server's own store survived both crashes.
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    assertExactlyOnce(t, engine, rec1);
    assertExactlyOnce(t, engine, rec2);
  });
});
