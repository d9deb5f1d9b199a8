/**
 * Booking confirmed while you wait (issue 13 §7): SyncEngine.confirmNow pushes a record's pending changes at
 * once and answers the server's verdict within the bound. Two desks race for one slot (the loser is told, with
 * the server's reason in words, and its optimistic booking is gone); offline and stopped engines answer
 * "unconfirmed" at once; a server that answers late is not waited for past the bound, and the change is
 * confirmed once it does answer; concurrent waits on one record get one verdict. Real backend on loopback,
 * real encrypted stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRecord } from '../../src-shared/domain';
import type { Clock } from '../../src-main/base/adapters';
import { uuidv7 } from '../../src-main/base/ids';
import { SyncEngine } from '../../src-main/sync/engine';
import {
  TestCredentials,
  type SyncedConsole,
  type TestServer,
  freeSlot,
  pushInterceptor,
  startTestServer,
  waitFor,
  writeLocalChange,
} from '../helpers/sync-harness';
import { makeTestStore } from '../helpers/sync-store';

const clock: Clock = { now: () => Date.now() };
const BOUND_MS = 1000;

describe('confirmed while you wait', () => {
  let server: TestServer;
  const desks: SyncedConsole[] = [];
  let provider: ProviderRecord;
  /** Extra delay the next pushes of desk C get before reaching the server (a late server). */
  let lateMs = 0;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    for (const username of ['reception1', 'reception2', 'admin1']) {
      const t = makeTestStore(`clinic-confirm-${username}-`);
      const creds = await TestCredentials.signIn(server, username);
      const late = pushInterceptor(() => ({
        inFlight: () => (lateMs > 0 ? new Promise((r) => setTimeout(r, lateMs)) : undefined),
      }));
      const engine = new SyncEngine({
        store: t.store,
        serverUrl: server.url,
        credentials: creds,
        live: false,
        fetchImpl: username === 'admin1' ? late : fetch,
      });
      await engine.syncNow();
      engine.start();
      desks.push({ name: username, t, creds, engine });
    }
    provider = desks[0]!.t.store.providers.list()[0]!;
  });
  afterAll(async () => {
    for (const d of desks) {
      await d.engine.stop();
      d.t.dispose();
    }
    await server.close();
  });

  const bookAt = (d: SyncedConsole, slot: ReturnType<typeof freeSlot>, patientId: string): string => {
    const id = uuidv7();
    writeLocalChange(d, clock, 'appointment', id, {
      op: 'appointment.book',
      patientId,
      ...slot,
      reason: 'Follow-up',
      virtualLink: null,
    });
    return id;
  };

  it('two desks book one slot at once: the winner is confirmed, the loser told why, in time', async () => {
    const [a, b] = desks as [SyncedConsole, SyncedConsole];
    const slot = freeSlot(provider, 7, 3);
    // Both local checks pass: neither desk has the other's booking yet.
    const idA = bookAt(a, slot, 'pat-000001');
    const idB = bookAt(b, slot, 'pat-000002');
    const t0 = Date.now();
    const [va, vb] = await Promise.all([
      a.engine.confirmNow(idA, BOUND_MS),
      b.engine.confirmNow(idB, BOUND_MS),
    ]);
    expect(Date.now() - t0).toBeLessThan(BOUND_MS + 200);
    const verdicts = [va, vb].map((v) => v.outcome).sort();
    expect(verdicts).toEqual(['confirmed', 'refused']);
    const [loser, loserId, loserDesk] = va.outcome === 'refused' ? [va, idA, a] : [vb, idB, b];
    expect(loser).toMatchObject({ outcome: 'refused', kind: 'conflict', problemId: expect.any(String) });
    expect(loser.outcome === 'refused' && loser.message).toMatch(/This slot was booked at another desk/);
    expect(loser.outcome === 'refused' && loser.message).toMatch(/Choose another time\./);
    // The loser's optimistic booking is gone; the winner's appears once pulled.
    expect(loserDesk.t.store.appointments.byId(loserId)).toBeNull();
    // Asked again after the fact, the same verdict (the desk's dialog may ask after the push settled).
    expect(await loserDesk.engine.confirmNow(loserId, BOUND_MS)).toMatchObject({ outcome: 'refused' });
  });

  it('a change already pushed by the background kick is answered from its settled verdict', async () => {
    const [a] = desks as [SyncedConsole];
    const id = bookAt(a, freeSlot(provider, 8, 1), 'pat-000003');
    await a.engine.syncNow();
    expect(a.t.store.outbox.pendingIdsFor(id)).toEqual([]);
    expect(await a.engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'confirmed' });
  });

  it('concurrent waits on one record get the same verdict from one push', async () => {
    const [a] = desks as [SyncedConsole];
    const id = bookAt(a, freeSlot(provider, 9, 2), 'pat-000004');
    const all = await Promise.all([1, 2, 3].map(() => a.engine.confirmNow(id, BOUND_MS)));
    expect(all).toEqual([{ outcome: 'confirmed' }, { outcome: 'confirmed' }, { outcome: 'confirmed' }]);
  });

  it('a server answering late: "unconfirmed" at the bound, confirmed once the answer arrives', async () => {
    const c = desks[2]!;
    lateMs = 2500;
    const id = bookAt(c, freeSlot(provider, 10, 4), 'pat-000005');
    const t0 = Date.now();
    expect(await c.engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'unconfirmed', why: 'timeout' });
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(BOUND_MS - 20);
    expect(waited).toBeLessThan(BOUND_MS + 300);
    lateMs = 0;
    // The change was not dropped: a longer wait sees the late push's verdict.
    expect(await c.engine.confirmNow(id, 10_000)).toEqual({ outcome: 'confirmed' });
    await waitFor('the server version pulled', () => (c.t.store.appointments.byId(id)?.version ?? 0) > 0, {
      engines: [c.engine],
    });
  });

  it('an existing visit made virtual is confirmed and reaches another desk; a cancelled one is refused', async () => {
    const [a, b] = desks as [SyncedConsole, SyncedConsole];
    const id = bookAt(a, freeSlot(provider, 12, 2), 'pat-000007');
    expect(await a.engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'confirmed' });
    await a.engine.syncNow(); // the server's version of the booking
    const link = `https://visit.clinic.example/v/${id}`;
    writeLocalChange(a, clock, 'appointment', id, { op: 'appointment.setVirtual', virtualLink: link });
    expect(a.t.store.appointments.byId(id)?.virtualLink).toBe(link); // shown at once
    expect(await a.engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'confirmed' });
    await b.engine.syncNow();
    expect(b.t.store.appointments.byId(id)?.virtualLink).toBe(link);

    // Cancelled at desk B; desk A (not yet synced) switches it back to in person: the server refuses it.
    writeLocalChange(b, clock, 'appointment', id, { op: 'appointment.cancel', reason: 'Patient called' });
    expect(await b.engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'confirmed' });
    writeLocalChange(a, clock, 'appointment', id, { op: 'appointment.setVirtual', virtualLink: null });
    const refused = await a.engine.confirmNow(id, BOUND_MS);
    expect(refused).toMatchObject({ outcome: 'refused', kind: 'rejected' });
    expect(refused.outcome === 'refused' && refused.message).toMatch(
      /cancelled cannot be changed to or from a virtual visit/,
    );
    // The console shows the server's record again: cancelled, link kept.
    expect(a.t.store.appointments.byId(id)).toMatchObject({ status: 'cancelled', virtualLink: link });
  });

  it('offline: answers "unconfirmed" at once and keeps the booking on this PC', async () => {
    const t = makeTestStore('clinic-confirm-offline-');
    const [a] = desks as [SyncedConsole];
    // Same credentials, a backend address where nothing listens.
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: a.creds,
      live: false,
    });
    try {
      t.store.transaction(() => {
        for (const p of a.t.store.providers.list()) t.store.providers.upsert(p);
        t.store.patients.upsert(a.t.store.patients.byId('pat-000006')!);
      });
      engine.start();
      const d: SyncedConsole = { name: 'offline', t, creds: a.creds, engine };
      const id = bookAt(d, freeSlot(provider, 11, 1), 'pat-000006');
      const t0 = Date.now();
      expect(await engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'unconfirmed', why: 'offline' });
      expect(Date.now() - t0).toBeLessThan(BOUND_MS);
      expect(t.store.outbox.pendingIdsFor(id)).toHaveLength(1);
      expect(t.store.appointments.byId(id)).toMatchObject({ status: 'booked', version: 0 });

      // Sync stopped (e.g. signed out, settings changing): not waited for at all.
      await engine.stop();
      expect(await engine.confirmNow(id, BOUND_MS)).toEqual({ outcome: 'unconfirmed', why: 'offline' });
    } finally {
      await engine.stop();
      t.dispose();
    }
  });
});
