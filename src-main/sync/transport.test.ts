/**
 * The console's one portal transport never follows a redirect (issue 11 item 4, issue 10): a loopback server
 * answers every request with 307 to http://127.0.0.2:<port>/x, and nothing reaches that second address for
 * enrolment, sign-in, refresh, pull, push or the event stream. Real sockets on loopback, real fetch.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CREDENTIAL_HEADER } from '../../src-shared/sync';
import { PortalAuthClient, PortalError } from '../auth/portal-client';
import { SyncClient, SyncError } from './client';
import { PortalRedirectError, PortalTransport, type DeviceCredentialSource } from './transport';
import type { SyncCredentials } from './types';
import { ServerUrlError } from './url-policy';

interface Listening {
  server: http.Server;
  port: number;
  hits: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
}

async function listen(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const hits: Listening['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits } satisfies Listening;
}

const close = (s: http.Server) =>
  new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });

let target: Listening;
let redirector: Listening;
const SECRET = 'S'.repeat(43);
const device: DeviceCredentialSource = { deviceId: () => 'dev-1', deviceSecret: () => SECRET };
const credentials: SyncCredentials = {
  ...device,
  accessToken: async () => 'a'.repeat(43),
  invalidateToken: () => undefined,
};

beforeAll(async () => {
  target = await listen('127.0.0.2', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  redirector = await listen('127.0.0.1', (_req, res) => {
    res.writeHead(307, { location: `http://127.0.0.2:${target.port}/x` });
    res.end();
  });
});
afterAll(async () => {
  await close(redirector.server);
  await close(target.server);
});

describe('the portal transport refuses redirects', () => {
  it('sign-in, refresh and enrolment: a typed refusal, nothing sent to the redirect target', async () => {
    const transport = new PortalTransport({ serverUrl: () => `http://127.0.0.1:${redirector.port}`, device });
    const client = new PortalAuthClient(transport);
    const before = redirector.hits.length;
    const calls = [
      client.signIn({ username: 'u', password: 'p', totp: '123456', deviceId: 'dev-1' }),
      client.refresh('r'.repeat(43)),
      client.enrolDevice({ name: 'desk', username: 'admin', password: 'p', totp: '123456' }),
    ];
    for (const call of calls) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortalError);
      expect((error as PortalError).kind).toBe('refused-address');
    }
    expect(redirector.hits.length - before).toBe(3);
    expect(target.hits).toEqual([]);
    // The credential went only to the configured server (on enrolment too: a PC enrolled again proves its old one).
    const sent = redirector.hits.slice(before).map((h) => h.headers[DEVICE_CREDENTIAL_HEADER] ?? null);
    expect(sent).toEqual([`dev-1:${SECRET}`, `dev-1:${SECRET}`, `dev-1:${SECRET}`]);
  });

  it('sync pull, push and the event stream: a SyncError of kind client, nothing sent to the target', async () => {
    const client = new SyncClient({
      baseUrl: `http://127.0.0.1:${redirector.port}`,
      credentials,
      fetchImpl: fetch,
      requestTimeoutMs: 5_000,
    });
    const signal = new AbortController().signal;
    const attempts: (() => Promise<unknown>)[] = [
      () => client.pull('0', 10, signal),
      () =>
        client.push(
          {
            deviceId: 'dev-1',
            mutations: [
              {
                id: '01890a5d-ac96-774b-bcce-b302099a8057',
                entityId: 'thr-1',
                baseVersion: 1,
                createdAt: '2026-01-01T00:00:00.000Z',
                staffId: 'stf-1',
                mutation: { op: 'thread.setStatus', status: 'done' },
              },
            ],
          },
          signal,
        ),
      () => client.events(signal),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncError);
      expect(error).toMatchObject({ kind: 'client', status: 307, code: 'REDIRECT' });
    }
    expect(target.hits).toEqual([]);
  });

  it('the transport itself: 3xx is a PortalRedirectError; a policy-refused address is never contacted', async () => {
    const transport = new PortalTransport({ serverUrl: () => `http://127.0.0.1:${redirector.port}`, device });
    await expect(transport.fetch('/healthz')).rejects.toBeInstanceOf(PortalRedirectError);
    const plainRemote = new PortalTransport({ serverUrl: () => 'http://portal.example.org', device });
    await expect(plainRemote.fetch('/healthz')).rejects.toBeInstanceOf(ServerUrlError);
    expect(target.hits).toEqual([]);
  });
});
