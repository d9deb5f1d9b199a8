/**
 * Review of issue 13a: "an overlapping visit of the same patient needs a reason" is checked when a visit is booked
 * but not when one is moved. Booking the second visit at a free time and then rescheduling it onto the patient's
 * other visit double-books the patient without a word (no reason stored, nothing in the audit's changed fields).
 * The console's ScheduleService.reschedule has the same gap. Clock: Monday 2 March 2026 09:00 UTC; clinic in UTC.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERLAP_NEEDS_REASON } from '../src-shared/schedule-rules';
import { PushResponse, type MutationOp, type MutationResult } from '../src-shared/sync';
import { call, signInStaff, startServer, type Running, type StaffLogin } from './test/helpers';

let run: Running;
let desk: StaffLogin;

beforeAll(async () => {
  run = await startServer({ scale: 0.05 });
  desk = await signInStaff(run, 'reception1');
});
afterAll(async () => run?.stop());

async function push(entityId: string, op: MutationOp, baseVersion: number | null): Promise<MutationResult> {
  const res = await call(run.url, 'POST', '/sync/push', {
    token: desk.accessToken,
    body: {
      deviceId: desk.deviceId,
      mutations: [
        {
          id: randomUUID(),
          entityId,
          baseVersion,
          createdAt: new Date(run.clock.ms).toISOString(),
          staffId: desk.staff.id,
          mutation: op,
        },
      ],
    },
  });
  expect(res.status).toBe(200);
  return PushResponse.parse(res.json).results[0]!;
}
/** prv-001 has 15-minute slots, prv-002 30-minute ones. */
const slot = (hhmm: string, minutes: number) => ({
  start: `2026-03-16T${hhmm}:00.000Z`,
  end: new Date(Date.parse(`2026-03-16T${hhmm}:00.000Z`) + minutes * 60_000).toISOString(),
});
const book = (providerId: string, hhmm: string): MutationOp => ({
  op: 'appointment.book',
  patientId: 'pat-000002',
  providerId,
  ...slot(hhmm, providerId === 'prv-002' ? 30 : 15),
  reason: 'Check-up',
  virtualLink: null,
});

describe('the same patient twice at one time, by a reschedule (review of issue 13a)', () => {
  it('refuses moving a visit onto another visit of the same patient without a reason', async () => {
    const first = randomUUID();
    const second = randomUUID();
    const a = await push(first, book('prv-001', '10:00'), null);
    expect(a.status === 'applied' ? 'applied' : a.reason).toBe('applied');
    const booked = await push(second, book('prv-002', '11:00'), null);
    expect(booked.status === 'applied' ? 'applied' : booked.reason).toBe('applied');
    const moved = await push(
      second,
      { op: 'appointment.reschedule', providerId: 'prv-002', ...slot('10:00', 30) },
      booked.status === 'applied' ? booked.version : 1,
    );
    expect(moved.status === 'applied' ? 'applied' : moved.reason).toBe(OVERLAP_NEEDS_REASON);
  });
});
