/**
 * Upgrades with changes still queued (issue 12). A store written by the previous release (schema 3: migrations
 * 1-3, outbox rows inserted with that release's exact statement, payloads without a version, no server images)
 * holds queued changes of every kind. The new release opens it, and its changes push correctly: the ones the
 * server accepts are applied once, the one it refuses shows the server's record again (fetched by id, as the
 * old rows have no server image). Mutation payload versions: the server accepts the current and the previous
 * one and refuses any other alone, not the batch. Real backend on loopback, real SQLCipher files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AppointmentRecord,
  AuditRecord,
  PatientRecord,
  ProviderRecord,
  StaffRecord,
  ThreadRecord,
} from '../../src-shared/domain';
import { type Mutation, type MutationOp, SYNC_ROUTES } from '../../src-shared/sync';
import { recordHash } from '../../src-main/audit/chain';
import { uuidv7 } from '../../src-main/base/ids';
import { openDatabase } from '../../src-main/store/open';
import { MessagesRepo } from '../../src-main/store/repos/messages';
import { SyncEngine } from '../../src-main/sync/engine';
import {
  TestCredentials,
  type TestServer,
  deviceHeader,
  freeSlot,
  insertVisitsUnderWay,
  localSnapshot,
  serverSnapshot,
  sorted,
  startTestServer,
} from '../helpers/sync-harness';
import { openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

/** The previous release's OutboxRepo.add statement, verbatim (schema 3). */
const V3_OUTBOX_INSERT = `INSERT INTO outbox (id, entity, entity_id, base_version, op, payload, staff_id, created_at)
       VALUES (@id, @entity, @entityId, @baseVersion, @op, @payload, @staffId, @createdAt)`;

describe('upgrade with changes still queued', () => {
  let server: TestServer;
  let creds: TestCredentials;
  const dirs: { cleanup: () => void }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    creds = await TestCredentials.signIn(server, 'reception1', 'upgraded desk');
  });
  afterAll(async () => {
    await server.close();
    for (const d of dirs) d.cleanup();
  });

  it('a schema-3 store with queued rows of every kind opens in this release and pushes correctly', async () => {
    // Visits under way today (issue 13a: a check-in only on the visit's day, a no-show only once it started).
    await insertVisitsUnderWay(server, [
      { id: 'apt-upgrade-checkin', providerId: 'prv-001', patientId: 'pat-000001' },
      { id: 'apt-upgrade-noshow', providerId: 'prv-002', patientId: 'pat-000001' },
    ]);
    const remote = await serverSnapshot(server.url, creds.tokens.access);
    const cursor = await server.server.store.latestSeq();
    expect(cursor).toBeGreaterThan(0);
    const aCheckIn = remote.appointments.get('apt-upgrade-checkin')!;
    const aNoShow = remote.appointments.get('apt-upgrade-noshow')!;
    const booked = sorted(remote.appointments).filter(
      (a) => a.status === 'booked' && a.start > '2026-11-24' && !a.id.startsWith('apt-upgrade'),
    );
    // Administrative-pool threads: this receptionist may change them (issue 14a).
    const threads = sorted(remote.threads).filter((t) => t.status !== 'done' && t.poolId === 'front-desk');
    const [aRes, aCancel, aRefused] = booked as [AppointmentRecord, AppointmentRecord, AppointmentRecord];
    const [tAssign, tPriority, tStatus, tReply] = threads as [
      ThreadRecord,
      ThreadRecord,
      ThreadRecord,
      ThreadRecord,
    ];

    // ---- the previous release writes its store ----
    const dir = tempDir('clinic-upgrade-');
    dirs.push(dir);
    const key = randomKeyHex();
    const old = openDatabase(dir.dir, key, { upTo: 3 });
    expect(old.db.pragma('user_version', { simple: true })).toBe(3);
    const db = old.db;
    // The previous release's patients table, without the lookup terms of issue 13b (migration 8).
    const v3Patient = db.prepare(
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
       VALUES (@id, @mrn, @givenName, @familyName, @birthDate, @phone, @version) ON CONFLICT (id) DO NOTHING`,
    );
    const patients = { upsert: (p: PatientRecord) => v3Patient.run(p) };
    // The previous release's staff table (without the active flag of console migration 019).
    const v3Staff = db.prepare(
      `INSERT INTO staff (id, username, display_name, role, provider_id, version)
       VALUES (@id, @username, @displayName, @role, @providerId, @version)`,
    );
    const staff = {
      upsert: (s: StaffRecord) =>
        v3Staff.run({
          id: s.id,
          username: s.username,
          displayName: s.displayName,
          role: s.role,
          providerId: s.providerId,
          version: s.version,
        }),
    };
    // The previous release's appointment columns (issue 13a added cancel_code and overlap_reason).
    const v3Appointment = db.prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, start, "end", status, reason, cancel_reason,
         virtual_link, version)
       VALUES (@id, @patientId, @providerId, @start, @end, @status, @reason, @cancelReason, @virtualLink, @version)
       ON CONFLICT (id) DO UPDATE SET start = excluded.start, "end" = excluded."end",
         provider_id = excluded.provider_id, version = excluded.version`,
    );
    const appointments = {
      upsert: ({ cancelCode: _c, overlapReason: _o, ...a }: AppointmentRecord) => v3Appointment.run(a),
    };
    // The previous release's ThreadsRepo.upsert (this release's ThreadsRepo prepares its search statements on
    // the schema-6 index, which a schema-3 store does not have yet; it also writes issue 14a's topic and pool).
    const v3Thread = db.prepare(
      `INSERT INTO threads (id, patient_id, subject, status, priority, assignee_id, provider_id, created_at,
         updated_at, last_message_at, due_at, version)
       VALUES (@id, @patientId, @subject, @status, @priority, @assigneeId, @providerId, @createdAt, @updatedAt,
         @lastMessageAt, @dueAt, @version)
       ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, subject = excluded.subject,
         status = excluded.status, priority = excluded.priority, assignee_id = excluded.assignee_id,
         provider_id = excluded.provider_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
         last_message_at = excluded.last_message_at, due_at = excluded.due_at, version = excluded.version`,
    );
    const v3ThreadUpdate = db.prepare(
      `UPDATE threads SET assignee_id = @assigneeId, priority = @priority, status = @status,
         updated_at = @updatedAt, last_message_at = @lastMessageAt WHERE id = @id`,
    );
    const threadRepo = {
      upsert: ({ topic: _t, poolId: _p, ...t }: ThreadRecord) => v3Thread.run(t),
      update: ({ topic: _t, poolId: _p, ...t }: ThreadRecord) => v3ThreadUpdate.run(t),
    };
    const deviceId = creds.deviceId()!;
    const staffId = creds.staffId;
    const insert = db.prepare(V3_OUTBOX_INSERT);
    const queued: { id: string; op: MutationOp; entityId: string }[] = [];
    const providerList = await (async () => {
      const res = await fetch(`${server.url}${SYNC_ROUTES.pull}?after=0&limit=5000`, {
        headers: { authorization: `Bearer ${creds.tokens.access}`, ...deviceHeader(creds.device) },
      });
      const body = (await res.json()) as { changes: { entity: string; data: unknown }[] };
      return body.changes.filter((c) => c.entity === 'provider').map((c) => c.data);
    })();
    const newSlot = freeSlot(providerList[0] as never, 9, 1);
    let later = newSlot;
    const auditEvent: Omit<AuditRecord, 'hash' | 'version'> = {
      id: uuidv7(),
      at: new Date().toISOString(),
      staffId,
      role: 'receptionist',
      deviceId,
      action: 'read',
      entityType: 'appointment',
      entityId: aRes.id,
      outcome: 'success',
      fields: [],
      actorKind: 'staff',
      prevHash: '0'.repeat(64),
    };
    const auditRecord: AuditRecord = { ...auditEvent, hash: recordHash(auditEvent), version: 0 };
    db.transaction(() => {
      // The previous release's columns (issue 13a added providers.location_id and two appointment columns).
      const v3Provider = db.prepare(
        `INSERT INTO providers (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version)
         VALUES (@id, @name, @specialty, @slotMinutes, @dayStartMinute, @dayEndMinute, @version)`,
      );
      for (const p of providerList as ProviderRecord[]) {
        const { locationId: _l, ...v3 } = p;
        v3Provider.run(v3);
      }
      for (const p of remote.patients.values()) patients.upsert(p);
      for (const c of remote.all.values()) if (c.entity === 'staff' && c.data) staff.upsert(c.data);
      for (const a of remote.appointments.values()) appointments.upsert(a);
      for (const t of remote.threads.values()) threadRepo.upsert(t);
      const messages = new MessagesRepo(db);
      for (const m of remote.messages.values()) messages.upsert(m);
      // Synced up to the server's newest change, then offline work was queued.
      db.prepare(`INSERT INTO sync_state (key, value) VALUES ('cursor', ?)`).run(String(cursor));
      const queue = (
        entity: string,
        entityId: string,
        baseVersion: number | null,
        op: MutationOp,
        by = staffId,
      ) => {
        const id = uuidv7();
        insert.run({
          id,
          entity,
          entityId,
          baseVersion,
          op: op.op,
          payload: JSON.stringify(op),
          staffId: by,
          createdAt: new Date().toISOString(),
        });
        queued.push({ id, op, entityId });
      };
      const bookId = uuidv7();
      const bookOp: MutationOp = {
        op: 'appointment.book',
        patientId: 'pat-000003',
        ...newSlot,
        reason: 'Queued before the upgrade',
        virtualLink: null,
      };
      appointments.upsert({
        id: bookId,
        patientId: 'pat-000003',
        ...newSlot,
        status: 'booked',
        reason: 'Queued before the upgrade',
        cancelReason: null,
        virtualLink: null,
        version: 0,
        cancelCode: null,
        overlapReason: null,
      });
      queue('appointment', bookId, null, bookOp);
      later = freeSlot(providerList[1] as never, 9, 2);
      appointments.upsert({ ...aRes, ...later });
      queue('appointment', aRes.id, aRes.version, { op: 'appointment.reschedule', ...later });
      appointments.upsert({ ...aCancel, status: 'cancelled', cancelReason: 'Queued cancel' });
      queue('appointment', aCancel.id, aCancel.version, {
        op: 'appointment.cancel',
        reason: 'Queued cancel',
      });
      appointments.upsert({ ...aCheckIn, status: 'checked-in' });
      queue('appointment', aCheckIn.id, aCheckIn.version, { op: 'appointment.checkIn' });
      appointments.upsert({ ...aNoShow, status: 'noshow' });
      queue('appointment', aNoShow.id, aNoShow.version, { op: 'appointment.noShow' });
      // Refused without the server's record ("Unknown staff member for this device": someone who never signed
      // in here), so the console has to fetch the record again by id.
      const stranger = [...remote.all.values()].find(
        (c) => c.entity === 'staff' && c.data && c.id !== staffId,
      )!.id;
      appointments.upsert({ ...aRefused, status: 'cancelled', cancelReason: 'Not mine' });
      queue(
        'appointment',
        aRefused.id,
        aRefused.version,
        { op: 'appointment.cancel', reason: 'Not mine' },
        stranger,
      );
      threadRepo.update({ ...tAssign, assigneeId: staffId });
      queue('thread', tAssign.id, tAssign.version, { op: 'thread.assign', assigneeId: staffId });
      threadRepo.update({ ...tPriority, priority: 'urgent' });
      queue('thread', tPriority.id, tPriority.version, { op: 'thread.setPriority', priority: 'urgent' });
      threadRepo.update({ ...tStatus, status: 'in_progress' });
      queue('thread', tStatus.id, tStatus.version, { op: 'thread.setStatus', status: 'in_progress' });
      queue('thread', tReply.id, tReply.version, {
        op: 'message.send',
        messageId: uuidv7(),
        body: 'Written before the upgrade.',
      });
      queue('audit', auditRecord.id, null, { op: 'audit.append', event: auditRecord });
    })();
    db.close();

    // ---- this release opens it ----
    const store = openStoreAt(dir.dir, key);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThan(3);
      expect(store.outbox.count()).toBe(11);
      expect(store.outbox.peek(20).every((r) => r.payloadVersion === 1)).toBe(true);
      const engine = new SyncEngine({ store, serverUrl: server.url, credentials: creds, live: false });
      await engine.syncNow();
      await engine.syncNow();
      expect(store.outbox.count()).toBe(0);

      const results = new Map<string, unknown>();
      for (const q of queued)
        results.set(q.id, JSON.parse((await server.server.store.appliedMutation(deviceId, q.id)) ?? 'null'));
      for (const q of queued) {
        expect(results.get(q.id), q.op.op).toMatchObject({
          status: q.entityId === aRefused.id ? 'rejected' : 'applied',
        });
      }
      const after = await serverSnapshot(server.url, creds.tokens.access);
      expect(after.appointments.get(aCancel.id)!.status).toBe('cancelled');
      expect(after.appointments.get(aCheckIn.id)!.status).toBe('checked-in');
      expect(after.appointments.get(aNoShow.id)!.status).toBe('noshow');
      expect(after.appointments.get(aRes.id)!.start).toBe(later.start);
      expect(after.threads.get(tAssign.id)!.assigneeId).toBe(staffId);
      expect(after.threads.get(tPriority.id)!.priority).toBe('urgent');
      expect(after.threads.get(tStatus.id)!.status).toBe('in_progress');
      expect(
        [...after.messages.values()].filter((m) => m.body === 'Written before the upgrade.'),
      ).toHaveLength(1);
      expect(after.appointments.get(aRefused.id)).toEqual(aRefused);
      // The console shows what the server has, for every record (the refused one fetched again by id).
      const local = localSnapshot(store);
      expect(sorted(local.appointments)).toEqual(sorted(after.appointments));
      expect(sorted(local.threads)).toEqual(sorted(after.threads));
      expect(sorted(local.messages)).toEqual(sorted(after.messages));
      expect(engine.problems().map((p) => p.entityId)).toEqual([aRefused.id]);
      await engine.stop();
    } finally {
      store.close();
    }
  });

  it('the server accepts the current and the previous payload version and refuses another alone', async () => {
    const remote = await serverSnapshot(server.url, creds.tokens.access);
    const threads = sorted(remote.threads).filter((t) => t.status !== 'done' && t.poolId === 'front-desk');
    const m = (t: ThreadRecord, v: number | undefined): Mutation => ({
      id: uuidv7(),
      entityId: t.id,
      baseVersion: t.version,
      createdAt: new Date().toISOString(),
      staffId: creds.staffId,
      mutation: { op: 'thread.setPriority', priority: 'asap' },
      ...(v === undefined ? {} : { v }),
    });
    const [t10, t11, t12, t13] = threads.slice(-4) as [
      ThreadRecord,
      ThreadRecord,
      ThreadRecord,
      ThreadRecord,
    ];
    const batch = [m(t10, undefined), m(t11, 2), m(t12, 3), m(t13, 1)];
    const res = await fetch(server.url + SYNC_ROUTES.push, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${creds.tokens.access}`,
        ...deviceHeader(creds.device),
      },
      body: JSON.stringify({ deviceId: creds.deviceId(), mutations: batch }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { status: string; reason?: string }[] };
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied']);
    expect(results[2]!.reason).toMatch(/newer console/);
  });
});
