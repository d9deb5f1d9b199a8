/**
 * The ONE way the console talks to the portal backend (issue 10, issue 11 item 4): staff sign-in, refresh,
 * device enrolment and admin calls (src-main/auth/portal-client.ts) and sync pull / push / event stream
 * (src-main/sync/client.ts) all go through `PortalTransport.fetch`, which
 *  - checks the server address with the transmission-security policy (url-policy.ts) on every request,
 *  - adds the enrolled device's credential header (`x-clinic-device: <id>:<secret>`, src-shared/sync.ts),
 *  - never follows a redirect (`redirect: 'manual'`): a 3xx is a typed PortalRedirectError, so neither the
 *    credential nor a token nor a body can be carried to another address,
 *  - tells the device source when the server says the device was revoked.
 */
import { DEVICE_CREDENTIAL_HEADER, DEVICE_STATUS_HEADER } from '../../src-shared/sync';
import { assertServerUrl } from './url-policy';

/** Where the device credential comes from (the auth service; test credentials in tests). */
export interface DeviceCredentialSource {
  /** This device's server-issued id; null before enrolment. */
  deviceId(): string | null;
  /** The device secret (kept only in the encrypted store); null before enrolment. */
  deviceSecret?(): string | null;
  /** Called when the server answers 403 DEVICE_REVOKED: an admin removed this PC. */
  deviceRevoked?(): void;
}

/** The server answered with a redirect; the console never follows one (transmission security, DESIGN §2.4). */
export class PortalRedirectError extends Error {
  constructor(readonly status: number) {
    super(
      'The server answered with a redirect, which the console does not follow: check the server address.',
    );
    this.name = 'PortalRedirectError';
  }
}

export interface PortalTransportOptions {
  /** The portal server address as configured (checked with assertServerUrl on each request). */
  serverUrl: () => string;
  device: DeviceCredentialSource;
  fetchImpl?: typeof fetch;
}

export interface TransportInit extends Omit<RequestInit, 'redirect'> {
  /** Send the device credential (default true; enrolment has none yet). */
  withDevice?: boolean;
}

export class PortalTransport {
  constructor(private readonly o: PortalTransportOptions) {}

  /**
   * One request to `path` (starting with '/') on the configured server.
   * @throws ServerUrlError (address refused by the policy), PortalRedirectError (any 3xx), or what fetch throws
   *   (network failure, abort).
   */
  async fetch(path: string, init: TransportInit = {}): Promise<Response> {
    if (!path.startsWith('/')) throw new TypeError('portal paths start with /');
    const base = assertServerUrl(this.o.serverUrl());
    const { withDevice = true, ...rest } = init;
    const headers = new Headers(rest.headers);
    const id = this.o.device.deviceId();
    const secret = this.o.device.deviceSecret?.() ?? null;
    if (withDevice && id !== null && secret !== null)
      headers.set(DEVICE_CREDENTIAL_HEADER, `${id}:${secret}`);
    const res = await (this.o.fetchImpl ?? fetch)(base + path, { ...rest, headers, redirect: 'manual' });
    if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect') {
      await res.body?.cancel().catch(() => undefined);
      throw new PortalRedirectError(res.status);
    }
    if (res.status === 403 && res.headers.get(DEVICE_STATUS_HEADER) === 'revoked')
      this.o.device.deviceRevoked?.();
    return res;
  }

  /**
   * Where `fetch(path)` would send a request and the credential header it would add, for a worker thread that
   * sends the same GET itself (issue 16: the pull feed, pull-feed.ts); null when this transport sends through an
   * injected fetch (tests), which a worker cannot use. The worker must refuse redirects as fetch() does.
   * @throws ServerUrlError (address refused by the policy).
   */
  requestSpec(path: string): { url: string; headers: Record<string, string> } | null {
    if (this.o.fetchImpl !== undefined && this.o.fetchImpl !== globalThis.fetch) return null;
    const url = assertServerUrl(this.o.serverUrl()) + path;
    const headers: Record<string, string> = {};
    const id = this.o.device.deviceId();
    const secret = this.o.device.deviceSecret?.() ?? null;
    if (id !== null && secret !== null) headers[DEVICE_CREDENTIAL_HEADER] = `${id}:${secret}`;
    return { url, headers };
  }

  /** True when a device credential would be sent (enrolled, secret present). */
  hasDeviceCredential(): boolean {
    return this.o.device.deviceId() !== null && (this.o.device.deviceSecret?.() ?? null) !== null;
  }
}
