/** Console sync: cursor pull, mutation push, the SSE poke stream, and a record's server audit trail. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditEntityType } from '../../src-shared/domain';
import { PushRequest, SYNC_ROUTES } from '../../src-shared/sync';
import { authenticateStaff, sessionStillValid } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';
import { applyPush } from '../sync/apply';
import type { PokeHub } from '../sync/hub';
import { PullQuery, pull } from '../sync/pull';

export const AuditForEntityQuery = z.strictObject({
  entityType: AuditEntityType,
  entityId: z.string().min(1).max(64),
});

export function syncRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  hub: PokeHub,
  logError: (line: string) => void,
): void {
  app.get(SYNC_ROUTES.pull, async (request) => {
    await authenticateStaff(ctx, request.headers.authorization);
    return pull(ctx.store, parse(PullQuery, request.query, 'query'));
  });

  app.post(SYNC_ROUTES.push, async (request) => {
    const session = await authenticateStaff(ctx, request.headers.authorization);
    const body = parse(PushRequest, request.body, 'body');
    if (body.deviceId !== session.deviceId) {
      throw new HttpError(403, 'FORBIDDEN', 'Mutations can only be pushed by the device that signed in.');
    }
    const results = await applyPush(ctx, body.deviceId, body.mutations, (err) =>
      logError(`push: mutation failed: ${(err as Error | null)?.name ?? 'unknown'}`),
    );
    return { results };
  });

  app.get(SYNC_ROUTES.events, async (request, reply) => {
    const session = await authenticateStaff(ctx, request.headers.authorization);
    parse(z.strictObject({}), request.query, 'query');
    reply.hijack();
    await hub.open(reply.raw, () => sessionStillValid(ctx, session.tokenHash));
  });

  app.get(SYNC_ROUTES.auditForEntity, async (request) => {
    await authenticateStaff(ctx, request.headers.authorization);
    const query = parse(AuditForEntityQuery, request.query, 'query');
    return { events: await ctx.store.auditForEntity(query.entityType, query.entityId, 1000) };
  });
}
