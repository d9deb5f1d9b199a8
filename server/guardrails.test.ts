/**
 * Issue 13a §6 guardrails on the server (SQLite and PostgreSQL), the same rules the console checks first
 * (src-shared/schedule-rules.ts). The clock starts Monday 2 March 2026, 09:00 UTC; the clinic is in UTC with a
 * 30-minute walk-in allowance; prv-001 has 15-minute slots 08:00–17:00. Reproduces: past slots bookable; the same
 * patient double-booked with two providers without a word; no-show and check-in days ahead; check-in not undoable.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../src-shared/domain';
import type { MutationOp, MutationResult } from '../src-shared/sync';
import { pullAll } from './test/helpers';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();
/** The version each appointment has on the server, as the console would have seen it. */
const versions = new Map<string, number>();

async function push(
  entityId: string,
  op: MutationOp,
  createdAt = desk.run.clock.ms,
): Promise<MutationResult> {
  const baseVersion = op.op === 'appointment.book' ? null : (versions.get(entityId) ?? 1);
  const result = await desk.pushOne(entityId, op, { baseVersion, createdAt });
  if (result.status === 'applied') versions.set(entityId, result.version);
  return result;
}

const at = (day: string, hhmm: string, minutes = 15) => {
  const start = `${day}T${hhmm}:00.000Z`;
  return { start, end: new Date(Date.parse(start) + minutes * 60_000).toISOString() };
};
async function stored(id: string): Promise<AppointmentRecord> {
  const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
  return changes.find((c) => c.entity === 'appointment' && c.id === id)!.data as AppointmentRecord;
}

describe('no booking in the past', () => {
  it('refuses a slot that started an hour ago and yesterday, allows a walk-in 15 minutes late', async () => {
    const hourAgo = await push(randomUUID(), bookOp('pat-000001', 'prv-001', at('2026-03-02', '08:00')));
    expect(hourAgo.status).toBe('rejected');
    expect(outcomeOf(hourAgo)).toMatch(/This time has passed/);
    const yesterday = await push(randomUUID(), bookOp('pat-000001', 'prv-001', at('2026-02-27', '15:00')));
    expect(yesterday.status).toBe('rejected');
    const walkIn = await push(randomUUID(), bookOp('pat-000002', 'prv-001', at('2026-03-02', '08:45')));
    // 08:45 may be held by the seeded schedule: then the refusal is about the slot, never about the past.
    expect(outcomeOf(walkIn)).not.toMatch(/passed/);
  });
});

describe('the same patient twice at one time', () => {
  it('refuses an overlapping visit with another provider without a reason, and keeps the reason given', async () => {
    const first = await push(randomUUID(), bookOp('pat-000003', 'prv-001', at('2026-03-10', '10:00', 15)));
    expect(first.status).toBe('applied');
    const second = randomUUID();
    const bare = await push(second, bookOp('pat-000003', 'prv-002', at('2026-03-10', '10:00', 30)));
    expect(bare.status).toBe('rejected');
    expect(outcomeOf(bare)).toMatch(/already has a visit/);
    const withReason = await push(
      second,
      bookOp('pat-000003', 'prv-002', at('2026-03-10', '10:00', 30), {
        overlapReason: 'Joint visit with the cardiologist',
      }),
    );
    expect(withReason.status).toBe('applied');
    expect((await stored(second)).overlapReason).toBe('Joint visit with the cardiologist');
  });
});

describe('visit status flow and its clock rules', () => {
  it('refuses check-in days ahead and a no-show before the start', async () => {
    const id = randomUUID();
    expect((await push(id, bookOp('pat-000004', 'prv-001', at('2026-03-11', '11:00')))).status).toBe(
      'applied',
    );
    const checkIn = await push(id, { op: 'appointment.checkIn' });
    expect(outcomeOf(checkIn)).toBe('A patient can only be checked in on the day of the visit.');
    const noShow = await push(id, { op: 'appointment.noShow' });
    expect(outcomeOf(noShow)).toBe('A no-show can only be marked after the visit has started.');
  });

  it('books → checked in → roomed → completed today; a completed visit cannot be undone', async () => {
    const id = randomUUID();
    expect((await push(id, bookOp('pat-000005', 'prv-001', at('2026-03-02', '16:30')))).status).toBe(
      'applied',
    );
    for (const op of ['appointment.checkIn', 'appointment.room', 'appointment.complete'] as const)
      expect((await push(id, { op })).status).toBe('applied');
    expect((await stored(id)).status).toBe('fulfilled');
    expect(outcomeOf(await push(id, { op: 'appointment.undoStatus' }))).toMatch(/cannot be taken back/);
  });

  it('undoes a check-in and a no-show the same day, not the next', async () => {
    const a = randomUUID();
    const b = randomUUID();
    expect((await push(a, bookOp('pat-000006', 'prv-001', at('2026-03-02', '16:00')))).status).toBe(
      'applied',
    );
    expect((await push(b, bookOp('pat-000007', 'prv-001', at('2026-03-02', '09:30')))).status).toBe(
      'applied',
    );
    expect((await push(a, { op: 'appointment.checkIn' })).status).toBe('applied');
    expect((await push(a, { op: 'appointment.undoStatus' })).status).toBe('applied');
    expect((await stored(a)).status).toBe('booked');
    desk.run.clock.advance(45 * 60); // 09:45: b started a quarter of an hour ago
    await desk.signInAgain(); // access tokens are short-lived
    expect((await push(b, { op: 'appointment.noShow' })).status).toBe('applied');
    expect((await push(b, { op: 'appointment.undoStatus' })).status).toBe('applied');
    expect((await push(b, { op: 'appointment.noShow' })).status).toBe('applied');
    desk.run.clock.advance(24 * 3600); // the next day, on the same PC
    await desk.signInAgain();
    // A check-in made offline on the visit's day still counts when it reaches the server the next morning (the
    // PC pushes its outbox in order: yesterday's change before today's).
    const offline = Date.parse('2026-03-02T16:05:00.000Z');
    expect((await push(a, { op: 'appointment.checkIn' }, offline)).status).toBe('applied');
    expect(outcomeOf(await push(b, { op: 'appointment.undoStatus' }))).toBe(
      'A check-in or no-show can only be undone on the day of the visit.',
    );
  });

  it('cancels with a coded reason and optional text', async () => {
    const id = randomUUID();
    expect((await push(id, bookOp('pat-000008', 'prv-001', at('2026-03-12', '12:00')))).status).toBe(
      'applied',
    );
    expect(
      (await push(id, { op: 'appointment.cancel', code: 'patient-unwell', reason: 'Called in sick' })).status,
    ).toBe('applied');
    expect(await stored(id)).toMatchObject({
      status: 'cancelled',
      cancelCode: 'patient-unwell',
      cancelReason: 'Called in sick',
    });
  });
});
