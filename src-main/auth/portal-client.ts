import { z } from 'zod';
import {
  RegisterDeviceResponse,
  SYNC_ROUTES,
  ServerError,
  TokenResponse,
  type SignInRequest,
} from '../../src-shared/sync';

/** Why a call to the portal backend failed, without the server's text reaching the UI unfiltered. */
export class PortalError extends Error {
  constructor(
    readonly kind: 'offline' | 'unauthorized' | 'throttled' | 'bad-answer' | 'server',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

const TIMEOUT_MS = 10_000;

/** The staff-auth calls of the portal backend; every answer is validated before use (threat model §2.4). */
export class PortalAuthClient {
  constructor(private readonly serverUrl: () => string) {}

  private async post<T extends z.ZodType>(
    route: string,
    body: unknown,
    schema: T,
    accessToken?: string,
  ): Promise<z.output<T>> {
    let res: Response;
    try {
      res = await fetch(new URL(route, this.serverUrl()), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new PortalError('offline', 'The portal backend cannot be reached');
    }
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new PortalError(
          'bad-answer',
          'The portal backend sent an answer the console does not understand',
        );
      return parsed.data;
    }
    const err = ServerError.safeParse(json);
    if (res.status === 429) {
      throw new PortalError(
        'throttled',
        'Too many attempts: wait before trying again',
        err.success ? err.data.retryAfterSeconds : 60,
      );
    }
    if (res.status === 401 || res.status === 403)
      throw new PortalError('unauthorized', 'Wrong username, password or code');
    if (res.status >= 500) throw new PortalError('server', 'The portal backend had a problem; try again');
    throw new PortalError('bad-answer', 'The portal backend refused the request');
  }

  registerDevice(name: string): Promise<string> {
    return this.post(SYNC_ROUTES.registerDevice, { name }, RegisterDeviceResponse).then((r) => r.deviceId);
  }
  signIn(request: SignInRequest): Promise<TokenResponse> {
    return this.post(SYNC_ROUTES.signIn, request, TokenResponse);
  }
  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.post(SYNC_ROUTES.refresh, { refreshToken }, TokenResponse);
  }
  /** Best effort: the server ends the session; locally it is over either way. */
  async signOut(accessToken: string): Promise<void> {
    await this.post(SYNC_ROUTES.signOut, {}, z.unknown(), accessToken).catch(() => undefined);
  }
}
