/**
 * Review 5 of the review-4 fix "judging time floored at the device's latest pushed change" (server/schedule/
 * bookable.ts judgedInstant, devices.last_change_at): failing test. An honest console's outbox is pushed in
 * order, but not always applied in order: a change the server failed on unexpectedly ('The server could not
 * apply this change.': a thrown error, rolled back, e.g. a busy database or a serialization failure) is kept back
 * at the head of the queue and retried (src-main/sync/engine.ts resolve(): `deferred++; continue`), while the
 * rest of that batch is applied. The later changes then raise the floor, and the retried change is judged at
 * their time, not at its own. Pushes below are that order, written by hand. Clock: Monday 2 March 2026 09:00
 * UTC; clinic in UTC; prv-001 15-minute slots.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();

describe('review 5: judging-time floor and a retried change', () => {
  it("an offline check-in on the visit's day, retried after the next morning's change was applied, still counts", async () => {
    const visit = randomUUID();
    const booked = await desk.pushOne(
      visit,
      bookOp('pat-000001', 'prv-001', { start: '2026-03-02T16:00:00.000Z', end: '2026-03-02T16:15:00.000Z' }),
    );
    expect(outcomeOf(booked)).toBe('applied');
    // The network goes down. 16:05 Monday: the patient is checked in on this PC (queued).
    const checkIn = desk.mutation(
      visit,
      { op: 'appointment.checkIn' },
      { baseVersion: 1, createdAt: '2026-03-02T16:05:00.000Z' },
    );
    // 08:30 Tuesday, still offline: the next morning's first booking (queued behind it).
    const tuesday = desk.mutation(
      randomUUID(),
      bookOp('pat-000002', 'prv-001', { start: '2026-03-04T10:00:00.000Z', end: '2026-03-04T10:15:00.000Z' }),
      { createdAt: '2026-03-03T08:30:00.000Z' },
    );
    // 08:35 Tuesday the network is back; the outbox is pushed as [checkIn, tuesday]. The server fails on the
    // check-in (a transient error; nothing stored) and applies the booking; the console keeps the check-in back
    // and sends it again in its next cycle.
    desk.run.clock.ms = Date.parse('2026-03-03T08:35:00.000Z');
    await desk.signInAgain();
    expect((await desk.push([tuesday])).map(outcomeOf)).toEqual(['applied']);
    const retried = await desk.push([checkIn]);
    // Fails: judged at the floor (Tuesday 08:30, the booking's time) instead of Monday 16:05: "checked in only on
    // the visit's day". In order, [checkIn, tuesday], it is applied.
    expect(outcomeOf(retried[0]!)).toBe('applied');
  });
});
