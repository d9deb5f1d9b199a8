/** The audit log on a real encrypted store: chain, outbox, tamper detection below the API, trails. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import { Mutation } from '../../src-shared/sync';
import { AuditEntryView, VerifyResult } from '../../src-shared/views';
import type { AuditActor } from './audit-log';
import { GENESIS_HASH, canonicalJson, recordHash } from './chain';
import { DEVICE_ID, DEVICE_NAME, openTestStore, type TestStore } from './test-store';

const RECEPTIONIST = { staffId: 'stf-rita', role: 'receptionist' as const };
const CLINICIAN = { staffId: 'stf-carl', role: 'clinician' as const };

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  t.store.staff.upsert({
    id: 'stf-rita',
    username: 'rita',
    displayName: 'Rita Reception',
    role: 'receptionist',
    providerId: null,
    version: 1,
  });
  t.store.staff.upsert({
    id: 'stf-carl',
    username: 'carl',
    displayName: 'Dr Carl Clinic',
    role: 'clinician',
    providerId: null,
    version: 1,
  });
  t.store.devices.upsert('dev-desk-2', 'Front desk 2');
});
afterEach(() => t.cleanup());

/** n events about a few appointments, one second apart. */
function recordMany(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    t.clock.advance(1000);
    out.push(
      t.audit.record(i % 2 === 0 ? RECEPTIONIST : CLINICIAN, {
        action: i % 3 === 0 ? 'update' : 'read',
        entityType: 'appointment',
        entityId: `apt-${i % 4}`,
        outcome: 'success',
        fields: i % 3 === 0 ? ['status'] : [],
      }),
    );
  }
  return out;
}

describe('record', () => {
  it('chains events and verify() accepts the chain', () => {
    expect(t.audit.verify()).toEqual({ ok: true, count: 0 });
    const events = recordMany(25);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    for (const e of events) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      // The server (or anyone with the export) can recompute the hash from the record alone.
      expect(recordHash(e)).toBe(e.hash);
    }
    const result = t.audit.verify();
    expect(VerifyResult.parse(result)).toEqual({ ok: true, count: 25 });
  });

  it('fills the event from the clock, the device and the actor', () => {
    const e = t.audit.record(CLINICIAN, {
      action: 'update',
      entityType: 'thread',
      entityId: 'thr-1',
      outcome: 'success',
      fields: ['priority'],
    });
    expect(e).toMatchObject({
      at: new Date(t.clock.t).toISOString(),
      staffId: 'stf-carl',
      role: 'clinician',
      deviceId: DEVICE_ID,
      action: 'update',
      entityType: 'thread',
      entityId: 'thr-1',
      outcome: 'success',
      fields: ['priority'],
      actorKind: 'staff',
      version: 0,
    });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const system = t.audit.record(
      { staffId: null, role: null },
      {
        action: 'lock',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
      },
    );
    expect(system.actorKind).toBe('system');
  });

  it('stores field names as a JSON array and the canonical form in a fixed key order', () => {
    const e = t.audit.record(RECEPTIONIST, {
      action: 'update',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
      fields: ['status', 'cancelReason'],
    });
    const row = t.store.audit.byId(e.id)!;
    expect(row.fields).toBe('["status","cancelReason"]');
    const { hash: _h, version: _v, ...rest } = e;
    const canonical = canonicalJson({ ...rest, fieldsJson: row.fields });
    // Exactly JSON.stringify of the record in this key order, so another implementation can reproduce it.
    expect(canonical).toBe(
      JSON.stringify({
        id: e.id,
        at: e.at,
        staffId: e.staffId,
        role: e.role,
        deviceId: e.deviceId,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        outcome: e.outcome,
        fields: e.fields,
        actorKind: e.actorKind,
        prevHash: e.prevHash,
      }),
    );
  });

  it('writes each event once, to the log, where the push reads it by seq with the same id and content', () => {
    const events = recordMany(5);
    const failed = t.audit.record(
      { staffId: null, role: null },
      {
        action: 'failed-sign-in',
        entityType: 'session',
        entityId: null,
        outcome: 'failure',
      },
    );
    // No second copy in the outbox (issue 16): the push queue is the log after the push pointer.
    expect(t.store.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(t.store.outbox.count()).toBe(6);
    const pending = t.store.auditPush.peek(100);
    expect(pending.map((p) => p.record.id)).toEqual([...events, failed].map((e) => e.id));
    for (const [i, e] of [...events, failed].entries()) {
      const p = pending[i]!;
      expect(p.record).toEqual(e);
      // What push will send must pass the server's schema.
      const m = Mutation.safeParse({
        id: e.id,
        entityId: e.id,
        baseVersion: null,
        createdAt: e.at,
        staffId: e.staffId ?? 'system',
        mutation: { op: 'audit.append', event: p.record },
      });
      expect(m.success).toBe(true);
    }
  });

  it("rolls back with the caller's transaction, leaving the chain intact", () => {
    recordMany(3);
    expect(() =>
      t.store.transaction(() => {
        t.audit.record(RECEPTIONIST, {
          action: 'create',
          entityType: 'appointment',
          entityId: 'apt-9',
          outcome: 'success',
        });
        throw new Error('the booking failed');
      }),
    ).toThrow('the booking failed');
    expect(t.store.audit.count()).toBe(3);
    expect(t.store.outbox.count()).toBe(3);
    recordMany(2);
    expect(t.audit.verify()).toEqual({ ok: true, count: 5 });
  });

  it('refuses values where field names belong, without echoing them', () => {
    const phi = 'Ottoline Quillfeather';
    let message = '';
    try {
      t.audit.record(RECEPTIONIST, {
        action: 'update',
        entityType: 'patient',
        entityId: 'pat-1',
        outcome: 'success',
        fields: [phi],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/field name/);
    expect(message).not.toContain('Ottoline');
    expect(() =>
      t.audit.record(RECEPTIONIST, {
        action: 'read',
        entityType: 'thread',
        entityId: 'x'.repeat(65),
        outcome: 'success',
      }),
    ).toThrow(RangeError);
    expect(t.store.audit.count()).toBe(0);
    expect(t.store.outbox.count()).toBe(0);
  });
});

describe('the append-only triggers', () => {
  it('refuse UPDATE and DELETE through the normal connection', () => {
    const [e] = recordMany(2);
    expect(() =>
      t.store.db.prepare(`UPDATE audit_events SET outcome = 'failure' WHERE id = ?`).run(e!.id),
    ).toThrow('audit_events is append-only');
    expect(() => t.store.db.prepare('DELETE FROM audit_events WHERE id = ?').run(e!.id)).toThrow(
      'audit_events is append-only',
    );
    expect(() => t.store.db.prepare('DELETE FROM audit_events').run()).toThrow('audit_events is append-only');
    expect(t.audit.verify()).toEqual({ ok: true, count: 2 });
  });
});

describe('tamper detection below the API (an attacker with the key drops the triggers)', () => {
  /** A raw connection to the same encrypted file, without the append-only triggers. */
  function attacker() {
    const db = t.raw();
    db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
    return db;
  }
  const seqOf = (id: string) =>
    (t.store.db.prepare('SELECT seq FROM audit_events WHERE id = ?').get(id) as { seq: number }).seq;

  it('an altered outcome names that event: hash-mismatch', () => {
    const events = recordMany(20);
    attacker().prepare(`UPDATE audit_events SET outcome = 'failure' WHERE id = ?`).run(events[7]!.id);
    expect(t.audit.verify()).toEqual({
      ok: false,
      count: 20,
      firstBadEventId: events[7]!.id,
      reason: 'hash-mismatch',
    });
  });

  it('an altered entity id or field list names that event: hash-mismatch', () => {
    const events = recordMany(20);
    const db = attacker();
    db.prepare(`UPDATE audit_events SET fields = '[]' WHERE id = ?`).run(events[15]!.id);
    db.prepare(`UPDATE audit_events SET entity_id = 'apt-other' WHERE id = ?`).run(events[11]!.id);
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[11]!.id,
      reason: 'hash-mismatch',
    });
  });

  it('an altered prevHash is altered content: hash-mismatch on that event', () => {
    const events = recordMany(20);
    attacker()
      .prepare(`UPDATE audit_events SET prev_hash = ? WHERE id = ?`)
      .run('f'.repeat(64), events[4]!.id);
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[4]!.id,
      reason: 'hash-mismatch',
    });
  });

  it('an altered event with a recomputed hash breaks the next link: link-mismatch on the next event', () => {
    const events = recordMany(20);
    const forged = { ...events[9]!, outcome: 'failure' as const };
    attacker()
      .prepare(`UPDATE audit_events SET outcome = 'failure', hash = ? WHERE id = ?`)
      .run(recordHash(forged), forged.id);
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[10]!.id,
      reason: 'link-mismatch',
    });
  });

  it('a deleted event names the event after the gap: link-mismatch', () => {
    const events = recordMany(20);
    attacker().prepare('DELETE FROM audit_events WHERE id = ?').run(events[8]!.id);
    expect(t.audit.verify()).toEqual({
      ok: false,
      count: 19,
      firstBadEventId: events[9]!.id,
      reason: 'link-mismatch',
    });
  });

  it('a deleted first event names the new first event: link-mismatch', () => {
    const events = recordMany(20);
    attacker().prepare('DELETE FROM audit_events WHERE id = ?').run(events[0]!.id);
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[1]!.id,
      reason: 'link-mismatch',
    });
  });

  it('two events with swapped seq name the first misplaced event: order-mismatch', () => {
    const events = recordMany(20);
    const a = events[5]!;
    const b = events[13]!;
    const sa = seqOf(a.id);
    const sb = seqOf(b.id);
    const db = attacker();
    db.transaction(() => {
      db.prepare('UPDATE audit_events SET seq = -1 WHERE id = ?').run(a.id);
      db.prepare('UPDATE audit_events SET seq = ? WHERE id = ?').run(sa, b.id);
      db.prepare('UPDATE audit_events SET seq = ? WHERE id = ?').run(sb, a.id);
    })();
    // In seq order, b now sits where a was: it is the first event out of place.
    expect(t.audit.verify()).toEqual({
      ok: false,
      count: 20,
      firstBadEventId: b.id,
      reason: 'order-mismatch',
    });
  });

  it('two adjacent events swapped: order-mismatch on the one now first', () => {
    const events = recordMany(20);
    const a = events[10]!;
    const b = events[11]!;
    const sa = seqOf(a.id);
    const db = attacker();
    db.transaction(() => {
      db.prepare('UPDATE audit_events SET seq = -1 WHERE id = ?').run(a.id);
      db.prepare('UPDATE audit_events SET seq = ? WHERE id = ?').run(sa, b.id);
      db.prepare('UPDATE audit_events SET seq = ? WHERE id = ?').run(sa + 1, a.id);
    })();
    expect(t.audit.verify()).toMatchObject({ ok: false, firstBadEventId: b.id, reason: 'order-mismatch' });
  });

  it('the first event moved to the end: order-mismatch on the event now first', () => {
    const events = recordMany(20);
    attacker().prepare('UPDATE audit_events SET seq = 1000 WHERE id = ?').run(events[0]!.id);
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[1]!.id,
      reason: 'order-mismatch',
    });
  });

  it('a store reopened after tampering still reports it', () => {
    const events = recordMany(20);
    const db = attacker();
    db.prepare(`UPDATE audit_events SET action = 'read' WHERE id = ?`).run(events[3]!.id);
    db.close();
    t.reopen();
    expect(t.audit.verify()).toMatchObject({
      ok: false,
      firstBadEventId: events[3]!.id,
      reason: 'hash-mismatch',
    });
  });
});

describe('trail', () => {
  const remote = (over: Partial<AuditRecord>): AuditRecord => ({
    id: 'srv-evt-1',
    at: '2026-11-23T09:00:30.000Z',
    staffId: null,
    role: null,
    deviceId: 'server',
    action: 'read',
    entityType: 'appointment',
    entityId: 'apt-1',
    outcome: 'success',
    fields: [],
    actorKind: 'system',
    prevHash: '',
    hash: '',
    version: 1,
    ...over,
  });

  it('merges local and server events for one record, newest first, without duplicates, with names', () => {
    t.clock.advance(1000); // 09:00:01
    const booked = t.audit.record(RECEPTIONIST, {
      action: 'create',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
      fields: ['patientId', 'providerId', 'start', 'end', 'reason'],
    });
    t.clock.advance(60_000); // 09:01:01
    const viewed = t.audit.record(CLINICIAN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    t.clock.advance(60_000); // 09:02:01
    const checkedIn = t.audit.record(RECEPTIONIST, {
      action: 'update',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
      fields: ['status'],
    });
    // Same device, other record: not in this trail.
    t.audit.record(RECEPTIONIST, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-2',
      outcome: 'success',
    });
    t.audit.record(RECEPTIONIST, {
      action: 'read',
      entityType: 'thread',
      entityId: 'apt-1',
      outcome: 'success',
    });

    // The server sends back our own booking event (confirmed) ...
    t.audit.applyRemote({ ...booked, version: 4 });
    // ... another desk's reschedule, the patient's portal view, a backend event and an unknown device.
    const desk2 = remote({
      id: 'evt-desk2',
      at: '2026-11-23T09:01:30.000Z',
      staffId: 'stf-carl',
      role: 'clinician',
      deviceId: 'dev-desk-2',
      action: 'update',
      fields: ['providerId', 'start', 'end'],
      actorKind: 'staff',
    });
    const portal = remote({
      id: 'evt-portal',
      at: '2026-11-23T09:03:00.000Z',
      deviceId: 'portal',
      actorKind: 'patient',
    });
    const backend = remote({ id: 'evt-server', at: '2026-11-23T08:59:00.000Z' });
    const stranger = remote({
      id: 'evt-stranger',
      at: '2026-11-23T09:00:45.000Z',
      staffId: 'stf-unknown',
      role: 'admin',
      deviceId: 'dev-unknown',
      actorKind: 'staff',
    });
    for (const r of [desk2, portal, backend, stranger, desk2]) t.audit.applyRemote(r);
    t.audit.applyRemote(remote({ id: 'evt-elsewhere', entityId: 'apt-2' }));

    const trail = t.audit.trail('appointment', 'apt-1');
    for (const entry of trail) AuditEntryView.parse(entry);
    expect(trail.map((e) => e.id)).toEqual([
      portal.id, // 09:03:00
      checkedIn.id, // 09:02:01
      desk2.id, // 09:01:30
      viewed.id, // 09:01:01
      stranger.id, // 09:00:45
      booked.id, // 09:00:01
      backend.id, // 08:59:00
    ]);
    const byId = new Map(trail.map((e) => [e.id, e]));
    expect(byId.get(booked.id)).toMatchObject({
      source: 'server',
      staffName: 'Rita Reception',
      deviceName: DEVICE_NAME,
      fields: ['patientId', 'providerId', 'start', 'end', 'reason'],
    });
    expect(byId.get(viewed.id)).toMatchObject({
      source: 'local',
      staffName: 'Dr Carl Clinic',
      role: 'clinician',
    });
    expect(byId.get(checkedIn.id)).toMatchObject({ source: 'local', fields: ['status'] });
    expect(byId.get(desk2.id)).toMatchObject({
      source: 'server',
      staffName: 'Dr Carl Clinic',
      deviceName: 'Front desk 2',
    });
    expect(byId.get(portal.id)).toMatchObject({
      actorKind: 'patient',
      staffName: null,
      deviceName: 'Patient portal',
    });
    expect(byId.get(backend.id)).toMatchObject({
      actorKind: 'system',
      staffName: null,
      deviceName: 'Portal backend',
    });
    expect(byId.get(stranger.id)).toMatchObject({ staffName: 'stf-unknown', deviceName: 'dev-unknown' });
  });

  it('applyRemote is idempotent and keeps the first copy', () => {
    const r = remote({ id: 'evt-1' });
    t.audit.applyRemote(r);
    t.audit.applyRemote({ ...r, outcome: 'failure' });
    expect(t.audit.trail('appointment', 'apt-1')).toHaveLength(1);
    expect(t.audit.trail('appointment', 'apt-1')[0]!.outcome).toBe('success');
    // Remote events live beside the chain, not in it.
    expect(t.audit.verify()).toEqual({ ok: true, count: 0 });
  });
});

describe('accountActivity', () => {
  it("lists that staff member's sign-in history only, newest first, local and server", () => {
    const ids: string[] = [];
    const auth = (
      actor: AuditActor,
      action: 'sign-in' | 'failed-sign-in' | 'sign-out' | 'lock' | 'unlock',
    ) => {
      t.clock.advance(1000);
      const outcome = action === 'failed-sign-in' ? 'failure' : 'success';
      return t.audit.record(actor, { action, entityType: 'session', entityId: null, outcome });
    };
    ids.push(auth(RECEPTIONIST, 'failed-sign-in').id);
    ids.push(auth(RECEPTIONIST, 'sign-in').id);
    auth(CLINICIAN, 'sign-in');
    t.clock.advance(1000);
    t.audit.record(RECEPTIONIST, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    ids.push(auth(RECEPTIONIST, 'lock').id);
    ids.push(auth(RECEPTIONIST, 'unlock').id);
    ids.push(auth(RECEPTIONIST, 'sign-out').id);
    auth(CLINICIAN, 'failed-sign-in');
    const elsewhere: AuditRecord = {
      id: 'evt-desk2-signin',
      at: new Date(t.clock.t + 60_000).toISOString(),
      staffId: 'stf-rita',
      role: 'receptionist',
      deviceId: 'dev-desk-2',
      action: 'sign-in',
      entityType: 'session',
      entityId: null,
      outcome: 'success',
      fields: [],
      actorKind: 'staff',
      prevHash: '',
      hash: '',
      version: 1,
    };
    t.audit.applyRemote(elsewhere);
    t.audit.applyRemote({ ...elsewhere, id: 'evt-carl', staffId: 'stf-carl' });

    const activity = t.audit.accountActivity('stf-rita');
    expect(activity.map((e) => e.id)).toEqual([elsewhere.id, ...ids.reverse()]);
    expect(activity.map((e) => e.action)).toEqual([
      'sign-in',
      'sign-out',
      'unlock',
      'lock',
      'sign-in',
      'failed-sign-in',
    ]);
    expect(activity[0]).toMatchObject({ deviceName: 'Front desk 2', source: 'server' });
    expect(activity.at(-1)).toMatchObject({ outcome: 'failure', deviceName: DEVICE_NAME, source: 'local' });
    expect(t.audit.accountActivity('stf-nobody')).toEqual([]);
  });
});
