/**
 * Settling a pushed change to a recurring series or the waitlist (issue 13 §4/§5) once the server refused it.
 * These records have no kept server image (server-images.ts guards appointments and threads): a pull writes the
 * server's record at once, and a refusal is undone here: a record the server never had (version 0) is removed,
 * one it has comes back with the answer's `current` (applied by settleServerImage); a booking from the waitlist
 * that was refused puts the entry back on the list.
 */
import type { MutationResult } from '../../src-shared/sync';
import type { OutboxEntry } from '../store/repos/outbox';
import type { Store } from '../store/store';

/** Call inside the transaction that settles `row`. Returns the entities whose local records changed. */
export function settleSeriesWaitlist(store: Store, row: OutboxEntry, result: MutationResult): Set<string> {
  const changed = new Set<string>();
  if (result.status === 'applied' || store.outbox.hasPending(row.entityId)) return changed;
  const op = row.mutation;
  if (op.op === 'series.create' && store.series.byId(row.entityId)?.version === 0) {
    store.series.delete(row.entityId);
    changed.add('series');
  }
  if (op.op === 'waitlist.add' && store.waitlist.byId(row.entityId)?.version === 0) {
    store.waitlist.delete(row.entityId);
    changed.add('waitlist');
  }
  if (op.op === 'appointment.book' && op.waitlistEntryId !== undefined) {
    const entry = store.waitlist.byId(op.waitlistEntryId);
    if (entry && entry.status === 'booked' && entry.appointmentId === row.entityId) {
      store.waitlist.upsert({ ...entry, status: 'waiting', appointmentId: null });
      changed.add('waitlist');
    }
  }
  return changed;
}
