/**
 * Two consoles and the patient portal touch one appointment; after sync, both consoles show one merged trail:
 * the patient's booking, desk A's read, desk B's check-in, newest first, each event once.
 * Real portal backend on loopback, real cores with encrypted stores and the real keychain.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView, ScheduleView } from '../../src-shared/views';
import { TEST_TODAY, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';
import { patientRequestAppointment, patientSignIn } from '../helpers/sync-harness';

const clinic = useSyncedConsoles(['reception1', 'reception2'], { sync: false });
let portal: TestPortal;
let deskA: TestConsole;
let deskB: TestConsole;

beforeAll(async () => {
  portal = clinic.portal;
  [deskA, deskB] = clinic.consoles;
  await deskA.ok('sync.now');
});

/**
 * A free slot later today (the shared clock's day): since issue 13a a patient can be checked in only on the day of
 * the visit, so the visit the desk checks in must be today's.
 */
async function freeSlotToday(): Promise<{ providerId: string; start: string; end: string }> {
  const day = TEST_TODAY;
  const notBefore = portal.clock.now() + 60 * 60_000;
  const view = await deskA.ok<ScheduleView>('schedule.range', { from: day, days: 1 });
  for (const p of view.providers) {
    for (let m = p.dayStartMinute; m + p.slotMinutes <= p.dayEndMinute; m += p.slotMinutes) {
      const start = new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000).toISOString();
      const end = new Date(Date.parse(start) + p.slotMinutes * 60_000).toISOString();
      if (Date.parse(start) < notBefore) continue;
      if (!view.appointments.some((a) => a.providerId === p.id && a.start < end && start < a.end)) {
        return { providerId: p.id, start, end };
      }
    }
  }
  throw new Error('no free slot');
}

const syncBoth = async (): Promise<void> => {
  // Twice round: each desk's pushed events reach the other on its next pull.
  for (let i = 0; i < 2; i++) {
    await deskA.ok('sync.now');
    await deskB.ok('sync.now');
  }
};

describe('merged per-record trail', () => {
  it('both consoles show the same trail of one appointment, from both desks and the patient', async () => {
    const patient = await patientSignIn(portal.url, 7);
    const booked = await patientRequestAppointment(portal.url, patient, await freeSlotToday());
    expect(booked.status).toBe(201);
    const appointmentId = booked.id!;

    await syncBoth();
    await deskA.ok('appointment.get', { appointmentId });
    await deskB.ok('appointment.checkIn', { appointmentId });
    await syncBoth();

    const input = { entityType: 'appointment', entityId: appointmentId };
    const trailA = await deskA.ok<AuditEntryView[]>('audit.trail', input);
    const trailB = await deskB.ok<AuditEntryView[]>('audit.trail', input);

    const ids = (t: AuditEntryView[]) => t.map((e) => e.id);
    expect(new Set(ids(trailA)).size).toBe(trailA.length);
    expect([...ids(trailA)].sort()).toEqual([...ids(trailB)].sort());

    const deviceA = deskA.core.auth.deviceId();
    const deviceB = deskB.core.auth.deviceId();
    const summary = (t: AuditEntryView[]) => t.map((e) => `${e.actorKind}:${e.action}:${e.deviceId}`);
    expect(summary(trailA)).toEqual(
      expect.arrayContaining(['patient:create:portal', `staff:read:${deviceA}`, `staff:update:${deviceB}`]),
    );
    // Newest first, and staff names resolved on both desks.
    for (const trail of [trailA, trailB]) {
      expect([...trail].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0)).map((e) => e.at)).toEqual(
        trail.map((e) => e.at),
      );
      expect(trail.find((e) => e.deviceId === deviceB && e.action === 'update')?.staffName).toBe(
        'Tom Becker',
      );
    }
    // What desk A sees from desk B came from the server; its own read is confirmed by the server too.
    expect(trailA.find((e) => e.deviceId === deviceB)?.source).toBe('server');
  });
});
