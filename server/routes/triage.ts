/**
 * issue 14a: the clinic's triage pools, configured by an admin (device credential + admin access token): name,
 * kind (clinical / administrative), the topics routed there and the SLA minutes per priority. A change is a
 * 'pool' change every console pulls. Each topic belongs to at most one pool.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SYNC_ROUTES } from '../../src-shared/sync';
import type { Role } from '../../src-shared/domain';
import { PoolRecord, roleMayReadPool } from '../../src-shared/triage';
import { adminRead, auditChange, authenticateAdmin, changedFields } from '../auth/admin-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';
import { releaseThread } from '../triage/release';

const PoolParams = z.strictObject({ poolId: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const PoolBody = PoolRecord.omit({ id: true, version: true });

const GrantParams = z.strictObject({ grantId: z.string().min(1).max(64) });

/** The newest grants GET /admin/break-glass returns. */
export const BREAK_GLASS_REPORT_LIMIT = 1000;

export function triageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // issue 14a: the admins' break-glass report (HIPAA 164.312(a)(2)(ii)): every emergency access with its stated
  // reason and the reads made under it; an admin acknowledges each after review (audited).
  app.get(SYNC_ROUTES.adminBreakGlass, async (request) =>
    adminRead(ctx, request.headers, { entityType: 'audit', entityId: 'break-glass-report' }, async () => {
      parse(z.strictObject({}), request.query, 'query');
      return { grants: await ctx.store.breakGlassReport(BREAK_GLASS_REPORT_LIMIT) };
    }),
  );

  app.post(SYNC_ROUTES.adminAcknowledgeBreakGlass, async (request) => {
    const session = await authenticateAdmin(ctx, request.headers, { action: 'update', entityType: 'audit' });
    const { grantId } = parse(GrantParams, request.params, 'params');
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.acknowledgeBreakGlass(grantId, session.staff.id, ctx.nowIso())))
        throw new HttpError(404, 'NOT_FOUND', 'No such emergency access.');
      await auditChange(ctx, session, {
        action: 'update',
        entityType: 'audit',
        entityId: grantId,
        fields: ['acknowledgedAt'],
      });
      return { ok: true };
    });
  });

  app.get(SYNC_ROUTES.adminPools, async (request) =>
    adminRead(ctx, request.headers, { entityType: 'settings', entityId: 'pools' }, async () => ({
      pools: await ctx.store.pools(),
    })),
  );

  app.put(SYNC_ROUTES.adminPool, async (request) => {
    const session = await authenticateAdmin(ctx, request.headers, {
      action: 'update',
      entityType: 'settings',
    });
    const { poolId } = parse(PoolParams, request.params, 'params');
    const body = parse(PoolBody, request.body, 'body');
    return ctx.store.transaction(async () => {
      const pools = await ctx.store.pools();
      const taken = pools.find((p) => p.id !== poolId && p.topics.some((t) => body.topics.includes(t)));
      if (taken)
        throw new HttpError(409, 'CONFLICT', `A topic of this pool is already routed to ${taken.name}.`);
      const before = pools.find((p) => p.id === poolId);
      const pool: PoolRecord = { id: poolId, ...body, version: (before?.version ?? 0) + 1 };
      await ctx.store.upsertPool(pool);
      await auditChange(ctx, session, {
        action: before ? 'update' : 'create',
        entityType: 'settings',
        entityId: `pool:${poolId}`,
        fields: changedFields(before, pool, ['name', 'kind', 'topics', 'sla']),
      });
      // A pool turned clinical leaves none of its threads with someone whose role may not work it (review 7 R10,
      // as a route does: R5): each is released, audited, and pulled by every console.
      if (before && before.kind !== pool.kind) {
        const roles = new Map<string, Role | null>();
        for (const thread of await ctx.store.openAssignedThreadsOfPool(poolId)) {
          const holder = thread.assigneeId!;
          if (!roles.has(holder)) roles.set(holder, (await ctx.store.staff(holder))?.role ?? null);
          const role = roles.get(holder);
          if (role === null || role === undefined || roleMayReadPool(role, pool.kind)) continue;
          await releaseThread(ctx, session, thread);
        }
      }
      return { pool };
    });
  });
}
