/**
 * Review of issue 16 (audit events pushed from the log by a seq pointer): the pointer must never move past an event
 * the server has not answered for. A push answer that settles a later event but says nothing about earlier ones
 * (a proxy or server that answers part of a batch, or answers out of order) must leave the earlier events queued,
 * as the outbox did: an outbox row without an answer stays in the outbox. Real backend on loopback, real SQLCipher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { SyncEngine } from '../../src-main/sync/engine';
import {
  TestCredentials,
  type TestServer,
  jsonResponse,
  pushInterceptor,
  startTestServer,
} from '../helpers/sync-harness';
import { makeTestStore } from '../helpers/sync-store';

/**
 * A push answer the server never gave: given the batch's mutations (oldest first), the results it claims.
 * `queued` are the events (by index) that must still wait to be pushed after it; `delivered` those the server
 * must hold after two more syncs.
 */
interface FaultyAnswer {
  name: string;
  results: (mutations: { id: string }[]) => unknown[];
  queued: number[];
  delivered: number[];
}

const FAULTY_ANSWERS: FaultyAnswer[] = [
  {
    name: 'keeps the events a push answer did not settle queued: each one reaches the server',
    // Answered for its last event only.
    results: (mutations) => [{ id: mutations[mutations.length - 1]!.id, status: 'applied', version: 1 }],
    queued: [0, 1],
    delivered: [0, 1, 2],
  },
  {
    name: 'keeps an event the server asked to retry queued when its answer comes after the later events',
    // Every result given, newest first, the oldest "could not apply, retry" (the documented transient failure).
    results: ([first, ...rest]) => [
      ...rest.reverse().map((m) => ({ id: m.id, status: 'applied', version: 1 })),
      { id: first!.id, status: 'rejected', reason: 'The server could not apply this change.', current: null },
    ],
    queued: [0],
    delivered: [0],
  },
];

describe('audit push pointer (review of issue 16)', () => {
  let server: TestServer;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
  });
  afterAll(async () => {
    await server.close();
    for (const c of cleanups) c();
  });

  for (const [n, { name, results, queued, delivered }] of FAULTY_ANSWERS.entries())
    it(name, async () => {
      const t = makeTestStore('clinic-audit-pointer-');
      cleanups.push(() => t.dispose());
      const store = t.store;
      // Each case on its own PC (a chain of its own on the server).
      const creds = await TestCredentials.signIn(server, 'reception1', `audit pointer desk ${n + 1}`);
      const deviceId = creds.deviceId()!;
      const log = new AuditLog(store, { now: () => Date.now() }, () => deviceId);
      const events = [0, 1, 2].map(() =>
        log.record(
          { staffId: creds.staffId, role: 'receptionist' },
          { action: 'read', entityType: 'session', entityId: null, outcome: 'success' },
        ),
      );
      let faulty = true;
      const engine = new SyncEngine({
        store,
        serverUrl: server.url,
        credentials: creds,
        live: false,
        fetchImpl: pushInterceptor(() => ({
          // Only the first push gets the faulty answer; the server never sees that batch.
          answer: (body) => {
            if (!faulty) return undefined;
            faulty = false;
            return jsonResponse(200, { results: results(body.mutations) });
          },
        })),
      });
      await engine.syncNow().catch(() => undefined);
      expect(store.auditPush.peek(100).map((p) => p.record.id)).toEqual(
        expect.arrayContaining(queued.map((i) => events[i]!.id)),
      );
      await engine.syncNow().catch(() => undefined);
      await engine.syncNow().catch(() => undefined);
      for (const i of delivered)
        expect(await server.server.store.auditEvent(events[i]!.id)).toMatchObject({ hash: events[i]!.hash });
      await engine.stop();
    });
});
