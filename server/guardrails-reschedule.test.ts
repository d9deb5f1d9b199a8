/**
 * Review of issue 13a: "an overlapping visit of the same patient needs a reason" is checked when a visit is booked
 * but not when one is moved. Booking the second visit at a free time and then rescheduling it onto the patient's
 * other visit double-books the patient without a word (no reason stored, nothing in the audit's changed fields).
 * The console's ScheduleService.reschedule has the same gap. Clock: Monday 2 March 2026 09:00 UTC; clinic in UTC.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OVERLAP_NEEDS_REASON } from '../src-shared/schedule-rules';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();

/** prv-001 has 15-minute slots, prv-002 30-minute ones. */
const slot = (hhmm: string, minutes: number) => ({
  start: `2026-03-16T${hhmm}:00.000Z`,
  end: new Date(Date.parse(`2026-03-16T${hhmm}:00.000Z`) + minutes * 60_000).toISOString(),
});
const book = (providerId: string, hhmm: string) =>
  bookOp('pat-000002', providerId, slot(hhmm, providerId === 'prv-002' ? 30 : 15));

describe('the same patient twice at one time, by a reschedule (review of issue 13a)', () => {
  it('refuses moving a visit onto another visit of the same patient without a reason', async () => {
    const first = randomUUID();
    const second = randomUUID();
    expect(outcomeOf(await desk.pushOne(first, book('prv-001', '10:00')))).toBe('applied');
    const booked = await desk.pushOne(second, book('prv-002', '11:00'));
    expect(outcomeOf(booked)).toBe('applied');
    const moved = await desk.pushOne(
      second,
      { op: 'appointment.reschedule', providerId: 'prv-002', ...slot('10:00', 30) },
      { baseVersion: booked.status === 'applied' ? booked.version : 1 },
    );
    expect(outcomeOf(moved)).toBe(OVERLAP_NEEDS_REASON);
  });
});
