/**
 * Session 8, s8rec (closing note 7, D6): a thread released from its holder, the one way both admin routes that
 * release threads do it (a deactivation, server/routes/staff.ts; a pool changing kind, server/routes/triage.ts).
 */
import type { ThreadRecord } from '../../src-shared/domain';
import { auditChange } from '../auth/admin-auth';
import type { StaffSession } from '../auth/staff-auth';
import type { ServerContext } from '../context';

/**
 * Releases `thread` from its holder on the admin's behalf: `assigneeId` null, `updatedAt` the server's now (UTC
 * instant), version + 1, so every console pulls it back into the pool's unassigned queue; audited as an update
 * of the thread naming the field `assigneeId`, attributed to `session` (DESIGN §7: field names, never values).
 * Runs inside the caller's store transaction; store errors propagate.
 */
export async function releaseThread(
  ctx: ServerContext,
  session: StaffSession,
  thread: ThreadRecord,
): Promise<void> {
  await ctx.store.updateThread({
    ...thread,
    assigneeId: null,
    updatedAt: ctx.nowIso(),
    version: thread.version + 1,
  });
  await auditChange(ctx, session, {
    action: 'update',
    entityType: 'thread',
    entityId: thread.id,
    fields: ['assigneeId'],
  });
}
