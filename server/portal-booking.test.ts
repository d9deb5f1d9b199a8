/**
 * Issue 13 §3/§5 from the patient's side, review 6 D7 (failed before the fix): the portal's appointment request
 * is as long as a visit the provider offers, so a patient's portal client that lies (any script with a portal
 * password) cannot hold a provider's whole working day in one request; and a patient holds one visit at a time.
 * Runs on SQLite and PostgreSQL. Expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import { useServerDesk } from './test/desk';
import { call, signInPatient } from './test/helpers';

// The demo clinic (UTC); prv-001 works 08:00–17:00 every day on a 15-minute grid; the longest visit type the
// clinic offers is "New patient", 60 minutes. The clock starts Monday 2 March 2026.
const desk = useServerDesk();

describe('a patient books through the portal', () => {
  it('cannot hold a provider’s whole day in one request', async () => {
    const patient = await signInPatient(desk.run, 7);
    const whole = await call(desk.run.url, 'POST', '/portal/appointments', {
      token: patient.token,
      body: {
        providerId: 'prv-001',
        start: '2026-09-15T08:00:00.000Z',
        end: '2026-09-15T17:00:00.000Z',
        reason: 'Check-up',
      },
    });
    // Refused: nine hours is no visit the clinic offers (nothing else stops the next day, and the next…).
    expect(whole.status).toBe(400);
    expect(whole.json).toMatchObject({
      error: 'VALIDATION',
      message: 'A visit with this provider takes 15, 30, 60 minutes.',
    });
  });

  it('books a visit of an offered length, and not a second one of the same patient at that time', async () => {
    const patient = await signInPatient(desk.run, 8);
    const request = (providerId: string, minutes: number) =>
      call(desk.run.url, 'POST', '/portal/appointments', {
        token: patient.token,
        body: {
          providerId,
          start: '2026-09-16T09:00:00.000Z',
          end: new Date(Date.parse('2026-09-16T09:00:00.000Z') + minutes * 60_000).toISOString(),
          reason: 'Check-up',
        },
      });
    // prv-005 has 30-minute slots, prv-001 15-minute ones.
    expect((await request('prv-005', 30)).status).toBe(201);
    const twice = await request('prv-001', 15);
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({
      error: 'CONFLICT',
      message: 'You already have a visit at that time.',
    });
  });
});
