import type { AppointmentRecord, StaffRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import type { MutationOp } from '../../src-shared/sync';
import type { AppointmentView, ProviderView, ScheduleView } from '../../src-shared/views';
import type { Clock, ExternalOpener } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { AppointmentListRow } from '../store/repos/appointments';
import type { Store } from '../store/store';
import { recordLocalMutation } from '../sync/local-mutations';
import { holdsSlot, overlaps, slotProblem, transitionProblem } from './slots';
import { virtualLinkFor } from './virtual-visits';

/** Host of the virtual-visit links this console creates; on the shell's openExternal allow-list. */
export const VIRTUAL_VISIT_BASE = 'https://visit.clinic.example/v/';

export function appointmentViewOf(r: AppointmentListRow, pending: boolean): AppointmentView {
  return {
    id: r.id,
    patientId: r.patient_id,
    providerId: r.provider_id,
    patientName: r.patient_name,
    start: r.start,
    end: r.end,
    status: r.status,
    reason: r.reason,
    cancelReason: r.cancel_reason,
    virtualLink: r.virtual_link,
    pending,
    version: r.version,
  };
}

export interface BookInput {
  patientId: string;
  providerId: string;
  start: string;
  end: string;
  reason: string;
  virtual: boolean;
}

/** The front desk's schedule (DESIGN.md §1): day/week ranges, booking and status changes, checked locally first. */
export class ScheduleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
    private readonly openExternal: ExternalOpener,
  ) {}

  providers(): ProviderView[] {
    return this.store.providers.list().map(({ version: _v, ...p }) => p);
  }

  range(from: string, days: number, providerId?: string): ScheduleView {
    const fromIso = `${from}T00:00:00.000Z`;
    const to = new Date(Date.parse(fromIso) + days * 86_400_000).toISOString();
    return {
      from: fromIso,
      to,
      providers: this.providers(),
      appointments: this.store.appointments.range(fromIso, to, providerId).map((r) => this.view(r)),
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

  /** The local check the server repeats: on the grid, and no slot-holding appointment overlapping. */
  private assertSlotFree(providerId: string, start: string, end: string, exceptId: string | null): void {
    const provider = this.store.providers.byId(providerId);
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    const problem = slotProblem(provider, start, end);
    if (problem) throw new ApiError('VALIDATION', problem);
    const dayStart = `${start.slice(0, 10)}T00:00:00.000Z`;
    const dayEnd = new Date(Date.parse(dayStart) + 86_400_000).toISOString();
    const taken = this.store.appointments
      .range(dayStart, dayEnd, providerId)
      .some((a) => a.id !== exceptId && holdsSlot(a.status) && overlaps(a.start, a.end, start, end));
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

  private existing(appointmentId: string, op: Parameters<typeof transitionProblem>[1]): AppointmentRecord {
    const appt = this.store.appointments.byId(appointmentId);
    if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    const problem = transitionProblem(appt, op);
    if (problem) throw new ApiError('CONFLICT', problem);
    return appt;
  }

  book(staff: StaffRecord, input: BookInput): string {
    if (!this.store.patients.byId(input.patientId)) throw new ApiError('NOT_FOUND', 'No such patient.');
    this.assertSlotFree(input.providerId, input.start, input.end, null);
    const appointmentId = uuidv7(this.clock.now());
    this.write(staff, appointmentId, null, {
      op: 'appointment.book',
      patientId: input.patientId,
      providerId: input.providerId,
      start: input.start,
      end: input.end,
      reason: input.reason,
      virtualLink: input.virtual ? VIRTUAL_VISIT_BASE + appointmentId : null,
    });
    return appointmentId;
  }

  reschedule(
    staff: StaffRecord,
    appointmentId: string,
    providerId: string,
    start: string,
    end: string,
  ): void {
    const appt = this.existing(appointmentId, 'reschedule');
    this.assertSlotFree(providerId, start, end, appointmentId);
    this.write(staff, appointmentId, appt.version, { op: 'appointment.reschedule', providerId, start, end });
  }

  cancel(staff: StaffRecord, appointmentId: string, reason: string): void {
    const appt = this.existing(appointmentId, 'cancel');
    this.write(staff, appointmentId, appt.version, { op: 'appointment.cancel', reason });
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
    const { version, link } = virtualLinkFor(this.store, appointmentId, virtual, VIRTUAL_VISIT_BASE);
    this.write(staff, appointmentId, version, { op: 'appointment.setVirtual', virtualLink: link });
  }

  async openVirtualLink(appointmentId: string): Promise<void> {
    const appt = this.store.appointments.byId(appointmentId);
    if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    if (!appt.virtualLink) throw new ApiError('NOT_FOUND', 'This appointment has no virtual-visit link.');
    await this.openExternal(appt.virtualLink);
  }
}
