/**
 * The browser host (development and tests only) refuses a wrong or missing token, a foreign Origin, a wrong Host
 * and a non-loopback bind. Real core and a real WebSocket client.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_PATH, BRIDGE_TOKEN_PROTOCOL_PREFIX } from '../../src-shared/bridge-protocol';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { tempDir } from '../helpers/tmp';

let portal: TestPortal;
let clinic: TestConsole;
let host: BrowserHost;
const renderer = tempDir('clinic-renderer-');

beforeAll(async () => {
  fs.writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><title>t</title>');
  portal = await startPortal();
  host = await startBrowserHost({
    rendererDir: renderer.dir,
    routerFor: async (origin) => {
      clinic = await startConsole(portal, { autoStart: false, origin });
      return clinic.core.router;
    },
  });
});
afterAll(async () => {
  await host?.close();
  await clinic?.close();
  await portal?.close();
  renderer.cleanup();
});

/** Try a bridge connection; resolves 'open' or the HTTP status the host answered with. */
function connect(options: {
  token?: string | null;
  origin?: string;
  host?: string;
}): Promise<'open' | number> {
  const url = new URL(host.origin);
  const protocols =
    options.token === null ? [] : [BRIDGE_TOKEN_PROTOCOL_PREFIX + (options.token ?? host.token)];
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${url.host}${BRIDGE_PATH}`, protocols, {
      origin: options.origin ?? host.origin,
      headers: options.host ? { host: options.host } : {},
    });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

function call(ws: WebSocket, method: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { kind: string; id?: number };
      if (msg.kind === 'result' && msg.id === 1) resolve(msg);
    });
    ws.send(JSON.stringify({ kind: 'call', id: 1, method, input }));
  });
}

describe('browser host', () => {
  it('accepts the right token from its own origin and bridges calls to the router', async () => {
    expect(await connect({})).toBe('open');
    const ws = new WebSocket(
      `${host.origin.replace('http', 'ws')}${BRIDGE_PATH}`,
      [BRIDGE_TOKEN_PROTOCOL_PREFIX + host.token],
      {
        origin: host.origin,
      },
    );
    await new Promise((r) => ws.once('open', r));
    expect(await call(ws, 'session.status', {})).toMatchObject({ ok: true, value: { state: 'signed-out' } });
    ws.close();
  });

  it('refuses a wrong token and a missing token', async () => {
    expect(await connect({ token: host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A') })).toBe(
      403,
    );
    expect(await connect({ token: '' })).toBe(403);
    expect(await connect({ token: null })).toBe(403);
  });

  it('refuses a foreign Origin and a rebinding Host', async () => {
    expect(await connect({ origin: 'https://evil.example' })).toBe(403);
    expect(await connect({ origin: 'null' })).toBe(403);
    expect(await connect({ host: `evil.example:${new URL(host.origin).port}` })).toBe(403);
  });

  it('serves pages only for its own Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) => {
      const url = new URL(host.origin);
      http
        .get({ host: url.hostname, port: url.port, path: '/', headers: { host: 'evil.example' } }, (res) =>
          resolve(res.statusCode ?? 0),
        )
        .on('error', () => resolve(0));
    });
    expect(status).toBe(421);
  });

  it.each(['0.0.0.0', '192.0.2.10', '::'])('refuses to bind %s', async (bindHost) => {
    await expect(
      startBrowserHost({ rendererDir: renderer.dir, host: bindHost, routerFor: () => clinic.core.router }),
    ).rejects.toThrow(/loopback only/);
  });
});
