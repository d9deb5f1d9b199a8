/**
 * The one grouping step of a pull page's `loadChanges` on both stores (SQLite and PostgreSQL): the page's change
 * refs as one id list per entity kind, so each kind is read with one statement (session 5, 16s; issue 16 §2).
 * Session 6, dx6: written once here instead of once per store.
 */
import type { EntityName } from '../../src-shared/sync';
import type { ChangeRef } from './types';

/**
 * The refs' ids grouped by entity, entities and ids in the refs' order (a repeated ref repeats its id). Only the
 * entities `include` accepts are grouped (default: all).
 */
export function idsByEntity(
  refs: readonly ChangeRef[],
  include: (entity: EntityName) => boolean = () => true,
): Map<EntityName, string[]> {
  const ids = new Map<EntityName, string[]>();
  for (const ref of refs) {
    if (!include(ref.entity)) continue;
    const list = ids.get(ref.entity);
    if (list) list.push(ref.id);
    else ids.set(ref.entity, [ref.id]);
  }
  return ids;
}
