/**
 * Issue 13a reproductions through the console's router against the real store and the real backend:
 * - an offline desk books 2027-04-12T08:00Z, then the same instant written 2027-04-11T20:00:00-12:00: the second
 *   must be CONFLICT (it was accepted: times were stored as given and compared as text);
 * - a booking written 2027-04-12T20:15:00-12:00 must be stored as 2027-04-13T08:15:00.000Z and listed on
 *   13 April (it was listed under 12 April with its offset kept);
 * - with the clinic in New York and the clock at 21:00 local on 30 November, Today is 30 November (it was the
 *   UTC date, 1 December), and the day's schedule runs from New York midnight to midnight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClinicProfile, ScheduleView } from '../../src-shared/views';
import {
  closeConsoleAndPortal,
  startSignedInConsole,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

describe('instants normalised at the contract (clinic in UTC, 15-minute provider)', () => {
  let portal: TestPortal;
  let desk: TestConsole;
  beforeAll(async () => {
    ({ portal, desk } = await startSignedInConsole('reception1'));
    // The desk goes offline: only its own local checks stand between it and a double booking.
    await portal.stop();
  });
  afterAll(() => closeConsoleAndPortal(desk, portal));

  it('refuses the same instant written with an offset while offline (CONFLICT)', async () => {
    const first = await desk.call('appointment.book', {
      patientId: 'pat-000001',
      providerId: 'prv-001',
      start: '2027-04-12T08:00:00Z',
      end: '2027-04-12T08:15:00Z',
      reason: 'Check-up',
      virtual: false,
    });
    expect(first.ok).toBe(true);
    const second = await desk.call('appointment.book', {
      patientId: 'pat-000002',
      providerId: 'prv-001',
      start: '2027-04-11T20:00:00-12:00',
      end: '2027-04-11T20:15:00-12:00',
      reason: 'Check-up',
      virtual: false,
    });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.code).toBe('CONFLICT');
  });

  it('stores an offset-written booking as a UTC instant and lists it on its own day', async () => {
    const booked = await desk.ok<{ appointmentId: string }>('appointment.book', {
      patientId: 'pat-000003',
      providerId: 'prv-001',
      start: '2027-04-12T20:15:00-12:00',
      end: '2027-04-12T20:30:00-12:00',
      reason: 'Check-up',
      virtual: false,
    });
    const stored = desk.core.store.appointments.byId(booked.appointmentId)!;
    expect(stored.start).toBe('2027-04-13T08:15:00.000Z');
    expect(stored.end).toBe('2027-04-13T08:30:00.000Z');
    const on12 = await desk.ok<ScheduleView>('schedule.range', { from: '2027-04-12', days: 1 });
    const on13 = await desk.ok<ScheduleView>('schedule.range', { from: '2027-04-13', days: 1 });
    expect(on12.appointments.map((a) => a.id)).not.toContain(booked.appointmentId);
    expect(on13.appointments.find((a) => a.id === booked.appointmentId)?.start).toBe(
      '2027-04-13T08:15:00.000Z',
    );
  });
});

describe('clinic time (clinic in America/New_York)', () => {
  let portal: TestPortal;
  let desk: TestConsole;
  beforeAll(async () => {
    ({ portal, desk } = await startSignedInConsole('reception1', { timeZone: 'America/New_York' }));
  });
  afterAll(() => closeConsoleAndPortal(desk, portal));

  it('syncs the location and its zone from the clinic profile', async () => {
    const profile = await desk.ok<ClinicProfile>('clinic.profile');
    expect(profile.locations).toEqual([
      { id: 'loc-main', name: 'Main clinic', timeZone: 'America/New_York', walkInMinutes: 30 },
    ]);
    expect(profile.locationId).toBe('loc-main');
  });

  it("Today at 21:00 in New York on 30 November is 30 November, not UTC's 1 December", async () => {
    // The console's clock moves to 2026-12-01T02:00Z = 21:00 EST on 30 November.
    portal.clock.advance(Date.parse('2026-12-01T02:00:00.000Z') - portal.clock.now());
    desk.idle.touch();
    const profile = await desk.ok<ClinicProfile>('clinic.profile');
    expect(profile.today).toBe('2026-11-30');
    const day = await desk.ok<ScheduleView>('schedule.range', { from: '2026-11-30', days: 1 });
    expect(day.today).toBe('2026-11-30');
    expect(day.from).toBe('2026-11-30T05:00:00.000Z');
    expect(day.to).toBe('2026-12-01T05:00:00.000Z');
    expect(day.location.timeZone).toBe('America/New_York');
  });

  it('books 08:00 New York wall-clock time and refuses 08:00 UTC (03:00 in New York)', async () => {
    await desk.signIn('reception1');
    const ok = await desk.call('appointment.book', {
      patientId: 'pat-000004',
      providerId: 'prv-001',
      start: '2027-01-11T08:00:00-05:00',
      end: '2027-01-11T08:15:00-05:00',
      reason: 'Check-up',
      virtual: false,
    });
    expect(ok.ok).toBe(true);
    const utc = await desk.call('appointment.book', {
      patientId: 'pat-000004',
      providerId: 'prv-001',
      start: '2027-01-12T08:00:00Z',
      end: '2027-01-12T08:15:00Z',
      reason: 'Check-up',
      virtual: false,
    });
    expect(utc.ok).toBe(false);
    if (!utc.ok) {
      expect(utc.error.code).toBe('VALIDATION');
      expect(utc.error.message).toContain('America/New_York');
    }
  });
});
