import type { PoolKind } from '../../../../src-shared/triage';
import { roleMayReadPool } from '../../../../src-shared/triage';
import type { ColleagueView } from '../../../../src-shared/views';

/**
 * The colleagues "Assign to…" offers for a thread of a pool of `poolKind`: active accounts (review 7 U3: the
 * core and the server refuse a deactivated one) whose role may work the pool (review 6 D9), admins only for
 * themselves. Order kept (`staff.list` sorts by name).
 */
export function assignableColleagues(
  staff: readonly ColleagueView[],
  meId: string | undefined,
  poolKind: PoolKind | undefined,
): ColleagueView[] {
  return staff.filter(
    (s) => s.active && (s.role !== 'admin' || s.id === meId) && roleMayReadPool(s.role, poolKind),
  );
}
