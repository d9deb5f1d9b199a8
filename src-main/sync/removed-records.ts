/**
 * Session 8, sec8 (review 8, suspicion 1), and session 9, s9sec (review 9, suspicion 5): tells the renderer when a
 * change may have taken out of the person's reach something a list or pane showed, so it drops what it keeps from
 * before instead of showing it stale (DESIGN §2: nothing the store no longer holds or the role may no longer read
 * stays on screen), and keeps showing what it has after any other change. Counted on the store's connection,
 * whoever wrote (a pulled change, the store window's eviction, a local change such as `thread.route`): rows deleted
 * from a listed table (store/table-changes.ts) and the writes of store/reach-changes.ts.
 */
import { OUT_OF_REACH } from '../../src-shared/data-changes';
import type { ReachChanges } from '../store/reach-changes';
import { LISTED_TABLES, type TableChanges } from '../store/table-changes';

/**
 * A function that takes the entity names of a change (as the sync engine reports them, or `['local']`) and returns
 * them with OUT_OF_REACH added when a listed table lost rows, or `reach` counted a write, since its last call. One
 * marker serves every `data.changed` a core emits (it compares with its own last call).
 */
export function removalMarker(changes: TableChanges, reach: ReachChanges): (entities: string[]) => string[] {
  const now = () => `${changes.deletions(LISTED_TABLES)}/${reach.version()}`;
  let seen = now();
  return (entities) => {
    const current = now();
    const narrowed = current !== seen;
    seen = current;
    return narrowed ? [...entities, OUT_OF_REACH] : entities;
  };
}
