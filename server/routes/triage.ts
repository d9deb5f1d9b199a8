/**
 * issue 14a: the clinic's triage pools, configured by an admin (device credential + admin access token): name,
 * kind (clinical / administrative), the topics routed there and the SLA minutes per priority. A change is a
 * 'pool' change every console pulls. Each topic belongs to at most one pool.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SYNC_ROUTES } from '../../src-shared/sync';
import { PoolRecord } from '../../src-shared/triage';
import { authenticateAdmin } from '../auth/admin-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';

const PoolParams = z.strictObject({ poolId: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const PoolBody = PoolRecord.omit({ id: true, version: true });

const GrantParams = z.strictObject({ grantId: z.string().min(1).max(64) });

/** The newest grants GET /admin/break-glass returns. */
export const BREAK_GLASS_REPORT_LIMIT = 1000;

export function triageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // issue 14a: the admins' break-glass report (HIPAA 164.312(a)(2)(ii)): every emergency access with its stated
  // reason and the reads made under it; an admin acknowledges each after review (audited).
  app.get(SYNC_ROUTES.adminBreakGlass, async (request) => {
    await authenticateAdmin(ctx, request.headers, { action: 'read', entityType: 'audit' });
    parse(z.strictObject({}), request.query, 'query');
    return { grants: await ctx.store.breakGlassReport(BREAK_GLASS_REPORT_LIMIT) };
  });

  app.post(SYNC_ROUTES.adminAcknowledgeBreakGlass, async (request) => {
    const session = await authenticateAdmin(ctx, request.headers, { action: 'update', entityType: 'audit' });
    const { grantId } = parse(GrantParams, request.params, 'params');
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.acknowledgeBreakGlass(grantId, session.staff.id, ctx.nowIso())))
        throw new HttpError(404, 'NOT_FOUND', 'No such emergency access.');
      await ctx.audit.write({
        staffId: session.staff.id,
        role: session.staff.role,
        deviceId: session.deviceId,
        action: 'update',
        entityType: 'audit',
        entityId: grantId,
        fields: ['acknowledgedAt'],
        outcome: 'success',
        actorKind: 'staff',
      });
      return { ok: true };
    });
  });

  app.get(SYNC_ROUTES.adminPools, async (request) => {
    await authenticateAdmin(ctx, request.headers, { action: 'read', entityType: 'settings' });
    return { pools: await ctx.store.pools() };
  });

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
      await ctx.audit.write({
        staffId: session.staff.id,
        role: session.staff.role,
        deviceId: session.deviceId,
        action: before ? 'update' : 'create',
        entityType: 'settings',
        entityId: `pool:${poolId}`,
        fields: ['name', 'kind', 'topics', 'sla'],
        outcome: 'success',
        actorKind: 'staff',
      });
      return { pool };
    });
  });
}
