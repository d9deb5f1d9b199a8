/**
 * Issue 13a §6 guardrails through the console's router, offline (the console's own checks, the same rules the
 * server repeats: server/guardrails.test.ts). The console's clock is Monday 23 November 2026, 08:00 UTC; the
 * clinic is in UTC with a 30-minute walk-in allowance; prv-001 has 15-minute slots 08:00–17:00.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentView, ClinicProfile } from '../../src-shared/views';
import { type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';
import { holdsSlot } from '../../src-main/schedule/slots';

const clinic = useSyncedConsoles(['reception1']);
let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  portal = clinic.portal;
  [desk] = clinic.consoles;
  await portal.stop();
});

const slot = (day: string, hhmm: string, minutes = 15) => {
  const start = `${day}T${hhmm}:00.000Z`;
  return { start, end: new Date(Date.parse(start) + minutes * 60_000).toISOString() };
};
async function book(patientId: string, s: { start: string; end: string }, extra: object = {}) {
  return desk.call('appointment.book', {
    patientId,
    providerId: 'prv-001',
    ...s,
    reason: 'Check-up',
    virtual: false,
    ...extra,
  });
}
const codeOf = (r: Awaited<ReturnType<TestConsole['call']>>) => (r.ok ? 'OK' : r.error.code);
const messageOf = (r: Awaited<ReturnType<TestConsole['call']>>) => (r.ok ? '' : r.error.message);

describe('console guardrails', () => {
  it('refuses a slot in the past (yesterday, and today before the walk-in allowance)', async () => {
    const yesterday = await book('pat-000001', slot('2026-11-20', '15:00'));
    expect(codeOf(yesterday)).toBe('VALIDATION');
    expect(messageOf(yesterday)).toMatch(/This time has passed/);
    // The clock is 08:00: move it to 09:00 so 08:00 is an hour ago and 08:45 a walk-in.
    portal.clock.advance(3600_000);
    desk.idle.touch();
    expect(messageOf(await book('pat-000001', slot('2026-11-23', '08:00')))).toMatch(/This time has passed/);
    const walkIn = await book('pat-000001', slot('2026-11-23', '08:45'));
    expect(messageOf(walkIn)).not.toMatch(/passed/);
  });

  it('warns of the patient’s overlapping visit and books the second only with a reason', async () => {
    const first = await book('pat-000002', slot('2026-12-01', '10:00'));
    expect(first.ok).toBe(true);
    const overlaps = await desk.ok<AppointmentView[]>('appointment.patientOverlaps', {
      patientId: 'pat-000002',
      ...slot('2026-12-01', '10:00', 30),
    });
    expect(overlaps).toHaveLength(1);
    const second = { ...slot('2026-12-01', '10:00', 30), providerId: 'prv-002' };
    const bare = await desk.call('appointment.book', {
      patientId: 'pat-000002',
      ...second,
      reason: 'Check-up',
      virtual: false,
    });
    expect(codeOf(bare)).toBe('VALIDATION');
    expect(messageOf(bare)).toMatch(/already has a visit/);
    const withReason = await desk.call('appointment.book', {
      patientId: 'pat-000002',
      ...second,
      reason: 'Check-up',
      virtual: false,
      overlapReason: 'Seen by both together',
    });
    expect(withReason.ok).toBe(true);
    if (withReason.ok) {
      const id = (withReason.value as { appointmentId: string }).appointmentId;
      expect(desk.core.store.appointments.byId(id)?.overlapReason).toBe('Seen by both together');
    }
  });

  it('refuses check-in days ahead and a no-show before the start; undoes a check-in the same day', async () => {
    const ahead = await book('pat-000003', slot('2026-12-02', '11:00'));
    const aheadId = (ahead.ok ? ahead.value : { appointmentId: '' }) as { appointmentId: string };
    const checkIn = await desk.call('appointment.checkIn', aheadId);
    expect(codeOf(checkIn)).toBe('CONFLICT');
    expect(messageOf(checkIn)).toBe('A patient can only be checked in on the day of the visit.');
    expect(messageOf(await desk.call('appointment.noShow', aheadId))).toBe(
      'A no-show can only be marked after the visit has started.',
    );

    const today = await desk.ok<{ appointmentId: string }>('appointment.book', {
      patientId: 'pat-000004',
      providerId: 'prv-001',
      ...slot('2026-11-23', '16:45'),
      reason: 'Check-up',
      virtual: false,
    });
    await desk.ok('appointment.checkIn', today);
    expect(desk.core.store.appointments.byId(today.appointmentId)?.status).toBe('checked-in');
    await desk.ok('appointment.undo', today);
    expect(desk.core.store.appointments.byId(today.appointmentId)?.status).toBe('booked');
    await desk.ok('appointment.checkIn', today);
    await desk.ok('appointment.room', today);
    await desk.ok('appointment.complete', today);
    expect(desk.core.store.appointments.byId(today.appointmentId)?.status).toBe('fulfilled');
    expect(codeOf(await desk.call('appointment.undo', today))).toBe('CONFLICT');
    // The undo is on the appointment's audit trail as a status change.
    const trail = desk.core.store.db
      .prepare<[string], { fields: string }>(
        "SELECT fields FROM audit_events WHERE entity_id = ? AND action = 'update' ORDER BY rowid",
      )
      .all(today.appointmentId);
    expect(trail.length).toBeGreaterThanOrEqual(5);
  });

  it('does not take back a no-show whose slot was given to a walk-in meanwhile (review 6 D3)', async () => {
    // A slot of prv-001 that started at most 30 minutes ago (a walk-in may still book it) and holds no visit.
    const quarter = 15 * 60_000;
    const slotAt = (k: number) => {
      const start = Math.floor(portal.clock.now() / quarter) * quarter - k * quarter;
      return { start: new Date(start).toISOString(), end: new Date(start + quarter).toISOString() };
    };
    const free = [slotAt(0), slotAt(1)].find(
      (s) =>
        !desk.core.store.appointments
          .overlapping('provider', 'prv-001', s.start, s.end, null)
          .some((a) => holdsSlot(a.status)),
    )!;
    expect(free).toBeDefined();
    const first = await book('pat-000005', free);
    expect(codeOf(first)).toBe('OK');
    const firstId = (first.ok ? first.value : { appointmentId: '' }) as { appointmentId: string };
    portal.clock.advance(60_000);
    desk.idle.touch();
    await desk.ok('appointment.noShow', firstId);
    // The slot is free again: a walk-in gets it.
    expect(codeOf(await book('pat-000006', free))).toBe('OK');
    // The first patient arrives after all: taking the no-show back would put two visits in the slot.
    const undo = await desk.call('appointment.undo', firstId);
    expect(codeOf(undo)).toBe('CONFLICT');
    expect(messageOf(undo)).toBe('This slot was given to another visit meanwhile: book the patient anew.');
    expect(desk.core.store.appointments.byId(firstId.appointmentId)?.status).toBe('noshow');
  });

  it('cancels with a coded reason, text optional; refuses a cancel with neither', async () => {
    const a = await desk.ok<{ appointmentId: string }>('appointment.book', {
      patientId: 'pat-000005',
      providerId: 'prv-001',
      ...slot('2026-12-03', '09:00'),
      reason: 'Check-up',
      virtual: false,
    });
    expect(codeOf(await desk.call('appointment.cancel', { ...a }))).toBe('VALIDATION');
    await desk.ok('appointment.cancel', { ...a, code: 'clinic-closed' });
    expect(desk.core.store.appointments.byId(a.appointmentId)).toMatchObject({
      status: 'cancelled',
      cancelCode: 'clinic-closed',
      cancelReason: 'Clinic closed',
    });
  });

  it('books by visit type only for a provider who offers it and for exactly its length', async () => {
    const profile = await desk.ok<ClinicProfile>('clinic.profile');
    expect(profile.visitTypes.find((t) => t.id === 'vt-follow-up')?.minutes).toBe(30);
    const short = await book('pat-000006', slot('2026-12-04', '09:00', 15), { visitTypeId: 'vt-follow-up' });
    expect(messageOf(short)).toBe('A Follow-up visit takes 30 minutes.');
    const right = await book('pat-000006', slot('2026-12-04', '09:00', 30), { visitTypeId: 'vt-follow-up' });
    expect(right.ok).toBe(true);
    const unknown = await book('pat-000007', slot('2026-12-04', '11:00', 30), { visitTypeId: 'vt-nope' });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });
});
