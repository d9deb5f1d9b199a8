/**
 * Review 9 (sec8): a deactivated provider takes no new bookings (src-shared/provider-bookings.ts), and the console
 * refuses single bookings and moves with CONFLICT, queueing nothing (schedule-service.ts assertSlotFree). A
 * recurring series (series.book, series.reschedule) goes through SeriesService.occurrenceProblem, which does not
 * ask providerClosedOnPc: the desk books weekly visits with the deactivated provider, the console shows them
 * booked and queues them, and the backend refuses every one at push (gridProblem). Expected: CONFLICT with
 * PROVIDER_CLOSED_MESSAGE and nothing queued, as for appointment.book.
 */
import { describe, expect, it } from 'vitest';
import type { FreeSlotView } from '../../src-shared/availability';
import { TEST_TODAY } from '../helpers/console-harness';
import { setStaffActive } from '../helpers/staff-admin';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const desk = useSyncedConsoles(['reception1', 'admin1'] as const, { console: { autoStart: false } });

const CLOSED = 'This provider is no longer taking bookings. Please choose another provider.';
const day = (n: number) => new Date(Date.parse(TEST_TODAY) + n * 86_400_000).toISOString().slice(0, 10);
const query = {
  visitTypeId: 'vt-new-patient',
  fromDate: day(7),
  toDate: day(11),
  windowStart: 600,
  windowEnd: 601,
  limit: 50,
};

describe('review 9: a deactivated provider and recurring series', () => {
  it('series.book with a deactivated provider is refused (CONFLICT) and queues nothing', async () => {
    const [front, admin] = desk.consoles;
    const slot = (
      await front.ok<FreeSlotView[]>('schedule.nextFree', { ...query, providerId: 'prv-001' })
    )[0]!;

    await setStaffActive(desk.portal, admin, 'stf-clinician1', false);
    front.idle.touch();
    await front.ok('sync.now');

    const outbox = front.core.store.outbox.countWork();
    const booked = await front.call('series.book', {
      patientId: 'pat-000011',
      providerId: 'prv-001',
      start: slot.start,
      end: slot.end,
      freq: 'WEEKLY',
      interval: 1,
      count: 3,
      reason: 'Physio',
      virtual: false,
      skipConflicts: true,
    });
    expect(booked.ok ? { ok: true, value: booked.value } : booked.error).toMatchObject({
      code: 'CONFLICT',
      message: CLOSED,
    });
    expect(front.core.store.outbox.countWork()).toBe(outbox);
  });
});
