/**
 * Session 8, sec8 (review 8, suspicion 1): tells the renderer when a change removed patients, threads or messages
 * from the store, so it drops the lists it keeps instead of showing them stale (DESIGN §2: nothing of PHI the
 * store no longer holds stays on screen). The store's per-table deletion counter (store/table-changes.ts) sees
 * every deletion on the connection, whoever made it (a pulled deletion, the store window's eviction).
 */
import { RECORDS_REMOVED } from '../../src-shared/data-changes';
import type { TableChanges } from '../store/table-changes';

/** The tables whose rows a list shows (patient name, thread subject, message text). */
const LISTED_TABLES = ['patients', 'threads', 'messages'] as const;

/**
 * A function that takes the entity names of a change (as the sync engine reports them) and returns them with
 * RECORDS_REMOVED added when a listed table lost rows since its last call.
 */
export function removalMarker(changes: TableChanges): (entities: string[]) => string[] {
  let seen = changes.deletions(LISTED_TABLES);
  return (entities) => {
    const now = changes.deletions(LISTED_TABLES);
    const removed = now !== seen;
    seen = now;
    return removed ? [...entities, RECORDS_REMOVED] : entities;
  };
}
