/**
 * "Never show what the server does not have" (DESIGN.md §5, issue 12). While a record has queued local
 * changes the console shows its optimistic guess, and a pull skips the server's version of it (so the guess
 * is not undone before the push). This module keeps, for each such record, the latest record the SERVER is
 * known to hold — its "server image": the local record before the first queued change, replaced by every newer
 * server record learned meanwhile (a change the pull skipped, a push answer's `current`). When the record's
 * last queued change is settled:
 * - not applied (refused, conflict, dropped after retries, malformed, refused alone after a 400/413 split):
 *   the server's record is shown again — the answer's `current` for this record if any, else the server
 *   image, else (image unknown: rows queued by an older release) the record is fetched again by id;
 * - applied: the server image is shown if it already includes the change (a pull skipped the record after the
 *   server applied it and before the answer arrived); otherwise the change's own server version is still ahead
 *   of the cursor and the next pull delivers it.
 * So no pulled data is lost while a change waits: everything the cursor moved past is either in the store or
 * kept here until the record is settled.
 */
import type { Change, MutationResult } from '../../src-shared/sync';
import type { OutboxEntry } from '../store/repos/outbox';
import type { GuardedEntity, ServerImage } from '../store/repos/sync-shadows';
import type { Store } from '../store/store';
import { type AuditRecordHandler, applyChange, applyUnlessOlder } from './apply-changes';

export const isGuarded = (entity: string): entity is GuardedEntity =>
  entity === 'appointment' || entity === 'thread';

/** The local record as a sync Change (data null: not in the store). */
function localChange(store: Store, entity: GuardedEntity, id: string): Change {
  return entity === 'appointment'
    ? { entity, id, data: store.appointments.byId(id) }
    : { entity, id, data: store.threads.byId(id) };
}

/**
 * Before a local change is applied optimistically (inside its transaction): keep the server image of the record
 * unless one is kept already. The local record is the server's only when nothing is queued for it and it is not
 * waiting to be fetched again; otherwise the image is unknown.
 */
export function keepServerImage(store: Store, entity: string, id: string): void {
  if (!isGuarded(entity)) return;
  const trusted = !store.outbox.hasPending(id) && !store.syncShadows.isRefetchQueued(entity, id);
  const image: ServerImage = trusted
    ? { known: true, change: localChange(store, entity, id) }
    : { known: false };
  store.syncShadows.keepFirst(entity, id, image);
}

/** A server record learned while local changes to it wait (inside the caller's transaction). */
export function noteServerRecord(store: Store, change: Change): void {
  if (change.entity !== 'appointment' && change.entity !== 'thread') return;
  // Never replace a kept image by an older one (an answer that left the server before a skipped pull).
  const kept = store.syncShadows.get(change.entity, change.id);
  const keptVersion = kept?.known ? (kept.change.data?.version ?? null) : null;
  if (keptVersion !== null && change.data && change.data.version < keptVersion) return;
  store.syncShadows.put(change);
}

/**
 * Settle a pushed row (inside the transaction that removed it from the outbox). Returns the entities whose
 * local records changed.
 */
export function settleServerImage(
  store: Store,
  row: OutboxEntry,
  result: MutationResult,
  onAudit: AuditRecordHandler,
): Set<string> {
  const changed = new Set<string>();
  const apply = (change: Change): void => {
    applyChange(store, change, onAudit);
    changed.add(change.entity);
  };
  // A server record in the answer (this record or another, e.g. the booking that took the slot).
  const current = result.status === 'applied' ? null : result.current;
  if (current) {
    if (!store.outbox.hasPending(current.id)) {
      if (applyUnlessOlder(store, current, onAudit)) changed.add(current.entity);
    } else noteServerRecord(store, current);
  }
  const entity = row.entity;
  if (!isGuarded(entity)) return changed;
  const id = row.entityId;
  if (store.outbox.hasPending(id)) return changed; // a later change still waits: settled with that one
  const image = store.syncShadows.get(entity, id);
  store.syncShadows.delete(entity, id);
  if (result.status === 'applied') {
    // The image already holds the applied change (or newer): show it; else the next pull brings it.
    if (image?.known && image.change.data && image.change.data.version >= result.version) apply(image.change);
    return changed;
  }
  if (current && current.entity === entity && current.id === id) return changed; // shown above
  if (image?.known) apply(image.change);
  else store.syncShadows.queueRefetch(entity, id);
  return changed;
}
