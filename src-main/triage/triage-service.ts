/**
 * Triage pools in the inbox (issue 14a): the pools with their queue sizes, re-routing a thread, and the SLA
 * escalation sweep (an open thread past its due time gets the overdue badge and joins its pool's urgent queue).
 */
import type { StaffRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import { roleMayReadPool } from '../../src-shared/triage';
import type { PoolView } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import type { Store } from '../store/store';
import { recordLocalMutation } from '../sync/local-mutations';

export class TriageService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
  ) {}

  /** Escalates overdue threads as of now (idempotent, one indexed UPDATE); called before queues are read. */
  escalate(): string[] {
    return this.store.threads.escalateOverdue(new Date(this.clock.now()).toISOString());
  }

  /** The clinic's pools as the inbox shows them, with open / urgent (incl. overdue) counts. */
  pools(staff: StaffRecord): PoolView[] {
    this.escalate();
    const counts = this.store.threads.poolCounts();
    return this.store.pools.list().map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      topics: [...p.topics],
      sla: p.sla,
      readable: roleMayReadPool(staff.role, p.kind),
      open: counts.get(p.id)?.open ?? 0,
      urgent: counts.get(p.id)?.urgent ?? 0,
    }));
  }

  /**
   * Moves a thread to another pool (written with its outbox row; the server re-checks the role rule).
   * @throws ApiError NOT_FOUND for an unknown thread or pool.
   */
  route(staff: StaffRecord, threadId: string, poolId: string): void {
    const thread = this.store.threads.byId(threadId);
    if (!thread) throw new ApiError('NOT_FOUND', 'This thread is not on this PC.');
    if (!this.store.pools.byId(poolId)) throw new ApiError('NOT_FOUND', 'No such pool.');
    recordLocalMutation(this.store, this.clock, {
      entity: 'thread',
      entityId: threadId,
      baseVersion: thread.version,
      staffId: staff.id,
      mutation: { op: 'thread.route', poolId },
    });
    this.afterWrite();
  }
}
