/**
 * Session 7, sec7 (review 7 U9): an admin deactivates or reactivates a staff account. The account's record is a
 * 'staff' change every console pulls (`active`), so a deactivated person's running session ends on every PC and
 * no PC lets them sign in offline any more; the server itself refuses their tokens, sign-ins and pushed changes
 * from that moment (server/auth/staff-auth.ts, server/sync/apply.ts: DESIGN §5, trust lives on the server).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SYNC_ROUTES } from '../../src-shared/sync';
import { auditChange, authenticateAdmin } from '../auth/admin-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';
import { releaseThread } from '../triage/release';

const StaffParams = z.strictObject({ staffId: z.string().min(1).max(64) });
const ActiveBody = z.strictObject({ active: z.boolean() });

/** Threads released per read while a deactivation hands back the person's open threads. */
const RELEASE_BATCH = 500;

/**
 * PUT /admin/staff/:staffId/active `{ active }` → `{ staff }` (admin token). Audited as an update of the staff
 * record naming the field 'active' (only when it changed). A deactivation also releases every open thread the
 * person holds (each audited, version bumped, pulled), so none sits in a "Mine" queue nobody can work (the kind
 * of review 7 R5/R10).
 * Errors: 403 (not an admin; the refusal is audited), 404 unknown staff id, 409 an admin deactivating their own
 * account (the clinic could lose its last admin), 400 malformed body.
 */
export function staffAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.put(SYNC_ROUTES.adminStaffActive, async (request) => {
    const params = parse(StaffParams, request.params, 'params');
    const session = await authenticateAdmin(ctx, request.headers, {
      action: 'update',
      entityType: 'staff',
      entityId: params.staffId,
    });
    const { active } = parse(ActiveBody, request.body, 'body');
    if (params.staffId === session.staff.id && !active)
      throw new HttpError(409, 'CONFLICT', 'You cannot deactivate your own account: ask another admin.');
    return ctx.store.transaction(async () => {
      const before = await ctx.store.staff(params.staffId);
      if (!before) throw new HttpError(404, 'NOT_FOUND', 'No such staff member.');
      const staff = await ctx.store.setStaffActive(params.staffId, active, ctx.nowIso());
      if (!staff || staff.version === before.version) return { staff: staff ?? before };
      await auditChange(ctx, session, {
        action: 'update',
        entityType: 'staff',
        entityId: staff.id,
        fields: ['active'],
      });
      if (!active) {
        for (;;) {
          const held = await ctx.store.openThreadsAssignedTo(staff.id, RELEASE_BATCH);
          for (const thread of held) await releaseThread(ctx, session, thread);
          if (held.length < RELEASE_BATCH) break;
        }
      }
      return { staff };
    });
  });
}
