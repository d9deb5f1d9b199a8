import { addLocalDays, localDaysRange, todayAt } from '../../src-shared/clinic-time';
import type { AppointmentRecord, CancelCode, LocationRecord, StaffRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import type { MutationOp } from '../../src-shared/sync';
import type {
  AppointmentView,
  ClinicProfile,
  LocationView,
  ProviderView,
  ScheduleView,
} from '../../src-shared/views';
import type { Clock, ExternalOpener } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { AppointmentListRow } from '../store/repos/appointments';
import type { Store } from '../store/store';
import { recordLocalMutation } from '../sync/local-mutations';
import { holdsSlot, overlaps, transitionProblem } from './slots';
import { bookableOnPc, providerClosedOnPc } from './availability';
import { PROVIDER_CLOSED_MESSAGE } from '../../src-shared/provider-bookings';
import {
  OVERLAP_NEEDS_REASON,
  pastBookingProblem,
  patientOverlaps,
  statusProblem,
  type ClinicClock,
  type TransitionOp,
  visitTypeProblem,
} from '../../src-shared/schedule-rules';
import { CANCEL_CODE_LABEL } from '../../src-shared/cancel-codes';
import { virtualVisitLink } from '../../src-shared/virtual-visit';
import { appointmentFromRow } from '../../src-shared/record-rows';
import { virtualLinkFor } from './virtual-visits';
import { SeriesService } from './series-service';
import { WaitlistService } from './waitlist-service';
import { findNextFree } from './next-free';
import type { FreeSlotView, NextFreeQuery } from '../../src-shared/availability';
import type { z } from 'zod';

/** The view of an appointment's row for the renderer: its record, the patient's name, and whether a local change waits. */
export function appointmentViewOf(r: AppointmentListRow, pending: boolean): AppointmentView {
  return { ...appointmentFromRow(r), patientName: r.patient_name, pending };
}

const locationView = ({ version: _v, ...l }: LocationRecord): LocationView => l;

export interface BookInput {
  patientId: string;
  providerId: string;
  start: string;
  end: string;
  reason: string;
  virtual: boolean;
  overlapReason?: string;
  visitTypeId?: string;
  /** issue 13 §5: booked from this waitlist entry (its patient's), which leaves the list with the booking. */
  waitlistEntryId?: string;
}

/** The front desk's schedule (DESIGN.md §1): day/week ranges, booking and status changes, checked locally first. */
export class ScheduleService {
  /** issue 13 §4: recurring series (src-main/schedule/series-service.ts). */
  readonly series: SeriesService;
  /** issue 13 §5: the waitlist (src-main/schedule/waitlist-service.ts). */
  readonly waitlist: WaitlistService;
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
    private readonly openExternal: ExternalOpener,
    /**
     * issue 13 §4: days ahead this PC holds the schedule (store window setting): a series ends within it, and the
     * next-free-slot finder searches no further.
     */
    private readonly scheduleAheadDays: () => number = () => 180,
  ) {
    const zoneOf = (p: { locationId: string }) => {
      const l = this.location(p.locationId);
      return { timeZone: l.timeZone, walkInMinutes: l.walkInMinutes };
    };
    this.series = new SeriesService(store, clock, afterWrite, zoneOf, scheduleAheadDays);
    this.waitlist = new WaitlistService(store, clock, afterWrite, zoneOf);
  }

  /** issue 13 §5: the earliest free starts (src-main/schedule/next-free.ts), within the days this PC holds. */
  nextFree(query: z.output<typeof NextFreeQuery>): FreeSlotView[] {
    return findNextFree(this.store, this.clock, query, this.scheduleAheadDays());
  }

  providers(): ProviderView[] {
    return this.store.providers.list().map(({ version: _v, ...p }) => p);
  }

  /** The clinic profile as the console holds it (issue 13a): locations, the default one, its today. */
  profile(): ClinicProfile {
    const location = this.location();
    const now = this.clock.now();
    const locations = this.store.locations.list().map(locationView);
    return {
      locations: locations.length > 0 ? locations : [locationView(location)],
      visitTypes: this.store.visitTypes.list().map(({ version: _v, ...t }) => t),
      locationId: location.id,
      today: todayAt(location.timeZone, now),
      now,
    };
  }

  /**
   * A location of the clinic profile (issue 13a); without an id, the first provider's. A location the server
   * has not sent yet reads as UTC, the meaning working hours had before locations.
   */
  location(locationId?: string): LocationRecord {
    const id = locationId ?? this.store.providers.list()[0]?.locationId ?? 'loc-main';
    const found = this.store.locations.byId(id);
    if (found) return found;
    if (locationId && this.store.locations.list().length > 0)
      throw new ApiError('NOT_FOUND', 'No such clinic location.');
    return { id, name: 'Main clinic', timeZone: 'UTC', walkInMinutes: 30, version: 0 };
  }

  /**
   * `days` local days from the local date `from` at a location (issue 13a): the day boundaries are the
   * location's midnights (a DST day is 23 or 25 hours long), never UTC's or the PC's.
   */
  range(from: string, days: number, providerId?: string, locationId?: string): ScheduleView {
    const location = this.location(locationId);
    const { from: fromIso, to } = localDaysRange(from, days, location.timeZone);
    const providers = this.providers().filter((p) => p.locationId === location.id);
    const here = new Set(providers.map((p) => p.id));
    const now = this.clock.now();
    return {
      from: fromIso,
      to,
      location: locationView(location),
      locations: this.store.locations.list().map(locationView),
      today: todayAt(location.timeZone, now),
      now,
      providers,
      appointments: this.store.appointments
        .range(fromIso, to, providerId)
        .filter((r) => here.has(r.provider_id))
        .map((r) => this.view(r)),
      // session 4, 13c: what the day grid needs to show lunch, admin time, leave and holidays (issue 13 §3)
      availability: providers.map((p) => {
        const a = this.store.availability.of(p, from, addLocalDays(from, days - 1));
        return {
          providerId: p.id,
          template: a.template ? { blocks: a.template.blocks } : null,
          exceptions: [...a.exceptions],
        };
      }),
    };
  }

  private view(r: AppointmentListRow): AppointmentView {
    return appointmentViewOf(r, this.store.outbox.hasPending(r.id));
  }

  get(appointmentId: string): AppointmentView {
    const row = this.store.appointments.listRow(appointmentId);
    if (!row) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    return this.view(row);
  }

  /**
   * The local check the server repeats: on the provider's wall-clock grid at their location, and no
   * slot-holding appointment overlapping. `start`/`end` are normalised UTC instants (the contract's IsoTime).
   */
  private assertSlotFree(providerId: string, start: string, end: string, exceptId: string | null): void {
    const provider = this.store.providers.byId(providerId);
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    // Session 8, sec8 (review 8): a provider whose account was deactivated takes no new bookings or moves.
    if (providerClosedOnPc(this.store, providerId)) throw new ApiError('CONFLICT', PROVIDER_CLOSED_MESSAGE);
    // Grid, working hours, lunch / admin time, leave and holidays (issue 13 §3; the rules the server repeats).
    const problem = bookableOnPc(this.store, provider, this.location(provider.locationId), start, end);
    if (problem) throw new ApiError('VALIDATION', problem);
    const taken = this.store.appointments
      .overlapping('provider', providerId, start, end, exceptId)
      .some((a) => holdsSlot(a.status) && overlaps(a.start, a.end, start, end));
    if (taken) throw new ApiError('CONFLICT', 'This slot is already booked.');
  }

  private write(
    staff: StaffRecord,
    appointmentId: string,
    baseVersion: number | null,
    mutation: MutationOp,
  ): void {
    recordLocalMutation(this.store, this.clock, {
      entity: 'appointment',
      entityId: appointmentId,
      baseVersion,
      staffId: staff.id,
      mutation,
    });
    this.afterWrite();
  }

  /** The clinic clock at a provider's location now (issue 13a guardrails: src-shared/schedule-rules.ts). */
  private clinicClock(providerId: string): ClinicClock {
    const provider = this.store.providers.byId(providerId);
    const location = this.location(provider?.locationId ?? 'loc-main');
    return { nowMs: this.clock.now(), timeZone: location.timeZone, walkInMinutes: location.walkInMinutes };
  }

  private existing(appointmentId: string, op: TransitionOp): AppointmentRecord {
    const appt = this.store.appointments.byId(appointmentId);
    if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    const problem =
      op === 'reschedule'
        ? transitionProblem(appt, op)
        : statusProblem(appt, op, this.clinicClock(appt.providerId));
    if (problem) throw new ApiError('CONFLICT', problem);
    return appt;
  }

  /** The patient's slot-holding visits overlapping [start, end) on this PC (issue 13 §6). */
  patientOverlaps(patientId: string, start: string, end: string, exceptId?: string): AppointmentView[] {
    const found = patientOverlaps(
      this.store.appointments.overlapping('patient', patientId, start, end, exceptId ?? null),
      start,
      end,
    );
    return found.flatMap((a) => {
      const row = this.store.appointments.listRow(a.id);
      return row ? [this.view(row)] : [];
    });
  }

  book(staff: StaffRecord, input: BookInput): string {
    if (!this.store.patients.byId(input.patientId)) throw new ApiError('NOT_FOUND', 'No such patient.');
    this.assertSlotFree(input.providerId, input.start, input.end, null);
    if (input.visitTypeId !== undefined) {
      const visitType = this.store.visitTypes.byId(input.visitTypeId);
      if (!visitType) throw new ApiError('NOT_FOUND', 'No such visit type.');
      const typeProblem = visitTypeProblem(visitType, input.providerId, input.start, input.end);
      if (typeProblem) throw new ApiError('VALIDATION', typeProblem);
    }
    const past = pastBookingProblem(input.start, this.clinicClock(input.providerId));
    if (past) throw new ApiError('VALIDATION', past);
    const overlapping = this.patientOverlaps(input.patientId, input.start, input.end).length > 0;
    const overlapReason = input.overlapReason?.trim();
    if (overlapping && !overlapReason) throw new ApiError('VALIDATION', OVERLAP_NEEDS_REASON);
    if (input.waitlistEntryId !== undefined) {
      const entry = this.store.waitlist.byId(input.waitlistEntryId);
      if (!entry || entry.status !== 'waiting')
        throw new ApiError('CONFLICT', 'This patient is no longer on the waitlist.');
      if (entry.patientId !== input.patientId)
        throw new ApiError('VALIDATION', 'That waitlist entry is for another patient.');
    }
    const appointmentId = uuidv7(this.clock.now());
    this.write(staff, appointmentId, null, {
      op: 'appointment.book',
      patientId: input.patientId,
      providerId: input.providerId,
      start: input.start,
      end: input.end,
      reason: input.reason,
      virtualLink: input.virtual ? virtualVisitLink(appointmentId) : null,
      ...(overlapping && overlapReason ? { overlapReason } : {}),
      ...(input.visitTypeId !== undefined ? { visitTypeId: input.visitTypeId } : {}),
      ...(input.waitlistEntryId !== undefined ? { waitlistEntryId: input.waitlistEntryId } : {}),
    });
    return appointmentId;
  }

  reschedule(
    staff: StaffRecord,
    appointmentId: string,
    providerId: string,
    start: string,
    end: string,
    overlapReason?: string,
  ): void {
    const appt = this.existing(appointmentId, 'reschedule');
    this.assertSlotFree(providerId, start, end, appointmentId);
    const past = pastBookingProblem(start, this.clinicClock(providerId));
    if (past) throw new ApiError('VALIDATION', past);
    const overlapping = this.patientOverlaps(appt.patientId, start, end, appointmentId).length > 0;
    const reason = overlapReason?.trim();
    if (overlapping && !reason) throw new ApiError('VALIDATION', OVERLAP_NEEDS_REASON);
    this.store.transaction(() => {
      this.write(staff, appointmentId, appt.version, {
        op: 'appointment.reschedule',
        providerId,
        start,
        end,
        ...(overlapping && reason ? { overlapReason: reason } : {}),
      });
      // issue 13 §4: one visit of a series moved on its own: its old time leaves the series' rule
      this.series.excludeMovedVisit(staff, appt);
    });
  }

  /** Cancel with a coded reason and optional text (issue 13 §6); text alone is code 'other'. */
  cancel(
    staff: StaffRecord,
    appointmentId: string,
    code: CancelCode | undefined,
    text: string | undefined,
  ): void {
    const appt = this.existing(appointmentId, 'cancel');
    const reason = text?.trim() || CANCEL_CODE_LABEL[code ?? 'other'];
    this.write(staff, appointmentId, appt.version, {
      op: 'appointment.cancel',
      reason,
      code: code ?? 'other',
    });
  }

  /** The visit flow after check-in, and taking back a check-in or no-show (issue 13 §6). */
  advance(staff: StaffRecord, appointmentId: string, op: 'room' | 'complete' | 'undo'): void {
    const appt = this.existing(appointmentId, op);
    const mutation: MutationOp =
      op === 'room'
        ? { op: 'appointment.room' }
        : op === 'complete'
          ? { op: 'appointment.complete' }
          : { op: 'appointment.undoStatus' };
    // Taking back a no-show puts the visit in its slot again: the slot may have been given away meanwhile (a
    // no-show holds none), so the booking's check runs first (review 6 D3; the server repeats it).
    if (op === 'undo' && !holdsSlot(appt.status)) {
      const taken = this.store.appointments
        .overlapping('provider', appt.providerId, appt.start, appt.end, appt.id)
        .some((a) => holdsSlot(a.status) && overlaps(a.start, a.end, appt.start, appt.end));
      if (taken)
        throw new ApiError(
          'CONFLICT',
          'This slot was given to another visit meanwhile: book the patient anew.',
        );
    }
    this.write(staff, appointmentId, appt.version, mutation);
  }

  checkIn(staff: StaffRecord, appointmentId: string): void {
    const appt = this.existing(appointmentId, 'checkIn');
    this.write(staff, appointmentId, appt.version, { op: 'appointment.checkIn' });
  }

  noShow(staff: StaffRecord, appointmentId: string): void {
    const appt = this.existing(appointmentId, 'noShow');
    this.write(staff, appointmentId, appt.version, { op: 'appointment.noShow' });
  }

  /** issue 13b: switch a visit to virtual (its link is made) or back to in person (virtual-visits.ts). */
  setVirtual(staff: StaffRecord, appointmentId: string, virtual: boolean): void {
    const { version, link } = virtualLinkFor(this.store, appointmentId, virtual);
    this.write(staff, appointmentId, version, { op: 'appointment.setVirtual', virtualLink: link });
  }

  async openVirtualLink(appointmentId: string): Promise<void> {
    const appt = this.store.appointments.byId(appointmentId);
    if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    if (!appt.virtualLink) throw new ApiError('NOT_FOUND', 'This appointment has no virtual-visit link.');
    await this.openExternal(appt.virtualLink);
  }
}
