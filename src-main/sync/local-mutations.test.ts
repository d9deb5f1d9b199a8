import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appointmentFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import type { Clock } from '../base/adapters';
import { LocalMutationError, recordLocalMutation } from './local-mutations';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const clock: Clock = { now: () => T0 };

/** A new booking of pat-1 with prov-1 as a local change, with its reason. */
const booking = (entityId: string, reason: string): Parameters<typeof recordLocalMutation>[2] => ({
  entity: 'appointment',
  entityId,
  baseVersion: null,
  staffId: 'staff-1',
  mutation: {
    op: 'appointment.book',
    patientId: 'pat-1',
    providerId: 'prov-1',
    start: '2026-11-24T10:00:00.000Z',
    end: '2026-11-24T10:30:00.000Z',
    reason,
    virtualLink: null,
  },
});

describe('recordLocalMutation', () => {
  let t: TestStore;
  beforeEach(() => {
    t = makeTestStore();
    t.store.patients.upsert(patientFixture());
    t.store.threads.upsert(threadFixture({ version: 3 }));
    t.store.appointments.upsert(appointmentFixture({ version: 2 }));
  });
  afterEach(() => t.dispose());

  it('books optimistically (version 0) and queues the outbox row with a UUIDv7 id', () => {
    const id = recordLocalMutation(t.store, clock, booking('apt-new', 'Check-up'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t.store.appointments.byId('apt-new')).toMatchObject({
      status: 'booked',
      version: 0,
      cancelReason: null,
    });
    const [row] = t.store.outbox.peek(10);
    expect(row).toMatchObject({
      id,
      entity: 'appointment',
      entityId: 'apt-new',
      baseVersion: null,
      staffId: 'staff-1',
    });
    expect(row?.createdAt).toBe('2026-11-23T10:00:00.000Z');
  });

  it('applies every appointment and thread operation locally', () => {
    const rec = (
      entity: 'appointment' | 'thread',
      entityId: string,
      mutation: Parameters<typeof recordLocalMutation>[2]['mutation'],
    ) =>
      recordLocalMutation(t.store, clock, { entity, entityId, baseVersion: 1, staffId: 'staff-1', mutation });
    rec('appointment', 'apt-1', {
      op: 'appointment.reschedule',
      providerId: 'prov-2',
      start: '2026-11-25T09:00:00.000Z',
      end: '2026-11-25T09:30:00.000Z',
    });
    expect(t.store.appointments.byId('apt-1')).toMatchObject({
      providerId: 'prov-2',
      start: '2026-11-25T09:00:00.000Z',
      version: 2,
    });
    rec('appointment', 'apt-1', { op: 'appointment.checkIn' });
    expect(t.store.appointments.byId('apt-1')?.status).toBe('checked-in');
    rec('appointment', 'apt-1', { op: 'appointment.noShow' });
    expect(t.store.appointments.byId('apt-1')?.status).toBe('noshow');
    rec('appointment', 'apt-1', { op: 'appointment.cancel', reason: 'Patient called' });
    expect(t.store.appointments.byId('apt-1')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Patient called',
    });

    rec('thread', 'thr-1', { op: 'thread.assign', assigneeId: 'staff-2' });
    rec('thread', 'thr-1', { op: 'thread.setPriority', priority: 'stat' });
    rec('thread', 'thr-1', { op: 'thread.setStatus', status: 'in_progress' });
    expect(t.store.threads.byId('thr-1')).toMatchObject({
      assigneeId: 'staff-2',
      priority: 'stat',
      status: 'in_progress',
      updatedAt: '2026-11-23T10:00:00.000Z',
      version: 3,
    });
    rec('thread', 'thr-1', { op: 'message.send', messageId: 'msg-new', body: 'We will call you today.' });
    expect(t.store.messages.forThread('thr-1').find((m) => m.id === 'msg-new')).toMatchObject({
      author_kind: 'staff',
      author_id: 'staff-1',
      version: 0,
    });
    expect(t.store.threads.byId('thr-1')?.lastMessageAt).toBe('2026-11-23T10:00:00.000Z');
    expect(t.store.outbox.count()).toBe(8);
    expect(t.store.outbox.peek(100).map((r) => r.mutation.op)).toEqual([
      'appointment.reschedule',
      'appointment.checkIn',
      'appointment.noShow',
      'appointment.cancel',
      'thread.assign',
      'thread.setPriority',
      'thread.setStatus',
      'message.send',
    ]);
  });

  it('writes nothing when the change is invalid or its record is missing (one transaction)', () => {
    const before = t.store.outbox.count();
    expect(() =>
      recordLocalMutation(t.store, clock, {
        entity: 'thread',
        entityId: 'thr-missing',
        baseVersion: 1,
        staffId: 'staff-1',
        mutation: { op: 'message.send', messageId: 'm', body: 'x' },
      }),
    ).toThrow(LocalMutationError);
    expect(() =>
      recordLocalMutation(t.store, clock, {
        entity: 'appointment',
        entityId: 'apt-1',
        baseVersion: 1,
        staffId: 'staff-1',
        mutation: { op: 'appointment.cancel', reason: '' },
      }),
    ).toThrow(/Invalid appointment.cancel/);
    expect(() =>
      recordLocalMutation(t.store, clock, {
        entity: 'appointment',
        entityId: 'thr-1',
        baseVersion: 1,
        staffId: 'staff-1',
        mutation: { op: 'thread.setStatus', status: 'done' },
      }),
    ).toThrow(/targets a thread/);
    expect(t.store.outbox.count()).toBe(before);
    expect(t.store.appointments.byId('apt-1')?.status).toBe('booked');
  });

  it('sends a queued change with each lone surrogate as U+FFFD (text stored before such input was refused)', () => {
    // As series.reschedule copies a series' stored reason into the visits it books again: the router never saw it.
    recordLocalMutation(t.store, clock, booking('apt-old-text', 'Follow-up \ud83d and 😀'));
    const row = t.store.outbox.peek(10).find((r) => r.entityId === 'apt-old-text')!;
    expect(row.mutation).toMatchObject({ op: 'appointment.book', reason: 'Follow-up \ufffd and 😀' });
  });

  it('rolls the local effect back when the outbox row cannot be written', () => {
    t.store.db.exec(
      `CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
    );
    expect(() =>
      recordLocalMutation(t.store, clock, {
        entity: 'thread',
        entityId: 'thr-1',
        baseVersion: 3,
        staffId: 'staff-1',
        mutation: { op: 'thread.setPriority', priority: 'urgent' },
      }),
    ).toThrow(/disk full/);
    expect(t.store.threads.byId('thr-1')?.priority).toBe('routine');
  });

  it('audit.append only queues the event', () => {
    recordLocalMutation(t.store, clock, {
      entity: 'audit',
      entityId: 'evt-1',
      baseVersion: null,
      staffId: 'staff-1',
      mutation: {
        op: 'audit.append',
        event: {
          id: 'evt-1',
          at: '2026-11-23T10:00:00.000Z',
          staffId: 'staff-1',
          role: 'receptionist',
          deviceId: 'dev-1',
          action: 'read',
          entityType: 'thread',
          entityId: 'thr-1',
          outcome: 'success',
          fields: [],
          actorKind: 'staff',
          prevHash: '',
          hash: 'abc',
          version: 1,
        },
      },
    });
    expect(t.store.outbox.count()).toBe(1);
  });
});
