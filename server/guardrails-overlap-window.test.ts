/**
 * Review of issue 13a: the server looks for a patient's overlapping visit among only the 500 LATEST of their
 * visits (store.appointmentsOfPatient(patientId, 500), ORDER BY start DESC). A patient with a long series of
 * future visits (recurring visits, issue 13a) then has every nearer visit ignored: a second visit at the same time
 * as one of them is booked without the reason the rule asks for. Clock: Monday 2 March 2026 09:00 UTC; clinic in
 * UTC; prv-001 has 15-minute slots 08:00–17:00, prv-002 30-minute ones; the seeded schedule ends in early May.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OVERLAP_NEEDS_REASON } from '../src-shared/schedule-rules';
import type { Mutation } from '../src-shared/sync';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();

/** A new visit of the patient: `minutes` long from `start`. */
const mutation = (providerId: string, start: string, minutes: number): Mutation =>
  desk.mutation(
    randomUUID(),
    bookOp('pat-000004', providerId, {
      start,
      end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    }),
  );
const push = async (mutations: Mutation[]) => (await desk.push(mutations)).map(outcomeOf);

describe('overlap check for a patient with many visits (review of issue 13a)', () => {
  it("asks for a reason when the overlapping visit is not among the patient's 500 latest", async () => {
    // The visit the second booking will overlap: 1 June 2026, 10:00 with prv-001.
    expect(await push([mutation('prv-001', '2026-06-01T10:00:00.000Z', 15)])).toEqual(['applied']);
    // 540 later visits of the same patient with prv-001 (36 a day, 2–16 June).
    const later: Mutation[] = [];
    for (let d = 2; d <= 16; d++)
      for (let m = 8 * 60; m < 17 * 60; m += 15) {
        const day = `2026-06-${String(d).padStart(2, '0')}`;
        const hh = String(Math.floor(m / 60)).padStart(2, '0');
        const mm = String(m % 60).padStart(2, '0');
        later.push(mutation('prv-001', `${day}T${hh}:${mm}:00.000Z`, 15));
      }
    const outcomes: string[] = [];
    for (let i = 0; i < later.length; i += 200) outcomes.push(...(await push(later.slice(i, i + 200))));
    expect(outcomes.filter((o) => o === 'applied').length).toBeGreaterThan(500);
    // The same patient with prv-002 at the same time as the first visit, without a reason.
    expect(await push([mutation('prv-002', '2026-06-01T10:00:00.000Z', 30)])).toEqual([OVERLAP_NEEDS_REASON]);
  });
});
