/**
 * Session 8, sec8 (review 8, unconfirmed suspicion 3): a bound on the refused record reads one PC can make the
 * server record. Each refused read of a clinical thread is an audit event on that thread's own trail (DESIGN §7:
 * "refused attempts on a record" are covered, so the patient's trail answers who tried to look them up), and
 * `POST /sync/records` takes 100 ids a request: without a bound, a modified console (or an insider's script)
 * sending clinical ids as a receptionist, requests in parallel, wrote 100 events per request into the
 * tamper-evident log, without end. An honest console never asks for bodies its person's role may not read
 * (src-main/sync/engine.ts fetches withheld bodies only for a role allowed them), so it meets this only in a
 * race with a re-route. `@fastify/rate-limit` (already the sign-in limiter, server/http/sign-in-limits.ts) does
 * the counting, one hit per refused id, per enrolled device; in-process (several PostgreSQL-backed instances
 * each allow the budget).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

export interface RefusalLimits {
  /** Refused record reads (each audited) allowed per device per window. */
  perDevice: number;
  /** Window length in ms. */
  windowMs: number;
}

/** 100 a minute: one whole batch of a console that asked before a re-route reached it, then a pause. */
export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = { perDevice: 100, windowMs: 60_000 };

/**
 * Charges one refused read of `deviceId` (call before writing its audit event).
 * @throws HttpError 429 THROTTLED (answered with Retry-After, server/http/errors.ts) once the device's budget is
 *   spent: the read is then neither answered nor recorded.
 */
export type ChargeRefusal = (request: FastifyRequest, deviceId: string) => Promise<void>;

/** The device each request charges (the limiter's key is taken from the request). */
const deviceOf = new WeakMap<FastifyRequest, string>();

/** Creates the limiter on `app` (the @fastify/rate-limit plugin must be registered: server/app.ts does it first). */
export function refusalBudget(app: FastifyInstance, limits: RefusalLimits): ChargeRefusal {
  const check = app.createRateLimit({
    max: limits.perDevice,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `refused-read:${deviceOf.get(request) ?? ''}`,
  });
  return async (request, deviceId) => {
    deviceOf.set(request, deviceId);
    const verdict = await check(request);
    if (!verdict.isAllowed && verdict.isExceeded) {
      const wait = Math.max(1, verdict.ttlInSeconds);
      throw new HttpError(
        429,
        'THROTTLED',
        `Too many refused record reads from this PC. Try again in ${wait} seconds.`,
        wait,
      );
    }
  };
}
