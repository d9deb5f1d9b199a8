/**
 * Issue 13 §3/§5 from the patient's side, review 6 D7 (failed before the fix): the portal's appointment request
 * is as long as a visit the provider offers, so a patient's portal client that lies (any script with a portal
 * password) cannot hold a provider's whole working day in one request; and a patient holds one visit at a time.
 * Review finding (session 6, failed before the fix): a patient holds at most 5 upcoming visits booked through the
 * portal (server/portal/service.ts PORTAL_UPCOMING_VISITS_MAX), also when the requests come in parallel.
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

describe('a patient’s upcoming visits booked through the portal', () => {
  /** 09:00 on the given September 2026 day with prv-001 (15-minute grid), or the next free quarter that day. */
  async function book(token: string, day: number): Promise<{ status: number; json: unknown }> {
    for (let quarter = 0; quarter < 8; quarter++) {
      const start = Date.parse(`2026-09-${String(day).padStart(2, '0')}T09:00:00.000Z`) + quarter * 900_000;
      const res = await call(desk.run.url, 'POST', '/portal/appointments', {
        token,
        body: {
          providerId: 'prv-001',
          start: new Date(start).toISOString(),
          end: new Date(start + 900_000).toISOString(),
          reason: 'Check-up',
        },
      });
      const taken = (res.json as { message?: string }).message?.startsWith(
        'That time is no longer available',
      );
      if (!taken) return res;
    }
    throw new Error(`no free quarter on 2026-09-${day} at 09:00-11:00`);
  }
  const CAP = {
    error: 'CONFLICT',
    message:
      'You already have 5 upcoming visits booked online, the most the clinic allows. Please call the clinic to book another.',
  };

  it('are capped at 5: the sixth is refused with a typed error naming the limit, until one is cancelled', async () => {
    const patient = await signInPatient(desk.run, 9);
    const ids: string[] = [];
    for (const day of [21, 22, 23, 24, 25]) {
      const res = await book(patient.token, day);
      expect(res.status, `day ${day}`).toBe(201);
      ids.push((res.json as { appointment: { id: string } }).appointment.id);
    }
    const sixth = await book(patient.token, 28);
    expect(sixth.status).toBe(409);
    expect(sixth.json).toEqual(CAP);
    // A cancelled visit holds nothing: the patient may book again.
    const cancelled = await call(desk.run.url, 'DELETE', `/portal/appointments/${ids[0]}`, {
      token: patient.token,
    });
    expect(cancelled.status).toBe(200);
    expect((await book(patient.token, 28)).status).toBe(201);
    expect((await book(patient.token, 29)).json).toEqual(CAP);
  });

  it('holds when a lying client sends its requests in parallel', async () => {
    const patient = await signInPatient(desk.run, 10);
    for (const day of [21, 22, 23, 24]) expect((await book(patient.token, day)).status).toBe(201);
    const answers = await Promise.all([25, 28, 29, 30].map((day) => book(patient.token, day)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.json).toEqual(CAP);
  });
});
