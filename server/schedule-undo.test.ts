/**
 * Issue 13 §6 "undo within the day", review 6 D3 (failed before the fix): a no-show frees the visit's slot (a
 * no-show holds no slot: SLOT_HOLDING_STATUSES), so the desk may give it to a walk-in; taking the no-show back
 * then meets the booking's slot check (server/sync/apply.ts) and is a conflict, never two booked visits in one
 * slot. Raw HTTP as the console sends it (the console's own check: tests/integration/guardrails.test.ts). Runs on
 * SQLite and PostgreSQL. Expectations written by hand.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppointmentRecord } from '../src-shared/domain';
import type { MutationOp, MutationResult } from '../src-shared/sync';
import { bookOp, useServerDesk } from './test/desk';
import { pullAll } from './test/helpers';

// reception1's PC; the clock starts Monday 2 March 2026, 09:00 UTC; prv-001 has 15-minute slots 08:00–17:00 (UTC).
const desk = useServerDesk();
const versions = new Map<string, number>();

async function push(entityId: string, op: MutationOp): Promise<MutationResult> {
  const baseVersion = op.op === 'appointment.book' ? null : (versions.get(entityId) ?? 1);
  const result = await desk.pushOne(entityId, op, { baseVersion });
  if (result.status === 'applied') versions.set(entityId, result.version);
  return result;
}

describe('undo of a no-show whose slot was given away', () => {
  it('is a conflict, never leaving two booked visits in one slot', async () => {
    // 15:00–15:15 with Dr prv-001, booked for pat-000003.
    const slot = { start: '2026-03-02T15:00:00.000Z', end: '2026-03-02T15:15:00.000Z' };
    const first = randomUUID();
    const booked1 = await push(first, bookOp('pat-000003', 'prv-001', slot));
    expect(booked1.status, JSON.stringify(booked1)).toBe('applied');
    // 15:05: the patient has not come; the desk marks a no-show and gives the slot to a walk-in.
    desk.run.clock.ms = Date.parse('2026-03-02T15:05:00.000Z');
    await desk.signInAgain();
    expect((await push(first, { op: 'appointment.noShow' })).status).toBe('applied');
    const walkIn = randomUUID();
    expect((await push(walkIn, bookOp('pat-000004', 'prv-001', slot))).status).toBe('applied');
    // 15:08: the first patient arrives after all; the desk takes the no-show back.
    desk.run.clock.ms = Date.parse('2026-03-02T15:08:00.000Z');
    const undo = await push(first, { op: 'appointment.undoStatus' });

    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const booked = changes
      .filter((c) => c.entity === 'appointment' && c.data)
      .map((c) => c.data as AppointmentRecord)
      .filter((a) => a.providerId === 'prv-001' && a.start === slot.start && a.status === 'booked')
      .map((a) => a.id);
    // One booked visit in the slot (the walk-in's), and the undo told the desk why not.
    expect(booked).toEqual([walkIn]);
    expect(undo.status).toBe('conflict');
  });
});
