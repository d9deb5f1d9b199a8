/**
 * Review of issue 13a: the server judges a pushed appointment change "at the time the console made it", bounded
 * only by the offline grace period (72 h). A modified console (raw HTTP with its device credential and a staff
 * session) sets createdAt itself, so it can book a slot days in the past and walk it through check-in, rooming and
 * completion: a fabricated visit, accepted by the server. No honest console can have made a change on this PC
 * before the PC was enrolled and before this person ever signed in online on it (offline sign-in needs a
 * verifier from an earlier online one, DESIGN §6), so such a date is a lie and the change is judged at the
 * server's now (or refused). Clock: Monday 2 March 2026 09:00 UTC; clinic in UTC; prv-001 15-minute slots.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

// The PC is enrolled and the receptionist signs in on it for the first time now (2 March, 09:00).
const desk = useServerDesk();

describe('back-dated changes from a modified console (review of issue 13a)', () => {
  it('refuses a visit booked in the past and completed, dated before the PC was enrolled', async () => {
    const id = randomUUID();
    // Friday 27 February, 15:00: three days before this PC existed, within the 72-hour grace period.
    const booked = await desk.pushOne(
      id,
      bookOp('pat-000001', 'prv-001', { start: '2026-02-27T15:00:00.000Z', end: '2026-02-27T15:15:00.000Z' }),
      { createdAt: '2026-02-27T14:00:00.000Z' },
    );
    const outcomes = [outcomeOf(booked)];
    // On the current code the booking is applied and the fabricated visit goes all the way to completed.
    let version = booked.status === 'applied' ? booked.version : 1;
    for (const [op, at] of [
      ['appointment.checkIn', '2026-02-27T14:58:00.000Z'],
      ['appointment.room', '2026-02-27T15:01:00.000Z'],
      ['appointment.complete', '2026-02-27T15:14:00.000Z'],
    ] as const) {
      const r = await desk.pushOne(id, { op }, { createdAt: at, baseVersion: version });
      outcomes.push(outcomeOf(r));
      if (r.status === 'applied') version = r.version;
    }
    expect(outcomes[0], `book, check in, room, complete: ${outcomes.join(' / ')}`).toMatch(/passed/);
    expect(outcomes.slice(1)).not.toContain('applied');
  });
});
