/**
 * Issue 13 §3 and §5 through the real router, core, store and backend: an admin's console changes a provider's
 * weekly template and adds exceptions on the server; a front desk's console pulls them, refuses bookings into
 * lunch, a holiday or leave with a typed error before anything is queued, and finds the next free slots around
 * them. The clinic is in New York (EST = UTC−5 in late November 2026); the demo's today is Monday 23 November and
 * the shared clock starts at 08:00Z (03:00 EST).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityAdminView, FreeSlotView } from '../../src-shared/availability';
import type { CallResult } from '../../src-main/ipc/types';
import type { ScheduleView } from '../../src-shared/views';
import { type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const clinic = useSyncedConsoles(['admin1', 'reception1'], { portal: { timeZone: 'America/New_York' } });
let portal: TestPortal;
let admin: TestConsole;
let desk: TestConsole;

beforeAll(() => {
  portal = clinic.portal;
  [admin, desk] = clinic.consoles;
});

const book = (providerId: string, start: string, minutes: number, patientId = 'pat-000010') =>
  desk.call('appointment.book', {
    patientId,
    providerId,
    start,
    end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    reason: 'Check-up',
    virtual: false,
  });
const refusal = (r: CallResult) => (r.ok ? null : r.error);
const week = [1, 2, 3, 4, 5, 6, 7];

describe('availability set by an admin reaches the front desk', () => {
  let holidayId = '';

  it('the admin screen reads the seeded template; the admin changes it and adds a holiday, leave and a session', async () => {
    const before = await admin.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(before).toMatchObject({ providerId: 'prv-001', locationId: 'loc-main', exceptions: [] });
    expect(before.blocks).toEqual(
      week.map((weekday) => ({ weekday, startMinute: 480, endMinute: 1020, kind: 'work' })),
    );

    await admin.ok('availability.setTemplate', {
      providerId: 'prv-001',
      blocks: [
        ...week.map((weekday) => ({ weekday, startMinute: 480, endMinute: 1020, kind: 'work' })),
        ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 720, endMinute: 780, kind: 'lunch' })),
      ],
    });
    ({ exceptionId: holidayId } = await admin.ok<{ exceptionId: string }>('availability.addException', {
      kind: 'holiday',
      providerId: null,
      locationId: 'loc-main',
      fromDate: '2026-11-26',
      toDate: '2026-11-26',
      startMinute: null,
      endMinute: null,
      label: 'Thanksgiving',
    }));
    await admin.ok('availability.addException', {
      kind: 'leave',
      providerId: 'prv-002',
      fromDate: '2026-11-27',
      toDate: '2026-11-27',
      startMinute: null,
      endMinute: null,
      label: '',
    });
    await admin.ok('availability.addException', {
      kind: 'session',
      providerId: 'prv-001',
      fromDate: '2026-11-28',
      toDate: '2026-11-28',
      startMinute: 17 * 60,
      endMinute: 19 * 60,
      label: 'Evening clinic',
    });
    // The admin's own screen shows the change at once (the server's answer is written to this PC).
    const after = await admin.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(after.blocks).toContainEqual({ weekday: 1, startMinute: 720, endMinute: 780, kind: 'lunch' });
    expect(after.exceptions.map((e) => [e.kind, e.fromDate, e.label])).toEqual([
      ['holiday', '2026-11-26', 'Thanksgiving'],
      ['session', '2026-11-28', 'Evening clinic'],
    ]);
    // A malformed template never leaves the console.
    const bad = await admin.call('availability.setTemplate', {
      providerId: 'prv-001',
      blocks: [
        { weekday: 1, startMinute: 480, endMinute: 720, kind: 'work' },
        { weekday: 1, startMinute: 700, endMinute: 900, kind: 'work' },
      ],
    });
    expect(refusal(bad)).toMatchObject({ code: 'VALIDATION' });
  });

  it('the desk pulls it: the day view carries it, and bookings into lunch, the holiday or leave are refused', async () => {
    await desk.ok('sync.now');
    const thanksgiving = await desk.ok<ScheduleView>('schedule.range', { from: '2026-11-26', days: 1 });
    const prv1 = thanksgiving.availability!.find((a) => a.providerId === 'prv-001')!;
    expect(prv1.exceptions.map((e) => e.label)).toEqual(['Thanksgiving']);
    expect(prv1.template?.blocks).toContainEqual({
      weekday: 4,
      startMinute: 720,
      endMinute: 780,
      kind: 'lunch',
    });

    const outbox = desk.core.store.outbox.count();
    // Thursday 26 November, 09:00 EST = 14:00Z
    expect(refusal(await book('prv-001', '2026-11-26T14:00:00.000Z', 15))).toEqual({
      code: 'VALIDATION',
      message: 'Holiday: Thanksgiving: the clinic is closed on 2026-11-26; nothing can be booked that day.',
    });
    // Tuesday 24 November, 12:00 EST = 17:00Z
    expect(refusal(await book('prv-001', '2026-11-24T17:00:00.000Z', 15))).toEqual({
      code: 'VALIDATION',
      message: 'Lunch (12:00–13:00 America/New_York) is not bookable.',
    });
    // Friday 27 November: Dr. Brenner is on leave
    expect(refusal(await book('prv-002', '2026-11-27T15:00:00.000Z', 30))).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^Dr\. Lukas Brenner is on leave on 2026-11-27/),
    });
    expect(desk.core.store.outbox.count()).toBe(outbox);
    // Saturday 28 November, 18:00 EST = 23:00Z: inside the evening session
    expect(await book('prv-001', '2026-11-28T23:00:00.000Z', 15)).toMatchObject({ ok: true });
  });

  it('finds the next free slots for a visit type around the holiday, the leave, lunch and bookings', async () => {
    const found = await desk.ok<FreeSlotView[]>('schedule.nextFree', {
      visitTypeId: 'vt-new-patient',
      fromDate: '2026-11-26',
      toDate: '2026-11-30',
      windowStart: 8 * 60,
      windowEnd: 12 * 60,
      limit: 8,
    });
    expect(found.length).toBe(8);
    for (const f of found) {
      expect(f.date >= '2026-11-27').toBe(true);
      expect(f.startMinute >= 480 && f.startMinute < 720).toBe(true);
      expect(f.timeZone).toBe('America/New_York');
      expect(Date.parse(f.end) - Date.parse(f.start)).toBe(60 * 60_000);
      if (f.date === '2026-11-27') expect(f.providerId).not.toBe('prv-002');
    }
    const starts = found.map((f) => Date.parse(f.start));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // Friday 27 November 08:00 EST = 13:00Z is the earliest any provider can start.
    expect(found[0]!.start).toBe('2026-11-27T13:00:00.000Z');
    // Every slot offered is one the desk can book as the visit type.
    const first = found[0]!;
    const booked = await desk.call('appointment.book', {
      patientId: 'pat-000011',
      providerId: first.providerId,
      start: first.start,
      end: first.end,
      reason: 'New patient',
      virtual: false,
      visitTypeId: 'vt-new-patient',
    });
    expect(booked).toMatchObject({ ok: true });
    const again = await desk.ok<FreeSlotView[]>('schedule.nextFree', {
      visitTypeId: 'vt-new-patient',
      fromDate: '2026-11-26',
      toDate: '2026-11-30',
      windowStart: 8 * 60,
      windowEnd: 12 * 60,
      providerId: first.providerId,
      limit: 1,
    });
    expect(again[0]!.start).not.toBe(first.start);
    // A search window that ends before it starts is a typed refusal.
    const bad = await desk.call('schedule.nextFree', {
      visitTypeId: 'vt-new-patient',
      fromDate: '2026-11-26',
      toDate: '2026-11-30',
      windowStart: 720,
      windowEnd: 480,
    });
    expect(refusal(bad)).toMatchObject({ code: 'VALIDATION' });
  });

  it('removing the holiday opens the day again at the desk; offline, the admin is told plainly', async () => {
    const onThanksgiving = () =>
      desk.ok<FreeSlotView[]>('schedule.nextFree', {
        visitTypeId: 'vt-vaccination',
        fromDate: '2026-11-26',
        toDate: '2026-11-26',
        providerId: 'prv-001',
        limit: 1,
      });
    expect(await onThanksgiving()).toEqual([]);
    await admin.ok('availability.removeException', { exceptionId: holidayId });
    await desk.ok('sync.now');
    const [open] = await onThanksgiving();
    expect(open?.date).toBe('2026-11-26');
    expect(await book('prv-001', open!.start, 15, 'pat-000012')).toMatchObject({ ok: true });

    await portal.stop();
    try {
      const offline = await admin.call('availability.addException', {
        kind: 'holiday',
        providerId: null,
        locationId: 'loc-main',
        fromDate: '2026-12-25',
        toDate: '2026-12-25',
        startMinute: null,
        endMinute: null,
        label: 'Christmas',
      });
      expect(refusal(offline)).toMatchObject({ code: 'OFFLINE' });
      expect(admin.core.store.availability.exceptions('loc-main', '2026-12-25', '2026-12-25')).toEqual([]);
    } finally {
      await portal.restart();
    }
  });
});
