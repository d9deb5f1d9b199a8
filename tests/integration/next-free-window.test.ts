/**
 * Issue 13 §5 "next free slot", review 6 D5 and D10 (each failed before its fix): the finder reads bookings from
 * this PC's store, which holds the schedule only up to `scheduleAheadDays` ahead (DESIGN §4 store window, 180 days
 * by default), so it searches no further (a typed refusal) instead of offering slots the server already gave
 * away; and a day the calendar does not have is a VALIDATION error. Real backend, stores, keychain and routers;
 * expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FreeSlotView } from '../../src-shared/availability';
import type { TestConsole, TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const clinic = useSyncedConsoles(['reception1', 'reception2'], {
  console: { autoStart: false },
  timeoutMs: 180_000,
});
let portal: TestPortal;
let deskA: TestConsole;
let deskB: TestConsole;

beforeAll(() => {
  portal = clinic.portal;
  [deskA, deskB] = clinic.consoles;
});

describe('next free slot beyond the days this PC holds', () => {
  it('never offers a slot another desk has booked (days beyond the window are refused)', async () => {
    // Tuesday 6 July 2027, 10:00–11:00 UTC (the demo clinic's zone): 225 days after the demo's today.
    const slot = { start: '2027-07-06T10:00:00.000Z', end: '2027-07-06T11:00:00.000Z' };
    const booked = await deskB.call('appointment.book', {
      patientId: 'pat-000011',
      providerId: 'prv-001',
      ...slot,
      reason: 'New patient',
      virtual: false,
      visitTypeId: 'vt-new-patient',
    });
    expect(booked.ok, JSON.stringify(booked)).toBe(true);
    await deskB.ok('sync.now');
    // An hour on (the PC applies its store window at most hourly, after a sync): desk A syncs.
    portal.clock.advance(61 * 60_000);
    deskA.idle.touch();
    await deskA.ok('sync.now');
    // The visit is beyond the days desk A holds: not on this PC.
    expect(
      deskA.core.store.appointments.byId(
        booked.ok ? (booked.value as { appointmentId: string }).appointmentId : '',
      ),
    ).toBeFalsy();

    deskA.idle.touch();
    const found = await deskA.call('schedule.nextFree', {
      visitTypeId: 'vt-new-patient',
      fromDate: '2027-07-06',
      toDate: '2027-07-06',
      windowStart: 600,
      windowEnd: 660,
      providerId: 'prv-001',
      limit: 1,
    });
    // Either a plain refusal (these days are not on this PC) or no slot: 10:00 is taken.
    const offered = found.ok ? (found.value as FreeSlotView[]).map((f) => f.start) : [];
    expect(offered).toEqual([]);
  });

  it('answers a day the calendar does not have with a typed VALIDATION, not INTERNAL', async () => {
    deskA.idle.touch();
    const res = await deskA.call('schedule.nextFree', {
      visitTypeId: 'vt-new-patient',
      fromDate: '2026-02-30',
      toDate: '2026-03-03',
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
