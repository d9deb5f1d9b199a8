/**
 * One online call made on behalf of the signed-in person (admin availability, coverage, clinic settings, pool
 * templates): the server is the authority and repeats every check, so these calls need an online sign-in and the
 * server's refusal sentence (its own words about a rule, never patient data) reaches the person as a typed ApiError.
 * The request itself is portal-client's `portalFetch` (device credential, no redirects, bearer token, timeout).
 */
import type { z } from 'zod';
import { ApiError } from '../../src-shared/errors';
import { DEVICE_REVOKED_MESSAGE, ServerError } from '../../src-shared/sync';
import type { PortalTransport } from '../sync/transport';
import { portalFetch } from './portal-client';

export interface ServerCallDeps {
  /** The console's one transport (looked up per call: the server address may change). */
  transport: () => PortalTransport;
  /** The signed-in person's online access token, or null (signed in offline / no backend). */
  accessToken: () => Promise<string | null>;
  /** The sentence shown when there is no online sign-in, naming what needs it. */
  needsOnlineMessage: string;
}

export type ServerCall = <T extends z.ZodType>(
  method: 'PUT' | 'POST' | 'DELETE',
  route: string,
  body: unknown,
  schema: T,
) => Promise<z.output<T>>;

/** Longest server sentence passed on (characters). */
const MAX_MESSAGE = 300;

/**
 * Makes the `serverCall(method, route, body, schema)` of one capability. The answer is validated by `schema`
 * (threat model §2.4) before the caller writes it to the store.
 * @throws ApiError OFFLINE (no online sign-in: `needsOnlineMessage`; network error, timeout, refused address, or a
 *   5xx/unexpected status), INTERNAL (a 2xx answer the schema refuses), FORBIDDEN (403, device revoked),
 *   UNAUTHENTICATED (401: the token is no longer good), NOT_FOUND (404), VALIDATION (400), CONFLICT (409); the
 *   last four carry the server's sentence.
 */
export function serverCaller(deps: ServerCallDeps): ServerCall {
  return async (method, route, body, schema) => {
    const token = await deps.accessToken();
    if (token === null) throw new ApiError('OFFLINE', deps.needsOnlineMessage);
    let answer;
    try {
      answer = await portalFetch(deps.transport(), method, route, body, { accessToken: token });
    } catch {
      throw new ApiError('OFFLINE', 'The clinic server cannot be reached: try again when it is.');
    }
    const { res, json } = answer;
    if (res.ok) {
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new ApiError('INTERNAL', 'The clinic server sent an answer this console does not understand.');
      return parsed.data as z.output<typeof schema>;
    }
    const err = ServerError.safeParse(json);
    const message = err.success ? err.data.message.slice(0, MAX_MESSAGE) : 'The clinic server refused this.';
    if (err.success && err.data.error === 'DEVICE_REVOKED')
      throw new ApiError('FORBIDDEN', DEVICE_REVOKED_MESSAGE);
    if (res.status === 401) throw new ApiError('UNAUTHENTICATED', 'Sign in again to do this.');
    if (res.status === 403) throw new ApiError('FORBIDDEN', message);
    if (res.status === 404) throw new ApiError('NOT_FOUND', message);
    if (res.status === 400) throw new ApiError('VALIDATION', message);
    if (res.status === 409) throw new ApiError('CONFLICT', message);
    throw new ApiError('OFFLINE', 'The clinic server had a problem: try again.');
  };
}
