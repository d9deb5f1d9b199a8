/** Staff device enrolment (by an admin's sign-in), sign-in, refresh and sign-out. */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { RefreshRequest, RegisterDeviceRequest, SignInRequest, SYNC_ROUTES } from '../../src-shared/sync';
import { authenticateDevice, enrolDevice, provenDevice } from '../auth/devices';
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
  // Sign-in proves the device first (one SHA-256): requests without an enrolled device's credential never use
  // up the staff sign-in budget (review fix).
  const deviceFirst: onRequestHookHandler = async (request) => {
    await authenticateDevice(ctx, request.headers);
  };
  const enrolRoute = { onRequest: guards, bodyLimit: SIGN_IN_BODY_LIMIT };
  const signInRoute = { onRequest: [deviceFirst, ...guards], bodyLimit: SIGN_IN_BODY_LIMIT };
  const enrolments = new RateLimiter(60, 10 * 60_000, ctx.now);

  // Enrolment: an admin's full sign-in (password + TOTP) on the PC being enrolled; no device credential yet.
  app.post(SYNC_ROUTES.registerDevice, enrolRoute, async (request, reply) => {
    enrolments.hit(request.ip);
    const body = parse(RegisterDeviceRequest, request.body, 'body');
    const admin = await verifyStaffCredentials(
      ctx,
      body,
      'enrolment',
      `enrol-address:${request.ip}`,
      'enrol',
    );
    return reply
      .code(201)
      .send(await enrolDevice(ctx, admin, body, await provenDevice(ctx, request.headers)));
  });

  app.post(SYNC_ROUTES.signIn, signInRoute, async (request) => {
    const device = await authenticateDevice(ctx, request.headers);
    return signIn(ctx, parse(SignInRequest, request.body, 'body'), device);
  });

  app.post(SYNC_ROUTES.refresh, { bodyLimit: SIGN_IN_BODY_LIMIT }, async (request) => {
    const device = await authenticateDevice(ctx, request.headers);
    return refresh(ctx, parse(RefreshRequest, request.body, 'body').refreshToken, device);
  });

  app.post(SYNC_ROUTES.signOut, async (request) => {
    const session = await authenticateStaff(ctx, request.headers);
    parse(SignOutBody, request.body, 'body');
    await signOut(ctx, session);
    return { ok: true };
  });
}
