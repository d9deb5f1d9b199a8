/** Staff device enrolment, sign-in, refresh and sign-out. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RefreshRequest, RegisterDeviceRequest, SignInRequest, SYNC_ROUTES } from '../../src-shared/sync';
import { authenticateStaff, refresh, registerDevice, signIn, signOut } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { RateLimiter } from '../http/rate-limit';
import { parse } from '../http/validate';

const SignOutBody = z.strictObject({}).optional();

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const enrolments = new RateLimiter(60, 10 * 60_000, ctx.now);

  app.post(SYNC_ROUTES.registerDevice, async (request, reply) => {
    const body = parse(RegisterDeviceRequest, request.body, 'body');
    enrolments.hit(request.ip);
    return reply.code(201).send({ deviceId: await registerDevice(ctx, body.name) });
  });

  app.post(SYNC_ROUTES.signIn, async (request) => signIn(ctx, parse(SignInRequest, request.body, 'body')));

  app.post(SYNC_ROUTES.refresh, async (request) =>
    refresh(ctx, parse(RefreshRequest, request.body, 'body').refreshToken),
  );

  app.post(SYNC_ROUTES.signOut, async (request) => {
    const session = await authenticateStaff(ctx, request.headers.authorization);
    parse(SignOutBody, request.body, 'body');
    await signOut(ctx, session);
    return { ok: true };
  });
}
