/**
 * Adversarial review (session 4) of issue 13b "booking confirmed while you wait" (SyncEngine.confirmNow). The
 * engine pushes this device's audit events from the log FIRST, all of them, 200 per request, and only then the
 * outbox (engine.ts nextPushRows). Every list the desk reads records one event per record shown (schedule days,
 * queues, lookups), so a desk that has been reading for a while online, or comes back from a network cut, holds
 * hundreds to thousands of unpushed events (5,000 here: pushing them took 3.4 s for 2,000 at load 10); its next booking is then "not confirmed yet" although the server is
 * up and would answer the booking at once. Failed on main d4f825f (review 4, session 4); guards the fix.
 * Real backend on loopback, real encrypted store, real AuditLog and SyncEngine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src-main/base/adapters';
import { AuditLog } from '../../src-main/audit/audit-log';
import { uuidv7 } from '../../src-main/base/ids';
import { SyncEngine } from '../../src-main/sync/engine';
import { SYNC_ROUTES, type PushResponse } from '../../src-shared/sync';
import {
  TestCredentials,
  type SyncedConsole,
  type TestServer,
  freeSlot,
  jsonResponse,
  startTestServer,
  writeLocalChange,
} from '../helpers/sync-harness';
import { makeTestStore } from '../helpers/sync-store';

const clock: Clock = { now: () => Date.now() };
/** The bound of issue 13 §7 (CONFIRM_WAIT_MS). */
const BOUND_MS = 1000;

describe('confirmed while you wait, with read events waiting (review of issue 13b)', () => {
  let server: TestServer;
  let desk: SyncedConsole;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    const t = makeTestStore('clinic-confirm-review-');
    const creds = await TestCredentials.signIn(server, 'reception1');
    const engine = new SyncEngine({ store: t.store, serverUrl: server.url, credentials: creds, live: false });
    await engine.syncNow();
    engine.start();
    desk = { name: 'reception1', t, creds, engine };
  });
  afterAll(async () => {
    await desk?.engine.stop();
    desk?.t.dispose();
    await server?.close();
  });

  it('confirms a booking while 5,000 read events wait to be pushed (changes go first)', async () => {
    const { store } = desk.t;
    const log = new AuditLog(store, clock, () => desk.creds.deviceId()!);
    // What a morning of reading the schedule and the queues records: one event per patient shown.
    const patients = store.patients
      .search('a', 50)
      .map((p) => p.id)
      .slice(0, 20);
    expect(patients.length).toBeGreaterThan(0);
    for (let i = 0; i < 5000; i += 100) {
      log.recordMany(
        { staffId: desk.creds.staffId, role: 'receptionist' },
        Array.from({ length: 100 }, (_, k) => ({
          action: 'read' as const,
          entityType: 'patient' as const,
          entityId: patients[(i + k) % patients.length]!,
          outcome: 'success' as const,
        })),
      );
    }
    const provider = store.providers.list()[0]!;
    const id = uuidv7();
    writeLocalChange(desk, clock, 'appointment', id, {
      op: 'appointment.book',
      patientId: 'pat-000001',
      ...freeSlot(provider, 7, 5),
      reason: 'Follow-up',
      virtualLink: null,
    });
    const verdict = await desk.engine.confirmNow(id, BOUND_MS);
    expect(verdict, 'the server was reachable the whole time').toEqual({ outcome: 'confirmed' });
  });

  it('takes a push answer naming one change twice as a protocol error that settles nothing', async () => {
    // A server (or proxy) that answers twice: the real answer, then the same change again as a conflict.
    const twice: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.includes(SYNC_ROUTES.push) || res.status !== 200) return res;
      const answer = (await res.json()) as PushResponse;
      return jsonResponse(200, {
        results: [
          ...answer.results,
          ...answer.results.map((r) => ({
            id: r.id,
            status: 'conflict',
            reason: 'This slot was booked at another desk.',
            current: null,
          })),
        ],
      });
    };
    const t = makeTestStore('clinic-confirm-twice-');
    const creds = await TestCredentials.signIn(server, 'reception2');
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: server.url,
      credentials: creds,
      live: false,
      fetchImpl: twice,
    });
    try {
      await engine.syncNow();
      engine.start();
      const d: SyncedConsole = { name: 'reception2', t, creds, engine };
      const provider = t.store.providers.list()[0]!;
      const id = uuidv7();
      writeLocalChange(d, clock, 'appointment', id, {
        op: 'appointment.book',
        patientId: 'pat-000002',
        ...freeSlot(provider, 7, 7),
        reason: 'Follow-up',
        virtualLink: null,
      });
      const verdict = await engine.confirmNow(id, 5_000);
      // Garbage must be a typed protocol error that settles nothing, not two contradictory verdicts.
      expect({ verdict: verdict.outcome, problems: t.store.syncProblems.list().length }).toEqual({
        verdict: 'unconfirmed',
        problems: 0,
      });
    } finally {
      await engine.stop();
      t.dispose();
    }
  });
});
