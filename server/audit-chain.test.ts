/**
 * Issue 10: the server verifies each device's audit chain link by link. Wrong hash, broken link, restarted
 * chain, duplicate, fork: refused at the exact event and raised as an alert; back-dated or future-dated:
 * stored, flagged and raised; an honest chain of 10,000 events across console restarts: accepted whole.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../src-shared/domain';
import { AuditAlertsResponse, AuditHeadResponse, PushResponse, type Mutation } from '../src-shared/sync';
import {
  call,
  registerDevice,
  sealAuditEvent,
  signInStaff,
  startServer,
  type Running,
  type StaffLogin,
} from './test/helpers';

const GENESIS = '0'.repeat(64);

let run: Running;
let admin: StaffLogin;
beforeAll(async () => {
  run = await startServer();
  admin = await signInStaff(run, 'admin1');
});
afterAll(async () => run.stop());

/** A console's local chain: each new event links to the previous one, sealed as DESIGN §7 says. */
class Chain {
  head = GENESIS;
  constructor(
    readonly deviceId: string,
    readonly staffId: string,
    public clockMs = () => run.clock.ms,
  ) {}
  next(overrides: Partial<AuditRecord> = {}): AuditRecord {
    const event = sealAuditEvent({
      id: randomUUID(),
      at: new Date(this.clockMs()).toISOString(),
      staffId: this.staffId,
      role: 'receptionist',
      deviceId: this.deviceId,
      action: 'read',
      entityType: 'patient',
      entityId: 'pat-000004',
      outcome: 'success',
      fields: [],
      actorKind: 'staff',
      prevHash: this.head,
      version: 0,
      ...overrides,
    });
    this.head = event.hash;
    return event;
  }
}

const append = (event: AuditRecord, id: string = event.id): Mutation => ({
  id,
  entityId: event.id,
  baseVersion: null,
  createdAt: event.at,
  staffId: event.staffId ?? 'system',
  mutation: { op: 'audit.append', event },
});

async function push(login: StaffLogin, mutations: Mutation[]) {
  const res = await call(run.url, 'POST', '/sync/push', {
    device: login.deviceId,
    body: { deviceId: login.deviceId, mutations },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results;
}

async function alertsFor(deviceId: string) {
  const res = await call(run.url, 'GET', '/admin/audit-alerts', { token: admin.accessToken });
  expect(res.status).toBe(200);
  return AuditAlertsResponse.parse(res.json)
    .alerts.filter((a) => a.deviceId === deviceId)
    .reverse();
}

describe('per-device audit chain verification', () => {
  it('refuses a wrong hash, a broken link, a restarted chain, a duplicate and a fork at the exact event', async () => {
    const desk = await signInStaff(run, 'reception1');
    const chain = new Chain(desk.deviceId, desk.staff.id);
    const [e1, e2] = [chain.next(), chain.next()];
    expect((await push(desk, [append(e1), append(e2)])).map((r) => r.status)).toEqual(['applied', 'applied']);

    const tampered = { ...chain.next(), fields: ['diagnosis'] }; // content changed after sealing
    const broken = sealAuditEvent({ ...chain.next(), prevHash: 'c'.repeat(64) });
    const restarted = sealAuditEvent({ ...chain.next(), prevHash: GENESIS });
    const duplicate = e2; // the same event again, under a new mutation id
    const fork = sealAuditEvent({ ...chain.next(), id: randomUUID(), prevHash: e1.hash });
    const results = await push(desk, [
      append(tampered),
      append(broken),
      append(restarted),
      append(duplicate, randomUUID()),
      append(fork),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    for (const e of [tampered, broken, restarted, fork])
      expect(await run.server.store.auditEvent(e.id)).toBeNull();

    const alerts = await alertsFor(desk.deviceId);
    expect(alerts.map((a) => [a.kind, a.eventId])).toEqual([
      ['bad-hash', tampered.id],
      ['gap', broken.id],
      ['restarted', restarted.id],
      ['duplicate', e2.id],
      ['fork', fork.id],
    ]);
    // The honest console's next event, linked to the last accepted one, still goes in.
    const honest = sealAuditEvent({ ...chain.next(), prevHash: e2.hash });
    expect((await push(desk, [append(honest)]))[0]!.status).toBe('applied');
    const head = AuditHeadResponse.parse(
      (await call(run.url, 'GET', '/sync/audit-head', { device: desk.deviceId })).json,
    );
    expect(head.head).toMatchObject({ id: honest.id, hash: honest.hash });
  });

  it('refuses an event holding text that is not well-formed Unicode, at that event, repeating none of it', async () => {
    // No unmodified console records such text; in a text column no store would keep it as it was hashed.
    const desk = await signInStaff(run, 'reception1', await registerDevice(run, 'Desk with cut text'));
    const chain = new Chain(desk.deviceId, desk.staff.id);
    const first = chain.next();
    expect((await push(desk, [append(first)]))[0]!.status).toBe('applied');
    const inRecord = sealAuditEvent({ ...chain.next(), entityId: 'pat-000004\ud83d', prevHash: first.hash });
    const inField = sealAuditEvent({ ...chain.next(), fields: ['phone\udc00'], prevHash: first.hash });
    const inId = sealAuditEvent({ ...chain.next(), id: `${randomUUID()}\ud83d`, prevHash: first.hash });
    const results = await push(desk, [append(inRecord), append(inField), append(inId, randomUUID())]);
    expect(results.map((r) => [r.status, r.status === 'rejected' ? r.reason : ''])).toEqual(
      ['entityId', 'fields.0', 'id'].map((path) => [
        'rejected',
        `The audit event cannot be stored as it was hashed (event.${path}: text that is not valid Unicode (a lone UTF-16 surrogate)).`,
      ]),
    );
    const alerts = await alertsFor(desk.deviceId);
    expect(alerts.map((a) => [a.kind, a.eventId])).toEqual([
      ['bad-hash', inRecord.id],
      ['bad-hash', inField.id],
      ['bad-hash', inId.id.toWellFormed()],
    ]);
    for (const a of alerts) expect(a.eventId!.isWellFormed() && a.detail.isWellFormed()).toBe(true);
    // The server's chain still ends at the last accepted event: an event linked to it goes in (one linked to a
    // refused event would be a gap, as after any refusal).
    const honest = sealAuditEvent({ ...chain.next(), prevHash: first.hash });
    expect((await push(desk, [append(honest)]))[0]!.status).toBe('applied');
  });

  it('stores its receive time beside the console time and flags a back-dated or future-dated event', async () => {
    const desk = await signInStaff(run, 'reception2');
    const chain = new Chain(desk.deviceId, desk.staff.id);
    const now = run.clock.ms;
    const first = chain.next();
    const backDated = chain.next({ at: new Date(now - 3 * 3600_000).toISOString() });
    const future = chain.next({ at: new Date(now + 3600_000).toISOString() });
    // Older than the 72 h offline grace period: no honest console pushes that.
    const ancient = chain.next({ at: '2020-01-01T00:00:00.000Z' });
    const results = await push(desk, [append(first), append(backDated), append(future), append(ancient)]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    // backDated is 3 h late, as offline work is: flagged (skew_flag below) but no clock-skew alert.
    expect((await alertsFor(desk.deviceId)).map((a) => [a.kind, a.eventId])).toEqual([
      ['back-dated', backDated.id],
      ['clock-skew', future.id],
      ['back-dated', ancient.id],
      ['clock-skew', ancient.id],
    ]);
    const db = new Database(path.join(run.dataDir, 'portal.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT id, at, received_at, skew_flag FROM audit_events WHERE device_id = ? AND origin = ? ORDER BY seq',
        )
        .all(desk.deviceId, 'console') as {
        id: string;
        at: string;
        received_at: string;
        skew_flag: number;
      }[];
      expect(rows.map((r) => [r.id, r.received_at, r.skew_flag])).toEqual([
        [first.id, new Date(now).toISOString(), 0],
        [backDated.id, new Date(now).toISOString(), 1],
        [future.id, new Date(now).toISOString(), 1],
        [ancient.id, new Date(now).toISOString(), 1],
      ]);
    } finally {
      db.close();
    }
  });

  it('accepts an honest chain of 10,000 events across console restarts whole', async () => {
    const deviceId = await registerDevice(run, 'Busy desk');
    let login = await signInStaff(run, 'reception1', deviceId);
    const chain = new Chain(deviceId, login.staff.id);
    let applied = 0;
    for (let batch = 0; batch < 50; batch++) {
      // A console restart every 10 batches: a new sign-in (new tokens), the chain continuing from its head.
      if (batch > 0 && batch % 10 === 0) login = await signInStaff(run, 'reception1', deviceId);
      const events = Array.from({ length: 200 }, () => chain.next());
      run.clock.advance(1);
      const results = await push(
        login,
        events.map((e) => append(e)),
      );
      applied += results.filter((r) => r.status === 'applied').length;
    }
    expect(applied).toBe(10_000);
    expect(await alertsFor(deviceId)).toEqual([]);
    const head = AuditHeadResponse.parse(
      (await call(run.url, 'GET', '/sync/audit-head', { device: deviceId })).json,
    );
    expect(head.head?.hash).toBe(chain.head);
  });

  it('refuses forged content: a wrong role, a staff-less delete, a first event that starts mid-chain, an inactive account', async () => {
    const desk = await signInStaff(run, 'reception1');
    const chain = new Chain(desk.deviceId, desk.staff.id);
    const midChain = sealAuditEvent({ ...chain.next(), prevHash: 'd'.repeat(64) });
    const results1 = await push(desk, [append(midChain)]);
    expect(results1[0]!.status).toBe('rejected');
    chain.head = GENESIS;
    const asAdmin = chain.next({ role: 'admin' });
    chain.head = GENESIS;
    const staffless = chain.next({ staffId: null, role: null, action: 'delete', actorKind: 'system' });
    const results2 = await push(desk, [append(asAdmin), append(staffless)]);
    expect(results2.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // An account deactivated on the server: its events are refused too.
    chain.head = GENESIS;
    const first = chain.next();
    expect((await push(desk, [append(first)]))[0]!.status).toBe('applied');
    const db = new Database(path.join(run.dataDir, 'portal.sqlite'));
    try {
      db.prepare('UPDATE staff SET active = 0 WHERE username = ?').run('reception1');
      expect((await push(desk, [append(chain.next())]))[0]!.status).toBe('rejected');
    } finally {
      db.prepare('UPDATE staff SET active = 1 WHERE username = ?').run('reception1');
      db.close();
    }
    expect((await alertsFor(desk.deviceId)).map((a) => a.kind)).toEqual([
      'gap',
      'wrong-role',
      'unknown-staff',
      'unknown-staff',
    ]);
  });

  it('shows alerts to admins only', async () => {
    const desk = await signInStaff(run, 'reception1');
    const res = await call(run.url, 'GET', '/admin/audit-alerts', { token: desk.accessToken });
    expect(res.status).toBe(403);
  });
});
