/**
 * Review 6 (adversarial), issue 13 §3/§5 from the patient's side: the portal's appointment request is checked
 * against the slot grid and availability but not against any visit length. A patient's portal client that lies
 * (any script with a portal password) holds a provider's whole working day in one request. Runs on SQLite and
 * (CLINIC_TEST_STORE=postgres) PostgreSQL. Expectations written by hand.
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
  });
});
