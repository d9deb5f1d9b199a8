/**
 * The browser host (development and tests only) refuses a wrong or missing session cookie, a foreign Origin, a
 * wrong Host and a non-loopback bind; its launch link works once and sets an HttpOnly, SameSite=Strict cookie;
 * the launcher file for a browser's command line is readable by this user only; only the connection holding the
 * session resets the idle timer. Real core and a real WebSocket client.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_PATH } from '../../src-shared/bridge-protocol';
import { demoStaff } from '../../server/demo/credentials';
import { totp } from '../../src-shared/totp';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { tempDir } from '../helpers/tmp';

let portal: TestPortal;
let clinic: TestConsole;
let host: BrowserHost;
/** The session cookie, as `name=value`, from the one use of the launch link. */
let cookie = '';
let activity = 0;
const renderer = tempDir('clinic-renderer-');

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  const url = new URL(host.origin);
  return new Promise((resolve, reject) =>
    http
      .get({ host: url.hostname, port: url.port, path: pathAndQuery, headers }, (res) => {
        res.resume();
        resolve(res);
      })
      .on('error', reject),
  );
}

beforeAll(async () => {
  fs.writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><title>t</title>');
  portal = await startPortal();
  host = await startBrowserHost({
    rendererDir: renderer.dir,
    onActivity: () => activity++,
    routerFor: async (origin) => {
      clinic = await startConsole(portal, { autoStart: false, origin });
      return clinic.core.router;
    },
  });
  const launch = new URL(host.url);
  const res = await get(launch.pathname + launch.search);
  expect(res.statusCode).toBe(303);
  const setCookie = res.headers['set-cookie']![0]!;
  expect(setCookie).toMatch(/; HttpOnly/);
  expect(setCookie).toMatch(/; SameSite=Strict/);
  cookie = setCookie.split(';')[0]!;
});
afterAll(async () => {
  await host?.close();
  await clinic?.close();
  await portal?.close();
  renderer.cleanup();
});

/** Try a bridge connection; resolves 'open' or the HTTP status the host answered with. */
function connect(options: {
  cookie?: string | null;
  origin?: string;
  host?: string;
}): Promise<'open' | number> {
  const url = new URL(host.origin);
  const c = options.cookie === undefined ? cookie : options.cookie;
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${url.host}${BRIDGE_PATH}`, {
      origin: options.origin ?? host.origin,
      headers: { ...(options.host ? { host: options.host } : {}), ...(c ? { cookie: c } : {}) },
    });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

let nextId = 1;
function call(ws: WebSocket, method: string, input: unknown): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as { kind: string; id?: number };
      if (msg.kind === 'result' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'call', id, method, input }));
  });
}

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}${BRIDGE_PATH}`, {
    origin: host.origin,
    headers: { cookie },
  });
  await new Promise((r) => ws.once('open', r));
  return ws;
}

describe('browser host', () => {
  it('accepts the session cookie from its own origin and bridges calls to the router', async () => {
    expect(await connect({})).toBe('open');
    const ws = await open();
    expect(await call(ws, 'session.status', {})).toMatchObject({ ok: true, value: { state: 'signed-out' } });
    ws.close();
  });

  it('refuses a wrong cookie and a missing cookie', async () => {
    const [name, value] = cookie.split('=') as [string, string];
    expect(await connect({ cookie: `${name}=${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}` })).toBe(
      403,
    );
    expect(await connect({ cookie: `${name}=` })).toBe(403);
    expect(await connect({ cookie: null })).toBe(403);
  });

  it('the launch link works once; a guessed or reused code gets nothing', async () => {
    const launch = new URL(host.url);
    const again = await get(launch.pathname + launch.search);
    expect(again.statusCode).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await get('/launch?code=guess')).statusCode).toBe(403);
    // Nothing secret in a URL the page can see: the launch link's code is spent, the page URL is '/'.
    expect(host.url).not.toContain(cookie.split('=')[1]);
  });

  it('writes the launcher for a browser command line to a file only this user can read', () => {
    const file = host.writeLauncher();
    try {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(file).not.toContain(new URL(host.url).searchParams.get('code')!);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('only the connection that holds the session resets the idle timer', async () => {
    const desk = await open();
    const other = await open();
    const staff = demoStaff('clinician1');
    const signedIn = await call(desk, 'auth.signIn', {
      username: 'clinician1',
      password: staff.password,
      totp: totp(staff.totpSecret, portal.clock.now()),
    });
    expect(signedIn).toMatchObject({ ok: true });
    portal.clock.advance(31_000);
    const before = activity;
    other.send(JSON.stringify({ kind: 'activity' }));
    desk.send(JSON.stringify({ kind: 'activity' }));
    // A call after the reports on each socket: messages on one socket are handled in order.
    await call(other, 'session.status', {});
    await call(desk, 'session.status', {});
    expect(activity - before).toBe(1);
    await call(desk, 'auth.signOut', {});
    desk.close();
    other.close();
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
