/**
 * Review 8, unconfirmed suspicion 2 (session 8, sec8): a clinician who is a provider (clinician1 is prv-001) and
 * whose account an admin deactivated could still be booked, on the portal and by a console's push. Now no new
 * booking or move is accepted with them (a typed refusal naming no one), while their visits already booked stay
 * and can still be cancelled, and moved to another provider (src-shared/provider-bookings.ts). Failed before the
 * fix (the portal answered 201, the push 'applied'). Runs on SQLite and PostgreSQL; the clock starts Monday
 * 2 March 2026, 09:00 UTC; prv-001 has 15-minute slots 08:00–17:00, prv-002 30-minute ones. Expectations
 * written by hand.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';
import { call, signInPatient, signInStaff } from './test/helpers';

const desk = useServerDesk(); // reception1
const CLOSED = 'This provider is no longer taking bookings. Please choose another provider.';
const at = (day: string, hhmm: string, minutes = 15) => {
  const start = `${day}T${hhmm}:00.000Z`;
  return { start, end: new Date(Date.parse(start) + minutes * 60_000).toISOString() };
};

describe('a deactivated clinician who is a provider', () => {
  it('takes no new bookings or moves, on the portal or from a console; their booked visits stay', async () => {
    // Booked before the deactivation, weeks ahead.
    const kept = randomUUID();
    expect(
      outcomeOf(await desk.pushOne(kept, bookOp('pat-000001', 'prv-001', at('2026-04-14', '10:00')))),
    ).toBe('applied');
    const toCancel = randomUUID();
    expect(
      outcomeOf(await desk.pushOne(toCancel, bookOp('pat-000002', 'prv-001', at('2026-04-14', '12:00')))),
    ).toBe('applied');

    const admin = await signInStaff(desk.run, 'admin1');
    const off = await call(desk.run.url, 'PUT', '/admin/staff/stf-clinician1/active', {
      token: admin.accessToken,
      body: { active: false },
    });
    expect(off.status).toBe(200);

    // A console's booking: refused, with the reason the desk is shown.
    const booked = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000003', 'prv-001', at('2026-04-15', '10:00')),
    );
    expect(booked).toMatchObject({ status: 'rejected', reason: CLOSED });
    // The same slot shape with an active provider is bookable: the refusal is about the provider only.
    const control = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000003', 'prv-002', at('2026-04-15', '10:00', 30)),
    );
    expect(outcomeOf(control)).toBe('applied');

    // A patient on the portal: a typed 409.
    const patient = await signInPatient(desk.run, 4);
    const portal = await call(desk.run.url, 'POST', '/portal/appointments', {
      token: patient.token,
      body: { providerId: 'prv-001', ...at('2026-04-16', '10:00'), reason: 'Check-up' },
    });
    expect(portal.status).toBe(409);
    expect(portal.json).toEqual({ error: 'CONFLICT', message: CLOSED });

    // The visit booked before stays booked; it cannot move to another time with them, but to another provider.
    expect(await desk.run.server.store.appointment(kept)).toMatchObject({
      status: 'booked',
      providerId: 'prv-001',
    });
    const later = await desk.pushOne(
      kept,
      { op: 'appointment.reschedule', providerId: 'prv-001', ...at('2026-04-14', '11:00') },
      { baseVersion: 1 },
    );
    expect(later).toMatchObject({ status: 'rejected', reason: CLOSED });
    const moved = await desk.pushOne(
      kept,
      { op: 'appointment.reschedule', providerId: 'prv-002', ...at('2026-04-14', '11:00', 30) },
      { baseVersion: 1 },
    );
    expect(outcomeOf(moved)).toBe('applied');
    const cancelled = await desk.pushOne(
      toCancel,
      { op: 'appointment.cancel', reason: 'Provider left the clinic', code: 'provider-unavailable' },
      { baseVersion: 1 },
    );
    expect(outcomeOf(cancelled)).toBe('applied');

    // Reactivated: bookable again.
    const on = await call(desk.run.url, 'PUT', '/admin/staff/stf-clinician1/active', {
      token: admin.accessToken,
      body: { active: true },
    });
    expect(on.status).toBe(200);
    const again = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000005', 'prv-001', at('2026-04-15', '10:00')),
    );
    expect(outcomeOf(again)).toBe('applied');
  });
});
