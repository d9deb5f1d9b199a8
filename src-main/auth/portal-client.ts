import { BreakGlassReportResponse, type BreakGlassGrant } from '../../src-shared/triage';
import { z } from 'zod';
import {
  AuditAlertsResponse,
  DeviceListResponse,
  RegisterDeviceResponse,
  SYNC_ROUTES,
  ServerError,
  TokenResponse,
  type AuditAlertRecord,
  type EnrolledDevice,
  type RegisterDeviceRequest,
  type SignInRequest,
} from '../../src-shared/sync';
import { PortalRedirectError, type PortalTransport } from '../sync/transport';
import { ServerUrlError } from '../sync/url-policy';

/** Why a call to the portal backend failed, without the server's text reaching the UI unfiltered. */
export class PortalError extends Error {
  constructor(
    readonly kind:
      | 'offline'
      | 'unauthorized'
      | 'throttled'
      | 'bad-answer'
      | 'server'
      | 'forbidden'
      /** The server does not know this PC (or its credential is wrong): enrol it. */
      | 'not-enrolled'
      /** An admin removed this PC (403 DEVICE_REVOKED). */
      | 'device-revoked'
      /** The server answered with a redirect or the address is refused by policy. */
      | 'refused-address',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

const TIMEOUT_MS = 10_000;

/** What one portal request answered: the response (any status) and its body parsed as JSON (null when not JSON). */
export interface PortalAnswer {
  res: Response;
  json: unknown;
}

/**
 * One JSON request to the portal backend through the console's PortalTransport (device credential, no redirects,
 * URL policy): `accept` and (with a body) `content-type` JSON, the bearer token when given, a 10 s timeout.
 * The caller maps the status and validates `json` with its schema (threat model §2.4).
 * @throws PortalError 'refused-address' (a redirect or an address the policy refuses), 'offline' (network error,
 *   timeout).
 */
export async function portalFetch(
  transport: PortalTransport,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  route: string,
  body: unknown,
  options: { accessToken?: string; withDevice?: boolean } = {},
): Promise<PortalAnswer> {
  let res: Response;
  try {
    res = await transport.fetch(route, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      withDevice: options.withDevice ?? true,
    });
  } catch (error) {
    if (error instanceof PortalRedirectError || error instanceof ServerUrlError)
      throw new PortalError('refused-address', error.message);
    throw new PortalError('offline', 'The portal backend cannot be reached');
  }
  const json: unknown = await res.json().catch(() => null);
  return { res, json };
}

/**
 * The staff-auth and admin calls of the portal backend, all through the console's one PortalTransport (device
 * credential, no redirects, URL policy). Every answer is validated before use (threat model §2.4).
 */
export class PortalAuthClient {
  constructor(private readonly transport: PortalTransport) {}

  private async request<T extends z.ZodType>(
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    schema: T,
    options: { accessToken?: string; withDevice?: boolean } = {},
  ): Promise<z.output<T>> {
    const { res, json } = await portalFetch(this.transport, method, route, body, options);
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
    const code = err.success ? err.data.error : null;
    if (res.status === 429) {
      throw new PortalError(
        'throttled',
        'Too many attempts: wait before trying again',
        err.success ? err.data.retryAfterSeconds : 60,
      );
    }
    if (code === 'DEVICE_REVOKED')
      throw new PortalError(
        'device-revoked',
        'This PC was removed from the clinic: ask IT to enrol it again.',
      );
    if (code === 'UNKNOWN_DEVICE')
      throw new PortalError(
        'not-enrolled',
        'This PC is not enrolled with the clinic server: ask IT to enrol it.',
      );
    if (res.status === 401) throw new PortalError('unauthorized', 'Wrong username, password or code');
    if (res.status === 403) throw new PortalError('forbidden', 'Not allowed for this account');
    if (res.status >= 500) throw new PortalError('server', 'The portal backend had a problem; try again');
    throw new PortalError('bad-answer', 'The portal backend refused the request');
  }

  /**
   * Enrol this PC with an admin's full sign-in; the answer's secret must go straight to the encrypted store. A PC
   * enrolled before (revoked) sends its old credential, so the server carries its staff sign-ins over.
   */
  enrolDevice(request: RegisterDeviceRequest): Promise<RegisterDeviceResponse> {
    return this.request('POST', SYNC_ROUTES.registerDevice, request, RegisterDeviceResponse);
  }
  signIn(request: SignInRequest): Promise<TokenResponse> {
    return this.request('POST', SYNC_ROUTES.signIn, request, TokenResponse);
  }
  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.request('POST', SYNC_ROUTES.refresh, { refreshToken }, TokenResponse);
  }
  /** Best effort: the server ends the session; locally it is over either way. */
  async signOut(accessToken: string): Promise<void> {
    await this.request('POST', SYNC_ROUTES.signOut, {}, z.unknown(), { accessToken }).catch(() => undefined);
  }
  /** Admin: every enrolled device. */
  async listDevices(accessToken: string): Promise<EnrolledDevice[]> {
    return (
      await this.request('GET', SYNC_ROUTES.adminDevices, undefined, DeviceListResponse, { accessToken })
    ).devices;
  }
  /** Admin: revoke a device (its tokens end at once). */
  async revokeDevice(accessToken: string, deviceId: string): Promise<void> {
    const route = SYNC_ROUTES.adminRevokeDevice.replace(':deviceId', encodeURIComponent(deviceId));
    await this.request('POST', route, {}, z.unknown(), { accessToken });
  }
  /** Admin (issue 14a): the break-glass report, newest first. */
  async breakGlassReport(accessToken: string): Promise<BreakGlassGrant[]> {
    return (
      await this.request('GET', SYNC_ROUTES.adminBreakGlass, undefined, BreakGlassReportResponse, {
        accessToken,
      })
    ).grants;
  }
  /** Admin (issue 14a): mark an emergency access reviewed. */
  async acknowledgeBreakGlass(accessToken: string, grantId: string): Promise<void> {
    const route = SYNC_ROUTES.adminAcknowledgeBreakGlass.replace(':grantId', encodeURIComponent(grantId));
    await this.request('POST', route, {}, z.unknown(), { accessToken });
  }
  /** Admin: audit-integrity alerts, newest first. */
  async auditAlerts(accessToken: string): Promise<AuditAlertRecord[]> {
    return (
      await this.request('GET', SYNC_ROUTES.adminAuditAlerts, undefined, AuditAlertsResponse, { accessToken })
    ).alerts;
  }
}
