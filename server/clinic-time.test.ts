/**
 * Issue 13a on the server (runs on SQLite and PostgreSQL): the clinic profile's locations reach the consoles by
 * pull; bookings are checked against wall-clock working hours in the location's IANA zone, stable across
 * daylight-saving changes; instants written with an offset are stored and compared as UTC `…Z`.
 * Expected instants are written out by hand (Lord Howe: +11 until 4 April 2027 02:00, then +10:30).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentRecord, LocationRecord, ProviderRecord } from '../src-shared/domain';
import { PushResponse, type Change, type MutationOp, type MutationResult } from '../src-shared/sync';
import { call, pullAll, signInStaff, startServer, type Running, type StaffLogin } from './test/helpers';

async function push(
  run: Running,
  login: StaffLogin,
  entityId: string,
  op: MutationOp,
): Promise<MutationResult> {
  const res = await call(run.url, 'POST', '/sync/push', {
    token: login.accessToken,
    body: {
      deviceId: login.deviceId,
      mutations: [
        {
          id: randomUUID(),
          entityId,
          baseVersion: null,
          createdAt: new Date(run.clock.ms).toISOString(),
          staffId: login.staff.id,
          mutation: op,
        },
      ],
    },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results[0]!;
}

const book = (providerId: string, start: string, end: string, patientId = 'pat-000001'): MutationOp => ({
  op: 'appointment.book',
  patientId,
  providerId,
  start,
  end,
  reason: 'Check-up',
  virtualLink: null,
});

const of = <T>(changes: Change[], entity: Change['entity']) =>
  changes.filter((c) => c.entity === entity).map((c) => c.data as T);

describe('clinic location in Australia/Lord_Howe (half-hour DST)', () => {
  let run: Running;
  let desk: StaffLogin;
  beforeAll(async () => {
    run = await startServer({ demoTimeZone: 'Australia/Lord_Howe', scale: 0.05 });
    desk = await signInStaff(run, 'reception1');
  });
  afterAll(async () => run?.stop());

  it('pulls the location with its zone, and every provider names it', async () => {
    const { changes } = await pullAll(run.url, desk.accessToken);
    const locations = of<LocationRecord>(changes, 'location');
    expect(locations).toEqual([
      { id: 'loc-main', name: 'Main clinic', timeZone: 'Australia/Lord_Howe', walkInMinutes: 30, version: 2 },
    ]);
    for (const p of of<ProviderRecord>(changes, 'provider')) expect(p.locationId).toBe('loc-main');
  });

  it('books 09:00 local on both sides of the change (22:00Z, then 22:30Z) and refuses the UTC reading', async () => {
    // prv-002 has 30-minute slots from 08:00 to 17:00 local.
    const before = await push(
      run,
      desk,
      randomUUID(),
      book('prv-002', '2027-04-01T22:00:00Z', '2027-04-01T22:30:00Z'),
    );
    expect(before.status).toBe('applied');
    const after = await push(
      run,
      desk,
      randomUUID(),
      book('prv-002', '2027-04-04T22:30:00Z', '2027-04-04T23:00:00Z'),
    );
    expect(after.status).toBe('applied');
    // 09:00Z on 5 April is 19:30 local: outside working hours, said with the zone named.
    const utc = await push(
      run,
      desk,
      randomUUID(),
      book('prv-002', '2027-04-05T09:00:00Z', '2027-04-05T09:30:00Z'),
    );
    expect(utc.status).toBe('rejected');
    if (utc.status === 'rejected') expect(utc.reason).toContain('Australia/Lord_Howe');
  });
});

describe('instants at the contract (clinic in UTC)', () => {
  let run: Running;
  let desk: StaffLogin;
  beforeAll(async () => {
    run = await startServer({ scale: 0.05 });
    desk = await signInStaff(run, 'reception1');
  });
  afterAll(async () => run?.stop());

  it('the same instant written with an offset is a CONFLICT, and is stored as UTC …Z', async () => {
    const a = randomUUID();
    expect(
      (await push(run, desk, a, book('prv-001', '2027-04-12T08:00:00Z', '2027-04-12T08:15:00Z'))).status,
    ).toBe('applied');
    const b = await push(
      run,
      desk,
      randomUUID(),
      book('prv-001', '2027-04-11T20:00:00-12:00', '2027-04-11T20:15:00-12:00', 'pat-000002'),
    );
    expect(b.status).toBe('conflict');
    const c = randomUUID();
    expect(
      (await push(run, desk, c, book('prv-001', '2027-04-12T20:15:00-12:00', '2027-04-12T20:30:00-12:00')))
        .status,
    ).toBe('applied');
    const { changes } = await pullAll(run.url, desk.accessToken);
    const stored = of<AppointmentRecord>(changes, 'appointment').find((x) => x.id === c)!;
    expect(stored.start).toBe('2027-04-13T08:15:00.000Z');
    expect(stored.end).toBe('2027-04-13T08:30:00.000Z');
  });
});
