/**
 * Review 8, unconfirmed suspicion 2, the console's side (session 8, sec8): once an admin deactivates a clinician who
 * is a provider (clinician1 is prv-001) and the desk has pulled it, the "next free slot" finder offers none of their
 * slots, and a booking with them is refused at once with a typed CONFLICT that queues nothing (the backend repeats
 * the rule: server/provider-deactivated-booking.test.ts). Reactivated, they are offered again. Failed before the
 * fix (their slots were offered and the booking queued); nor does the waitlist offer a slot freed with them. Real backend, SQLCipher stores, keychain and routers;
 * expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import type { FreeSlotView } from '../../src-shared/availability';
import {
  NEW_PATIENT_AT_TEN as query,
  PROVIDER_CLOSED as CLOSED,
  useDeactivationDesks,
} from '../helpers/provider-deactivation';

const desks = useDeactivationDesks();

describe('a deactivated provider at the front desk', () => {
  it('is not offered by the next-free finder or the waitlist and cannot be booked, until reactivated', async () => {
    const { front } = desks;
    const providersOf = async () =>
      new Set((await front.ok<FreeSlotView[]>('schedule.nextFree', query)).map((f) => f.providerId));
    expect(await providersOf()).toContain('prv-001');
    const slot = (
      await front.ok<FreeSlotView[]>('schedule.nextFree', { ...query, providerId: 'prv-001' })
    )[0]!;
    // A patient waiting for any provider: offered a slot freed with prv-001.
    await front.ok('waitlist.add', {
      patientId: 'pat-000012',
      visitTypeId: null,
      providerIds: [],
      timeOfDay: 'any',
      fromDate: query.fromDate,
      toDate: query.toDate,
    });
    const freed = { providerId: 'prv-001', start: slot.start, end: slot.end };
    const offersOf = async () =>
      (await front.ok<{ patientId: string }[]>('waitlist.offers', freed)).map((o) => o.patientId);
    expect(await offersOf()).toContain('pat-000012');

    await desks.setProviderActive(false);

    const offered = await providersOf();
    expect(offered).not.toContain('prv-001');
    expect(offered.size).toBeGreaterThan(0);
    expect(await front.ok<FreeSlotView[]>('schedule.nextFree', { ...query, providerId: 'prv-001' })).toEqual(
      [],
    );
    expect(await offersOf()).toEqual([]);

    const outbox = front.core.store.outbox.countWork();
    const booked = await front.call('appointment.book', {
      patientId: 'pat-000011',
      providerId: 'prv-001',
      start: slot.start,
      end: slot.end,
      reason: 'New patient',
      virtual: false,
      visitTypeId: 'vt-new-patient',
    });
    expect(booked.ok ? null : booked.error).toMatchObject({ code: 'CONFLICT', message: CLOSED });
    expect(front.core.store.outbox.countWork()).toBe(outbox);

    await desks.setProviderActive(true);
    expect(await providersOf()).toContain('prv-001');
  });
});
