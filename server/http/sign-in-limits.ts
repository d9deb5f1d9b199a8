/**
 * Sign-in abuse limits (issue 10): every route that checks a password (staff sign-in, device enrolment, patient
 * portal sign-in) is limited per client address AND globally, in `onRequest` — before the body is even parsed,
 * so before any scrypt runs (each one costs ~128 MiB and a few hundred ms at N=2^17). The maintained
 * `@fastify/rate-limit` does the counting; the per-account / per-device / per-MRN throttle of
 * server/auth/throttle.ts still applies behind it.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { HttpError } from './errors';

export interface SignInLimits {
  /** Password-checking requests allowed per client address per window. */
  perAddress: number;
  /** Password-checking requests allowed from all addresses together per window. */
  global: number;
  /** Window length in ms. */
  windowMs: number;
}

/**
 * Defaults: 20 attempts a minute per address is far above what a person types and caps a single address at
 * 20 hashes a minute; 200 a minute overall bounds the hashing work to about one core at N=2^17.
 */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perAddress: 20, global: 200, windowMs: 60_000 };

/** Largest body the sign-in routes accept (a username, a password of ≤ 256 characters, a code, a name). */
export const SIGN_IN_BODY_LIMIT = 4 * 1024;

/** The sign-in guards of each route family: staff (sign-in, enrolment) and patients (portal sign-in). */
export interface SignInGuards {
  staff: onRequestHookHandler[];
  portal: onRequestHookHandler[];
}

/**
 * Registers the limiter and returns the onRequest hooks of each route family. Each family has its own per-address
 * and global budgets (review fix: a patient-portal flood must not block staff sign-in). (`app.rateLimit()` hooks
 * run only once per request, so both checks of a family go through `createRateLimit` in one hook.)
 */
export async function signInGuards(app: FastifyInstance, limits: SignInLimits): Promise<SignInGuards> {
  await app.register(rateLimit, { global: false });
  const family = (name: string): onRequestHookHandler[] => {
    const perAddress = app.createRateLimit({
      max: limits.perAddress,
      timeWindow: limits.windowMs,
      keyGenerator: (request) => `${name}:${request.ip}`,
    });
    const overall = app.createRateLimit({
      max: limits.global,
      timeWindow: limits.windowMs,
      keyGenerator: () => `${name}:all`,
    });
    const guard: onRequestHookHandler = async (request, reply) => {
      // The address first: one flooding address uses up its own budget, not everyone's.
      for (const [check, scope] of [
        [perAddress, 'from this address'],
        [overall, 'on this server'],
      ] as const) {
        const verdict = await check(request);
        if (!verdict.isAllowed && verdict.isExceeded) {
          const wait = Math.max(1, verdict.ttlInSeconds);
          void reply.header('retry-after', String(wait));
          throw new HttpError(
            429,
            'THROTTLED',
            `Too many sign-in attempts ${scope}. Try again in ${wait} seconds.`,
            wait,
          );
        }
      }
    };
    return [guard];
  };
  return { staff: family('staff-sign-in'), portal: family('portal-sign-in') };
}
