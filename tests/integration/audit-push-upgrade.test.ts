/**
 * Issue 16, "each audit event written once": audit events are pushed straight from `audit_events` by seq (a push
 * pointer in sync_state) instead of from a second copy in the outbox. A store of the previous release (schema 4:
 * every event also queued as an `audit.append` outbox row, the first pushed and settled, the rest still queued)
 * opens in this release: each queued event reaches the server exactly once, in chain order, the server's chain
 * verification accepts every one (no alert), and events recorded after the upgrade continue the same chain.
 * Real backend on loopback, real SQLCipher files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import { type PushRequest, SYNC_ROUTES } from '../../src-shared/sync';
import { GENESIS_HASH, recordHash } from '../../src-main/audit/chain';
import { AuditLog } from '../../src-main/audit/audit-log';
import { uuidv7 } from '../../src-main/base/ids';
import { openDatabase } from '../../src-main/store/open';
import { SyncClient } from '../../src-main/sync/client';
import { SyncEngine } from '../../src-main/sync/engine';
import { TestCredentials, type TestServer, startTestServer } from '../helpers/sync-harness';
import { openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

/**
 * The previous release's AuditRepo.append statement, verbatim (schema 4: no purpose_of_event yet — issue 14a added
 * that column in migration 009, so the current AuditRepo cannot write to a schema-4 store).
 */
const V4_AUDIT_INSERT = `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields,
         actor_kind, prev_hash, hash)
       VALUES (@id, @at, @staff_id, @role, @device_id, @action, @entity_type, @entity_id, @outcome, @fields,
         @actor_kind, @prev_hash, @hash)`;

/** The previous release's OutboxRepo.add statement, verbatim (schema 4). */
const V4_OUTBOX_INSERT = `INSERT INTO outbox (id, entity, entity_id, base_version, op, payload, staff_id, created_at, payload_version)
       VALUES (@id, @entity, @entityId, @baseVersion, @op, @payload, @staffId, @createdAt, @payloadVersion)`;

describe('audit push from the log, after an upgrade', () => {
  let server: TestServer;
  let creds: TestCredentials;
  const dirs: { cleanup: () => void }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    creds = await TestCredentials.signIn(server, 'reception1', 'upgraded audit desk');
  });
  afterAll(async () => {
    await server.close();
    for (const d of dirs) d.cleanup();
  });

  it("pushes an old store's queued outbox audit rows exactly once, then continues the chain from the log", async () => {
    const deviceId = creds.deviceId()!;
    const dir = tempDir('clinic-audit-upgrade-');
    dirs.push(dir);
    const key = randomKeyHex();

    // ---- the previous release: six events, each in the log and in the outbox ----
    const old = openDatabase(dir.dir, key, { upTo: 4 });
    expect(old.db.pragma('user_version', { simple: true })).toBe(4);
    const events: AuditRecord[] = [];
    let prevHash = GENESIS_HASH;
    for (let i = 0; i < 6; i++) {
      const e: Omit<AuditRecord, 'hash' | 'version'> = {
        id: uuidv7(),
        at: new Date(Date.now() + i).toISOString(),
        staffId: creds.staffId,
        role: 'receptionist',
        deviceId,
        action: 'read',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
        fields: [`f${i}`],
        actorKind: 'staff',
        prevHash,
      };
      const record: AuditRecord = { ...e, hash: recordHash(e), version: 0 };
      events.push(record);
      prevHash = record.hash;
    }
    const append = old.db.prepare(V4_AUDIT_INSERT);
    const insert = old.db.prepare(V4_OUTBOX_INSERT);
    old.db.transaction(() => {
      for (const e of events) {
        append.run({
          id: e.id,
          at: e.at,
          staff_id: e.staffId,
          role: e.role,
          device_id: e.deviceId,
          action: e.action,
          entity_type: e.entityType,
          entity_id: e.entityId,
          outcome: e.outcome,
          fields: JSON.stringify(e.fields),
          actor_kind: e.actorKind,
          prev_hash: e.prevHash,
          hash: e.hash,
        });
        insert.run({
          id: e.id,
          entity: 'audit',
          entityId: e.id,
          baseVersion: null,
          op: 'audit.append',
          payload: JSON.stringify({ op: 'audit.append', event: e }),
          staffId: e.staffId,
          createdAt: e.at,
          payloadVersion: 2,
        });
      }
    })();
    // The previous release pushed the first two and settled them (their outbox rows removed).
    const client = new SyncClient({
      baseUrl: server.url,
      credentials: creds,
      fetchImpl: fetch,
      requestTimeoutMs: 10_000,
    });
    const first = await client.push(
      {
        deviceId,
        mutations: events.slice(0, 2).map((e) => ({
          id: e.id,
          entityId: e.id,
          baseVersion: null,
          createdAt: e.at,
          staffId: e.staffId!,
          mutation: { op: 'audit.append', event: e },
          v: 2,
        })),
      },
      AbortSignal.timeout(10_000),
    );
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    old.db.prepare('DELETE FROM outbox WHERE id IN (?, ?)').run(events[0]!.id, events[1]!.id);
    old.db.close();

    // ---- this release opens it: no audit row left in the outbox, four events waiting in the log ----
    const store = openStoreAt(dir.dir, key);
    try {
      expect(store.db.prepare(`SELECT count(*) AS n FROM outbox WHERE entity = 'audit'`).get()).toEqual({
        n: 0,
      });
      expect(store.auditPush.peek(100).map((p) => p.record)).toEqual(events.slice(2));
      expect(store.outbox.count()).toBe(4);

      // Every mutation id the console sends, in order, read from the push requests themselves.
      const sent: string[] = [];
      const counting: typeof fetch = async (input, init) => {
        if (String(input instanceof Request ? input.url : input).endsWith(SYNC_ROUTES.push) && init?.body)
          for (const m of (JSON.parse(String(init.body)) as PushRequest).mutations) sent.push(m.id);
        return fetch(input, init);
      };
      const engine = new SyncEngine({
        store,
        serverUrl: server.url,
        credentials: creds,
        live: false,
        fetchImpl: counting,
      });
      await engine.syncNow();
      expect(store.outbox.count()).toBe(0);
      expect(sent).toEqual(events.slice(2).map((e) => e.id));
      for (const e of events)
        expect(await server.server.store.auditEvent(e.id)).toMatchObject({ hash: e.hash });
      expect((await server.server.store.deviceAuditHead(deviceId))?.hash).toBe(events[5]!.hash);
      // Nothing was sent twice or out of order: the server raised no alert for this PC (a second copy of an
      // event would be a 'duplicate', a skipped one a 'gap').
      expect((await server.server.store.auditAlerts(1000)).filter((a) => a.deviceId === deviceId)).toEqual(
        [],
      );

      // Another sync sends nothing more; a new event continues the chain and goes once.
      await engine.syncNow();
      const log = new AuditLog(store, { now: () => Date.now() }, () => deviceId);
      const next = log.record(
        { staffId: creds.staffId, role: 'receptionist' },
        { action: 'read', entityType: 'session', entityId: null, outcome: 'success' },
      );
      expect(next.prevHash).toBe(events[5]!.hash);
      expect(store.outbox.count()).toBe(1);
      await engine.syncNow();
      expect(store.outbox.count()).toBe(0);
      expect((await server.server.store.deviceAuditHead(deviceId))?.hash).toBe(next.hash);
      expect(sent).toEqual([...events.slice(2), next].map((e) => e.id));
      expect((await server.server.store.auditAlerts(1000)).filter((a) => a.deviceId === deviceId)).toEqual(
        [],
      );
      expect(log.verify()).toEqual({ ok: true, count: 7 });
    } finally {
      store.close();
    }
  });
});
