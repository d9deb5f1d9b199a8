/**
 * Two front desks book the same slot while offline; both come back at once. The server takes exactly one;
 * the other desk is told in words ("This slot was booked at another desk") and its optimistic booking is
 * replaced by the server's record. The same for a slot a patient took through the portal meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRecord } from '../../src-shared/domain';
import type { Clock } from '../../src-main/base/adapters';
import { uuidv7 } from '../../src-main/base/ids';
import { SyncEngine } from '../../src-main/sync/engine';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { whenLabel } from '../../src-main/sync/refusal-text';
import {
  TestCredentials,
  type TestServer,
  freeSlot,
  patientRequestAppointment,
  patientSignIn,
  serverSnapshot,
  startTestServer,
} from '../helpers/sync-harness';
import { type TestStore, makeTestStore } from '../helpers/sync-store';

const clock: Clock = { now: () => Date.now() };

interface Desk {
  t: TestStore;
  creds: TestCredentials;
  engine: SyncEngine;
}

describe('double booking', () => {
  let server: TestServer;
  const desks: Desk[] = [];
  let provider: ProviderRecord;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    for (const username of ['reception1', 'reception2']) {
      const t = makeTestStore(`clinic-sync-${username}-`);
      const creds = await TestCredentials.signIn(server, username);
      // Not started: the desks are offline until the test calls syncNow.
      const engine = new SyncEngine({
        store: t.store,
        serverUrl: server.url,
        credentials: creds,
        live: false,
      });
      await engine.syncNow();
      desks.push({ t, creds, engine });
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

  function book(d: Desk, slot: ReturnType<typeof freeSlot>, patientId: string): string {
    const id = uuidv7();
    recordLocalMutation(d.t.store, clock, {
      entity: 'appointment',
      entityId: id,
      baseVersion: null,
      staffId: d.creds.staffId,
      mutation: { op: 'appointment.book', patientId, ...slot, reason: 'Annual check-up', virtualLink: null },
    });
    return id;
  }

  it('two offline desks book the same slot: exactly one wins, the other sees a conflict in words', async () => {
    const [a, b] = desks as [Desk, Desk];
    const slot = freeSlot(provider, 3, 5);
    const idA = book(a, slot, 'pat-000001');
    const idB = book(b, slot, 'pat-000002');
    // Both optimistic bookings show locally, pending.
    expect(a.t.store.appointments.byId(idA)).toMatchObject({ status: 'booked', version: 0 });
    expect(b.t.store.appointments.byId(idB)).toMatchObject({ status: 'booked', version: 0 });

    const changed: string[][] = [];
    for (const d of desks) d.engine.onChanged((e) => changed.push(e));
    await Promise.all([a.engine.syncNow(), b.engine.syncNow()]);

    const remote = await serverSnapshot(server.url, a.creds.tokens.access);
    const inSlot = [...remote.appointments.values()].filter(
      (x) => x.providerId === slot.providerId && x.start === slot.start && x.status === 'booked',
    );
    expect(inSlot).toHaveLength(1);
    const winnerId = inSlot[0]!.id;
    expect([idA, idB]).toContain(winnerId);
    const [winner, loser, loserId] = winnerId === idA ? [a, b, idB] : [b, a, idA];

    expect(winner.engine.problems()).toEqual([]);
    const problems = loser.engine.problems();
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'conflict', operation: 'appointment.book', entityId: loserId }),
    ]);
    // In the person's words (issue 12): which patient as the schedule shows them, which slot and provider,
    // why, and what to do.
    const patient = loser.t.store.patients.byId(loser === b ? 'pat-000002' : 'pat-000001')!;
    expect(problems[0]!.message).toBe(
      `Booking for ${patient.givenName} ${patient.familyName} with ${provider.name} on ` +
        `${whenLabel(slot.start)} not saved: This slot was booked at another desk. Choose another time.`,
    );
    expect(loser.engine.status()).toMatchObject({ problems: 1, pending: 0, connection: 'online' });

    // The loser's optimistic row is gone, replaced by the server's record of the slot.
    expect(loser.t.store.appointments.byId(loserId)).toBeNull();
    expect(loser.t.store.appointments.byId(winnerId)).toEqual(inSlot[0]);
    expect(winner.t.store.appointments.byId(winnerId)).toEqual(inSlot[0]);
    expect(remote.appointments.has(loserId)).toBe(false);
    expect(changed.some((e) => e.includes('appointment'))).toBe(true);

    // Dismissed problems stay dismissed.
    expect(loser.engine.dismissProblem(problems[0]!.id)).toBe(true);
    expect(loser.engine.problems()).toEqual([]);
    expect(loser.engine.status().problems).toBe(0);
  });

  it('a slot a patient took in the portal while the desk was offline: the desk is told who won', async () => {
    const [a] = desks as [Desk, Desk];
    const slot = freeSlot(provider, 4, 2);
    const id = book(a, slot, 'pat-000003');
    const patient = await patientSignIn(server.url, 4);
    expect((await patientRequestAppointment(server.url, patient, slot)).status).toBe(201);
    await a.engine.syncNow();
    const [problem] = a.engine.problems();
    expect(problem).toMatchObject({ kind: 'conflict', operation: 'appointment.book', entityId: id });
    const who = a.t.store.patients.byId('pat-000003')!;
    expect(problem!.message).toBe(
      `Booking for ${who.givenName} ${who.familyName} with ${provider.name} on ${whenLabel(slot.start)} ` +
        'not saved: This slot was just booked by a patient through the portal. Choose another time.',
    );
    expect(a.t.store.appointments.byId(id)).toBeNull();
    expect(a.t.store.appointments.range(slot.start, slot.end, slot.providerId)).toEqual([
      expect.objectContaining({ patient_id: 'pat-000004' }),
    ]);
  });
});
