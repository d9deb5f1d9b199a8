/**
 * Review 9 R9-1 (sec8): a deactivated provider takes no new bookings (src-shared/provider-bookings.ts). The console
 * refused single bookings and moves with CONFLICT, but a recurring series (series.book, series.reschedule) went
 * through SeriesService.occurrenceProblem, which did not ask providerClosedOnPc: the desk booked weekly visits with
 * the deactivated provider, the console showed them booked and queued them, and the backend refused every one at
 * push (gridProblem). Now: CONFLICT with PROVIDER_CLOSED_MESSAGE and nothing queued, as for appointment.book; the
 * preview marks every occurrence with the same reason.
 */
import { describe, expect, it } from 'vitest';
import type { FreeSlotView } from '../../src-shared/availability';
import type { SeriesBooked, SeriesPreview } from '../../src-shared/views';
import {
  NEW_PATIENT_AT_TEN as query,
  PROVIDER_CLOSED as CLOSED,
  useDeactivationDesks,
} from '../helpers/provider-deactivation';
import { setStaffActive } from '../helpers/staff-admin';

const desks = useDeactivationDesks();

describe('a deactivated provider and recurring series (review 9 R9-1)', () => {
  it('series.book with a deactivated provider is refused (CONFLICT) and queues nothing', async () => {
    const { front } = desks;
    const slot = (
      await front.ok<FreeSlotView[]>('schedule.nextFree', { ...query, providerId: 'prv-001' })
    )[0]!;

    await desks.setProviderActive(false);

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

  it('series.preview marks every visit, and series.reschedule to the provider is refused, queueing nothing', async () => {
    const { front, admin } = desks;
    await desks.setProviderActive(true);
    const slots = await front.ok<FreeSlotView[]>('schedule.nextFree', { ...query, providerId: 'prv-001' });
    const first = slots[0]!;
    const dayLater = (iso: string) => new Date(Date.parse(iso) + 86_400_000).toISOString();
    const weekly = {
      patientId: 'pat-000012',
      providerId: 'prv-001',
      start: first.start,
      end: first.end,
      freq: 'WEEKLY' as const,
      interval: 1,
      count: 2,
    };
    const booked = await front.ok<SeriesBooked>('series.book', {
      ...weekly,
      reason: 'Physio',
      virtual: false,
      skipConflicts: true,
    });
    expect(booked.appointmentIds).toHaveLength(2);
    await front.ok('sync.now'); // pushed while the provider still takes bookings
    expect(front.core.store.appointments.byId(booked.appointmentIds[0]!)).toBeDefined();

    await desks.setProviderActive(false);

    const preview = await front.ok<SeriesPreview>('series.preview', weekly);
    expect(preview.occurrences.map((o) => o.problem)).toEqual([CLOSED, CLOSED]);

    const outbox = front.core.store.outbox.countWork();
    const moved = await front.call('series.reschedule', {
      appointmentId: booked.appointmentIds[0]!,
      scope: 'all',
      providerId: 'prv-001',
      start: dayLater(first.start),
      end: dayLater(first.end),
      skipConflicts: true,
    });
    expect(moved.ok ? { ok: true, value: moved.value } : moved.error).toMatchObject({
      code: 'CONFLICT',
      message: CLOSED,
    });
    expect(front.core.store.outbox.countWork()).toBe(outbox);
    await setStaffActive(desks.portal, admin, 'stf-clinician1', true);
  });
});
