/** Staff device enrolment (by an admin's sign-in), sign-in, refresh and sign-out. */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { RefreshRequest, RegisterDeviceRequest, SignInRequest, SYNC_ROUTES } from '../../src-shared/sync';
import { authenticateDevice, enrolDevice } from '../auth/devices';
import { authenticateStaff, refresh, signIn, signOut, verifyStaffCredentials } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { RateLimiter } from '../http/rate-limit';
import { SIGN_IN_BODY_LIMIT } from '../http/sign-in-limits';
import { parse } from '../http/validate';

const SignOutBody = z.strictObject({}).optional();

/**
 * @param guards the sign-in abuse limits (per address, global), run before the body is parsed and any hashing
 */
export function authRoutes(app: FastifyInstance, ctx: ServerContext, guards: onRequestHookHandler[]): void {
  const signInRoute = { onRequest: guards, bodyLimit: SIGN_IN_BODY_LIMIT };
  const enrolments = new RateLimiter(60, 10 * 60_000, ctx.now);

  // Enrolment: an admin's full sign-in (password + TOTP) on the PC being enrolled; no device credential yet.
  app.post(SYNC_ROUTES.registerDevice, signInRoute, async (request, reply) => {
    enrolments.hit(request.ip);
    const body = parse(RegisterDeviceRequest, request.body, 'body');
    const admin = await verifyStaffCredentials(ctx, body, 'enrolment', `enrol:${request.ip}`);
    return reply.code(201).send(enrolDevice(ctx, admin, body));
  });

  app.post(SYNC_ROUTES.signIn, signInRoute, async (request) => {
    const device = authenticateDevice(ctx, request.headers);
    return signIn(ctx, parse(SignInRequest, request.body, 'body'), device);
  });

  app.post(SYNC_ROUTES.refresh, { bodyLimit: SIGN_IN_BODY_LIMIT }, async (request) => {
    const device = authenticateDevice(ctx, request.headers);
    return refresh(ctx, parse(RefreshRequest, request.body, 'body').refreshToken, device);
  });

  app.post(SYNC_ROUTES.signOut, async (request) => {
    const session = authenticateStaff(ctx, request.headers);
    parse(SignOutBody, request.body, 'body');
    signOut(ctx, session);
    return { ok: true };
  });
}
