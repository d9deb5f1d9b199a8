/**
 * The write side of the transactional outbox (DESIGN.md §5): a local change and the outbox row that will
 * carry it to the server are written in ONE transaction, so a crash leaves either both or neither.
 */
import type { AppointmentRecord, ThreadRecord } from '../../src-shared/domain';
import { MutationOp } from '../../src-shared/sync';
import { roleMayReadPool } from '../../src-shared/triage';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { Store } from '../store/store';
import { keepServerImage } from './server-images';

export type MutationEntity = 'appointment' | 'thread' | 'audit' | 'series' | 'waitlist';

export interface LocalMutationInput {
  /** The record kind the mutation targets; message.send targets its thread. */
  entity: MutationEntity;
  /** appointment.book: the new appointment's id; message.send: the thread's id; audit.append: the event's id. */
  entityId: string;
  /** The version the person saw; null for creations. */
  baseVersion: number | null;
  staffId: string;
  mutation: MutationOp;
}

/** Which entity each operation targets, so a caller's mistake is caught before it reaches the outbox. */
export function entityOfOp(op: MutationOp['op']): MutationEntity {
  if (op.startsWith('appointment.')) return 'appointment';
  if (op === 'audit.append') return 'audit';
  if (op.startsWith('series.')) return 'series';
  if (op.startsWith('waitlist.')) return 'waitlist';
  return 'thread';
}

export class LocalMutationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalMutationError';
  }
}

function requireAppointment(store: Store, id: string): AppointmentRecord {
  const found = store.appointments.byId(id);
  if (!found) throw new LocalMutationError('This appointment is not in the local store.');
  return found;
}

function requireThread(store: Store, id: string): ThreadRecord {
  const found = store.threads.byId(id);
  if (!found) throw new LocalMutationError('This thread is not in the local store.');
  return found;
}

/** The optimistic local effect: what the server will most likely make of the mutation (server/sync/apply.ts). */
function applyOptimistic(store: Store, input: LocalMutationInput, op: MutationOp, nowIso: string): void {
  switch (op.op) {
    case 'appointment.book':
      if (store.appointments.byId(input.entityId))
        throw new LocalMutationError('That appointment id is already in use.');
      store.appointments.upsert({
        id: input.entityId,
        patientId: op.patientId,
        providerId: op.providerId,
        start: op.start,
        end: op.end,
        status: 'booked',
        reason: op.reason,
        cancelReason: null,
        virtualLink: op.virtualLink,
        cancelCode: null,
        overlapReason: op.overlapReason ?? null,
        ...(op.seriesId !== undefined ? { seriesId: op.seriesId } : {}),
        // 0 marks "never seen by the server": the server's first version is 1.
        version: 0,
      });
      // issue 13 §5: booked from the waitlist: the entry leaves the list with this booking
      if (op.waitlistEntryId !== undefined) {
        const entry = store.waitlist.byId(op.waitlistEntryId);
        if (!entry || entry.status !== 'waiting')
          throw new LocalMutationError('That waitlist entry is no longer waiting.');
        store.waitlist.upsert({ ...entry, status: 'booked', appointmentId: input.entityId });
      }
      return;
    case 'appointment.reschedule': {
      const a = requireAppointment(store, input.entityId);
      store.appointments.upsert({
        ...a,
        providerId: op.providerId,
        start: op.start,
        end: op.end,
        overlapReason: op.overlapReason ?? a.overlapReason,
      });
      return;
    }
    case 'appointment.cancel': {
      const a = requireAppointment(store, input.entityId);
      store.appointments.upsert({
        ...a,
        status: 'cancelled',
        cancelReason: op.reason,
        cancelCode: op.code ?? 'other',
      });
      return;
    }
    // issue 13a: the rest of the visit flow, as server/sync/apply.ts will make it
    case 'appointment.room':
    case 'appointment.complete':
    case 'appointment.undoStatus': {
      const a = requireAppointment(store, input.entityId);
      const to =
        op.op === 'appointment.room' ? 'roomed' : op.op === 'appointment.complete' ? 'fulfilled' : 'booked';
      store.appointments.upsert({ ...a, status: to });
      return;
    }
    case 'appointment.checkIn': {
      const a = requireAppointment(store, input.entityId);
      // The server records a check-in as FHIR 'checked-in'; predicting the same avoids a flicker after sync.
      store.appointments.upsert({ ...a, status: 'checked-in' });
      return;
    }
    case 'appointment.setVirtual': {
      const a = requireAppointment(store, input.entityId);
      store.appointments.upsert({ ...a, virtualLink: op.virtualLink });
      return;
    }
    case 'appointment.noShow': {
      const a = requireAppointment(store, input.entityId);
      store.appointments.upsert({ ...a, status: 'noshow' });
      return;
    }
    case 'thread.assign': {
      const t = requireThread(store, input.entityId);
      store.threads.update({ ...t, assigneeId: op.assigneeId, updatedAt: nowIso });
      return;
    }
    case 'thread.setPriority': {
      const t = requireThread(store, input.entityId);
      store.threads.update({ ...t, priority: op.priority, updatedAt: nowIso });
      return;
    }
    case 'thread.setStatus': {
      const t = requireThread(store, input.entityId);
      store.threads.update({ ...t, status: op.status, updatedAt: nowIso });
      return;
    }
    case 'breakGlass.open':
      // The grant is already on this PC (src-main/triage/break-glass.ts); the server records it and alerts.
      requireThread(store, input.entityId);
      return;
    case 'thread.route': {
      const t = requireThread(store, input.entityId);
      // As the server does (review 7 R5): the holder keeps it only if their role may work the new pool.
      const holder = t.assigneeId === null ? null : store.staff.byId(t.assigneeId);
      const kind = store.pools.byId(op.poolId)?.kind ?? null;
      const keepsHolder = holder === null || roleMayReadPool(holder.role, kind);
      store.threads.update({
        ...t,
        poolId: op.poolId,
        assigneeId: keepsHolder ? t.assigneeId : null,
        updatedAt: nowIso,
      });
      return;
    }
    case 'message.send': {
      const t = requireThread(store, input.entityId);
      if (store.messages.exists(op.messageId))
        throw new LocalMutationError('That message id is already in use.');
      store.messages.upsert({
        id: op.messageId,
        threadId: t.id,
        authorKind: 'staff',
        authorId: input.staffId,
        body: op.body,
        sentAt: nowIso,
        version: 0,
      });
      store.threads.update({ ...t, lastMessageAt: nowIso, updatedAt: nowIso });
      return;
    }
    case 'audit.append':
      // The event is already in this device's audit log; the outbox row only carries it off the device.
      return;
    // issue 13 §4/§5 (server/sync/series-waitlist.ts makes the same)
    case 'series.create':
      if (store.series.byId(input.entityId))
        throw new LocalMutationError('That series id is already in use.');
      store.series.upsert({
        id: input.entityId,
        patientId: op.patientId,
        providerId: op.providerId,
        rule: op.rule,
        minutes: op.minutes,
        reason: op.reason,
        visitTypeId: op.visitTypeId,
        virtual: op.virtual,
        version: 0,
      });
      return;
    case 'series.setRule': {
      const series = store.series.byId(input.entityId);
      if (!series) throw new LocalMutationError('This series is not in the local store.');
      store.series.upsert({ ...series, rule: op.rule });
      return;
    }
    case 'waitlist.add':
      if (store.waitlist.byId(input.entityId))
        throw new LocalMutationError('That waitlist id is already in use.');
      store.waitlist.upsert({
        id: input.entityId,
        patientId: op.patientId,
        visitTypeId: op.visitTypeId,
        providerIds: op.providerIds,
        timeOfDay: op.timeOfDay,
        fromDate: op.fromDate,
        toDate: op.toDate,
        status: 'waiting',
        appointmentId: null,
        createdAt: nowIso,
        version: 0,
      });
      return;
    case 'waitlist.remove': {
      const entry = store.waitlist.byId(input.entityId);
      if (!entry) throw new LocalMutationError('This waitlist entry is not in the local store.');
      store.waitlist.upsert({ ...entry, status: 'removed' });
      return;
    }
  }
}

/**
 * Apply a mutation optimistically and queue it for the server, atomically. Returns the mutation id (UUIDv7).
 * Once this returns, the change survives a crash: the engine pushes it on the next sync.
 */
export function recordLocalMutation(store: Store, clock: Clock, input: LocalMutationInput): string {
  const parsed = MutationOp.safeParse(input.mutation);
  if (!parsed.success) throw new LocalMutationError(`Invalid ${String(input.mutation.op)} change.`);
  const op = parsed.data;
  if (entityOfOp(op.op) !== input.entity) {
    throw new LocalMutationError(`${op.op} targets a ${entityOfOp(op.op)}, not a ${input.entity}.`);
  }
  if (input.entityId.length < 1 || input.entityId.length > 64)
    throw new LocalMutationError('Invalid record id.');
  const now = clock.now();
  const nowIso = new Date(now).toISOString();
  const id = uuidv7(now);
  store.transaction(() => {
    // What the server holds, kept until this change is settled (a refusal shows it again).
    keepServerImage(store, input.entity, input.entityId);
    applyOptimistic(store, input, op, nowIso);
    store.outbox.add({
      id,
      entity: input.entity,
      entityId: input.entityId,
      baseVersion: input.baseVersion,
      mutation: op,
      staffId: input.staffId,
      createdAt: nowIso,
    });
  });
  return id;
}
