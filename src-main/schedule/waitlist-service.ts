/**
 * The waitlist (issue 13 §5): patients who want an earlier visit, with what fits them (visit type, preferred
 * providers, time of day, a range of local dates). When a slot frees up (a visit cancelled, moved or taken back),
 * the desk is offered the entries that fit it; booking from the offer is one `appointment.book` carrying the
 * entry's id, which takes the entry off the list on the console and on the server in the same change.
 * Entries hold ids, dates and choices only: no free text, nothing of PHI beyond the patient id reaches a log.
 */
import { localDateOf, localMinuteOf } from '../../src-shared/clinic-time';
import type { ProviderRecord, StaffRecord, TimeOfDay, WaitlistRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import { pastBookingProblem } from '../../src-shared/schedule-rules';
import type { WaitlistView } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { Store } from '../store/store';
import { recordLocalMutation } from '../sync/local-mutations';
import { providerClosedOnPc } from './availability';

/** Noon at the location splits morning from afternoon (wall-clock minutes). */
const NOON = 12 * 60;

export interface WaitlistInput {
  patientId: string;
  visitTypeId: string | null;
  providerIds: string[];
  timeOfDay: TimeOfDay;
  fromDate: string;
  toDate: string;
}

type ZoneOf = (provider: ProviderRecord) => { timeZone: string; walkInMinutes: number };

export class WaitlistService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
    private readonly zoneOf: ZoneOf,
  ) {}

  add(staff: StaffRecord, input: WaitlistInput): string {
    if (!this.store.patients.byId(input.patientId)) throw new ApiError('NOT_FOUND', 'No such patient.');
    if (input.visitTypeId !== null && !this.store.visitTypes.byId(input.visitTypeId))
      throw new ApiError('NOT_FOUND', 'No such visit type.');
    for (const id of input.providerIds)
      if (!this.store.providers.byId(id)) throw new ApiError('NOT_FOUND', 'No such provider.');
    if (input.fromDate > input.toDate)
      throw new ApiError('VALIDATION', 'The first day must not be after the last day.');
    const entryId = uuidv7(this.clock.now());
    recordLocalMutation(this.store, this.clock, {
      entity: 'waitlist',
      entityId: entryId,
      baseVersion: null,
      staffId: staff.id,
      mutation: { op: 'waitlist.add', ...input, providerIds: [...new Set(input.providerIds)] },
    });
    this.afterWrite();
    return entryId;
  }

  remove(staff: StaffRecord, entryId: string): void {
    const entry = this.store.waitlist.byId(entryId);
    if (!entry) throw new ApiError('NOT_FOUND', 'This waitlist entry is not on this PC.');
    if (entry.status !== 'waiting')
      throw new ApiError('CONFLICT', 'This patient is no longer on the waitlist.');
    recordLocalMutation(this.store, this.clock, {
      entity: 'waitlist',
      entityId: entryId,
      baseVersion: entry.version,
      staffId: staff.id,
      mutation: { op: 'waitlist.remove' },
    });
    this.afterWrite();
  }

  private view(e: WaitlistRecord): WaitlistView | null {
    const p = this.store.patients.byId(e.patientId);
    if (!p) return null;
    return {
      id: e.id,
      patientId: e.patientId,
      patientName: `${p.givenName} ${p.familyName}`,
      visitTypeId: e.visitTypeId,
      providerIds: e.providerIds,
      timeOfDay: e.timeOfDay,
      fromDate: e.fromDate,
      toDate: e.toDate,
      pending: this.store.outbox.hasPending(e.id),
    };
  }

  /** Entries still waiting, oldest first. */
  list(): WaitlistView[] {
    return this.store.waitlist.waiting().flatMap((e) => this.view(e) ?? []);
  }

  /**
   * The entries a free slot [start, end) with `providerId` fits, oldest first: the provider is one they prefer
   * (or they have none), the provider offers their visit type and the slot is long enough for it, the slot's
   * local date is in their range and its wall-clock start in their time of day (at the provider's location), and
   * the slot may still be booked now (src-shared/schedule-rules.ts pastBookingProblem).
   */
  offers(providerId: string, start: string, end: string): WaitlistView[] {
    const provider = this.store.providers.byId(providerId);
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    // Session 8, sec8 (review 8): a slot freed with a provider who takes no new bookings is offered to no one.
    if (providerClosedOnPc(this.store, providerId)) return [];
    const location = this.zoneOf(provider);
    if (pastBookingProblem(start, { nowMs: this.clock.now(), ...location }) !== null) return [];
    const day = localDateOf(start, location.timeZone);
    const minute = localMinuteOf(start, location.timeZone);
    const length = (Date.parse(end) - Date.parse(start)) / 60_000;
    const fits = (e: WaitlistRecord): boolean => {
      if (e.providerIds.length > 0 && !e.providerIds.includes(providerId)) return false;
      if (day < e.fromDate || day > e.toDate) return false;
      if (e.timeOfDay === 'morning' && minute >= NOON) return false;
      if (e.timeOfDay === 'afternoon' && minute < NOON) return false;
      if (e.visitTypeId !== null) {
        const type = this.store.visitTypes.byId(e.visitTypeId);
        if (!type || !type.providerIds.includes(providerId) || type.minutes > length) return false;
      }
      return true;
    };
    return this.store.waitlist
      .waiting()
      .filter(fits)
      .flatMap((e) => this.view(e) ?? []);
  }
}
