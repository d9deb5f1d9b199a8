/**
 * Issue 13a on the server (runs on SQLite and PostgreSQL): the clinic profile's locations reach the consoles by
 * pull; bookings are checked against wall-clock working hours in the location's IANA zone, stable across
 * daylight-saving changes; instants written with an offset are stored and compared as UTC `…Z`.
 * Expected instants are written out by hand (Lord Howe: +11 until 4 April 2027 02:00, then +10:30).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type {
  AppointmentRecord,
  LocationRecord,
  ProviderRecord,
  VisitTypeRecord,
} from '../src-shared/domain';
import type { Change, MutationOp } from '../src-shared/sync';
import { pullAll } from './test/helpers';
import { bookOp, useServerDesk } from './test/desk';

const of = <T>(changes: Change[], entity: Change['entity']) =>
  changes.filter((c) => c.entity === entity).map((c) => c.data as T);

describe('clinic location in Australia/Lord_Howe (half-hour DST)', () => {
  const desk = useServerDesk({ demoTimeZone: 'Australia/Lord_Howe' });

  it('pulls the location with its zone, and every provider names it', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const locations = of<LocationRecord>(changes, 'location');
    expect(locations).toEqual([
      { id: 'loc-main', name: 'Main clinic', timeZone: 'Australia/Lord_Howe', walkInMinutes: 30, version: 2 },
    ]);
    for (const p of of<ProviderRecord>(changes, 'provider')) expect(p.locationId).toBe('loc-main');
  });

  it('books 09:00 local on both sides of the change (22:00Z, then 22:30Z) and refuses the UTC reading', async () => {
    // prv-002 has 30-minute slots from 08:00 to 17:00 local.
    const before = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000001', 'prv-002', { start: '2027-04-01T22:00:00Z', end: '2027-04-01T22:30:00Z' }),
    );
    expect(before.status).toBe('applied');
    const after = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000001', 'prv-002', { start: '2027-04-04T22:30:00Z', end: '2027-04-04T23:00:00Z' }),
    );
    expect(after.status).toBe('applied');
    // 09:00Z on 5 April is 19:30 local: outside working hours, said with the zone named.
    const utc = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000001', 'prv-002', { start: '2027-04-05T09:00:00Z', end: '2027-04-05T09:30:00Z' }),
    );
    expect(utc.status).toBe('rejected');
    if (utc.status === 'rejected') expect(utc.reason).toContain('Australia/Lord_Howe');
  });
});

describe('instants at the contract (clinic in UTC)', () => {
  const desk = useServerDesk();

  it('the same instant written with an offset is a CONFLICT, and is stored as UTC …Z', async () => {
    const a = randomUUID();
    expect(
      (
        await desk.pushOne(
          a,
          bookOp('pat-000001', 'prv-001', { start: '2027-04-12T08:00:00Z', end: '2027-04-12T08:15:00Z' }),
        )
      ).status,
    ).toBe('applied');
    const b = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000002', 'prv-001', {
        start: '2027-04-11T20:00:00-12:00',
        end: '2027-04-11T20:15:00-12:00',
      }),
    );
    expect(b.status).toBe('conflict');
    const c = randomUUID();
    expect(
      (
        await desk.pushOne(
          c,
          bookOp('pat-000001', 'prv-001', {
            start: '2027-04-12T20:15:00-12:00',
            end: '2027-04-12T20:30:00-12:00',
          }),
        )
      ).status,
    ).toBe('applied');
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const stored = of<AppointmentRecord>(changes, 'appointment').find((x) => x.id === c)!;
    expect(stored.start).toBe('2027-04-13T08:15:00.000Z');
    expect(stored.end).toBe('2027-04-13T08:30:00.000Z');
  });
});

describe('visit types (issue 13 §3)', () => {
  const desk = useServerDesk();

  it('syncs visit types with lengths and providers; booking by type takes exactly its span', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const types = of<VisitTypeRecord>(changes, 'visitType');
    expect(types.map((t) => [t.id, t.minutes])).toEqual([
      ['vt-new-patient', 60],
      ['vt-follow-up', 30],
      ['vt-vaccination', 15],
    ]);
    // prv-002 has 30-minute slots: it does not offer 15-minute vaccinations.
    expect(types.find((t) => t.id === 'vt-vaccination')!.providerIds).not.toContain('prv-002');
    const typed = (providerId: string, start: string, end: string, visitTypeId: string): MutationOp =>
      bookOp('pat-000001', providerId, { start, end }, { visitTypeId });
    const notOffered = await desk.pushOne(
      randomUUID(),
      typed('prv-002', '2027-05-03T09:00:00Z', '2027-05-03T09:30:00Z', 'vt-vaccination'),
    );
    expect(notOffered.status === 'rejected' && notOffered.reason).toBe(
      'This provider does not offer Vaccination visits.',
    );
    const short = await desk.pushOne(
      randomUUID(),
      typed('prv-001', '2027-05-03T09:00:00Z', '2027-05-03T09:15:00Z', 'vt-follow-up'),
    );
    expect(short.status === 'rejected' && short.reason).toBe('A Follow-up visit takes 30 minutes.');
    const right = await desk.pushOne(
      randomUUID(),
      typed('prv-001', '2027-05-03T09:00:00Z', '2027-05-03T09:30:00Z', 'vt-follow-up'),
    );
    expect(right.status).toBe('applied');
    // The follow-up holds both 15-minute slots.
    const clash = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000009', 'prv-001', { start: '2027-05-03T09:15:00Z', end: '2027-05-03T09:30:00Z' }),
    );
    expect(clash.status).toBe('conflict');
  });
});
