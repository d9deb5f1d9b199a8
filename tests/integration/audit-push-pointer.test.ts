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

describe('audit push pointer (review of issue 16)', () => {
  let server: TestServer;
  let creds: TestCredentials;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    creds = await TestCredentials.signIn(server, 'reception1', 'audit pointer desk');
  });
  afterAll(async () => {
    await server.close();
    for (const c of cleanups) c();
  });

  it('keeps the events a push answer did not settle queued: each one reaches the server', async () => {
    const t = makeTestStore('clinic-audit-pointer-');
    cleanups.push(() => t.dispose());
    const store = t.store;
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
        // The first push is answered for its last event only (the server never saw the batch).
        answer: (body) => {
          if (!faulty) return undefined;
          faulty = false;
          const last = body.mutations[body.mutations.length - 1]!;
          return jsonResponse(200, { results: [{ id: last.id, status: 'applied', version: 1 }] });
        },
      })),
    });
    await engine.syncNow().catch(() => undefined);
    // The two unanswered events are still waiting to be pushed.
    expect(store.auditPush.peek(100).map((p) => p.record.id)).toEqual(
      expect.arrayContaining([events[0]!.id, events[1]!.id]),
    );
    await engine.syncNow().catch(() => undefined);
    await engine.syncNow().catch(() => undefined);
    for (const e of events)
      expect(await server.server.store.auditEvent(e.id)).toMatchObject({ hash: e.hash });
    await engine.stop();
  });
  it('keeps an event the server asked to retry queued when its answer comes after the later events', async () => {
    const t = makeTestStore('clinic-audit-pointer-');
    cleanups.push(() => t.dispose());
    const store = t.store;
    // Its own PC (a chain of its own on the server).
    const creds = await TestCredentials.signIn(server, 'reception1', 'audit pointer desk 2');
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
        // The first push: every result given, newest first, the oldest "could not apply, retry" (the documented
        // transient failure); the server never saw the batch.
        answer: (body) => {
          if (!faulty) return undefined;
          faulty = false;
          const [first, ...rest] = body.mutations;
          return jsonResponse(200, {
            results: [
              ...rest.reverse().map((m) => ({ id: m.id, status: 'applied', version: 1 })),
              {
                id: first!.id,
                status: 'rejected',
                reason: 'The server could not apply this change.',
                current: null,
              },
            ],
          });
        },
      })),
    });
    await engine.syncNow().catch(() => undefined);
    expect(store.auditPush.peek(100).map((p) => p.record.id)).toContain(events[0]!.id);
    await engine.syncNow().catch(() => undefined);
    await engine.syncNow().catch(() => undefined);
    expect(await server.server.store.auditEvent(events[0]!.id)).toMatchObject({ hash: events[0]!.hash });
    await engine.stop();
  });
});
