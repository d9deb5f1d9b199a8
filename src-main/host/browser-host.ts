import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BRIDGE_PATH,
  LAUNCH_PATH,
  type BridgeRequest,
  type BridgeResponse,
} from '../../src-shared/bridge-protocol';
import type { Router } from '../ipc/types';
import { hostCsp, mimeOf, resolveStaticPath } from './static-files';

export interface BrowserHostOptions {
  /**
   * The router to bridge to, made once the host's origin is known (the port may be chosen by the OS),
   * so the router can accept exactly that origin and no other.
   */
  routerFor: (origin: string) => Router | Promise<Router>;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Called for each report of user input from the page (there is no OS idle time in a browser). */
  onActivity?: () => void;
}

export interface BrowserHost {
  /**
   * The one-time launch link: opening it sets the session cookie and goes to the console. Good once and for
   * LAUNCH_CODE_TTL_MS; never put it on a command line (use writeLauncher).
   */
  url: string;
  origin: string;
  /**
   * Writes a page that opens the launch link into a new folder only this OS user can read (0700 folder, 0600
   * file), for a browser started with the file's path on its command line; returns the path. The file is removed
   * when the launch link is used or the host closes.
   */
  writeLauncher(): string;
  /** Name of the session cookie (per port: cookies do not separate ports). */
  cookieName: string;
  close(): Promise<void>;
}

/** How long the one-time launch link is good for. */
export const LAUNCH_CODE_TTL_MS = 5 * 60_000;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The value of one cookie in a Cookie header, or ''. */
function cookieValue(header: string | undefined, name: string): string {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Development and test host (DESIGN.md §3): serves the built renderer to a real browser and bridges
 * `window.clinic` over a WebSocket on loopback, guarded by a per-launch session cookie and Origin/Host checks.
 * Never part of a packaged build.
 *
 * The launch secret never appears on a command line or in a URL another local user can read (issue 11): the
 * host makes a one-time launch code, good once and for LAUNCH_CODE_TTL_MS, which `GET /launch?code=` exchanges
 * for an HttpOnly, SameSite=Strict session cookie; the WebSocket upgrade then needs that cookie. A browser
 * started by the host gets the path of a 0600 launcher file, not the code. Only the connection through which
 * the current session was opened or unlocked (the window holding the session) can reset the idle timer.
 */
export async function startBrowserHost(o: BrowserHostOptions): Promise<BrowserHost> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`The browser host binds loopback only, not ${host}`);
  if (!fs.existsSync(`${o.rendererDir}/index.html`)) {
    throw new Error(`No built renderer in ${o.rendererDir}: run "npm run build" first`);
  }
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  let launchCode: string | null = crypto.randomBytes(32).toString('base64url');
  const launchExpires = Date.now() + LAUNCH_CODE_TTL_MS;
  let launcherDir: string | null = null;
  const removeLauncher = (): void => {
    if (launcherDir) fs.rmSync(launcherDir, { recursive: true, force: true });
    launcherDir = null;
  };
  let cookieName = '';
  let origin = '';
  let hostHeader = '';
  let router: Router | null = null;

  const server = http.createServer((req, res) => {
    if (req.headers.host !== hostHeader || req.method !== 'GET') {
      res.writeHead(req.method !== 'GET' ? 405 : 421).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (url.pathname === LAUNCH_PATH) {
      const code = url.searchParams.get('code') ?? '';
      const good = launchCode !== null && Date.now() < launchExpires && sameToken(code, launchCode);
      if (!good) {
        res
          .writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
          .end('This launch link was already used or has expired: start the console again.');
        return;
      }
      launchCode = null;
      removeLauncher();
      res
        .writeHead(303, {
          'set-cookie': `${cookieName}=${sessionSecret}; HttpOnly; SameSite=Strict; Path=/`,
          location: '/',
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        })
        .end();
      return;
    }
    const file = resolveStaticPath(o.rendererDir, req.url ?? '/');
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': mimeOf(file),
      'content-security-policy': hostCsp(origin),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const presented = cookieValue(req.headers.cookie, cookieName);
    const allowed =
      router !== null &&
      req.url === BRIDGE_PATH &&
      req.headers.host === hostHeader &&
      req.headers.origin === origin &&
      sameToken(presented, sessionSecret);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  const sockets = new Set<WebSocket>();
  /** The connection through which the current session was opened or unlocked: only it reports activity. */
  let holder: WebSocket | null = null;
  function serve(ws: WebSocket): void {
    const r = router!;
    sockets.add(ws);
    const send = (msg: BridgeResponse): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = r.onEvent((event, payload) => send({ kind: 'event', event, payload }));
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
      if (holder === ws) holder = null;
    });
    ws.on('message', (data) => {
      let req: BridgeRequest;
      try {
        req = JSON.parse(String(data)) as BridgeRequest;
      } catch {
        return;
      }
      if (req?.kind === 'activity') {
        if (ws === holder) o.onActivity?.();
        return;
      }
      if (req?.kind !== 'call' || typeof req.id !== 'number') return;
      const method = String(req.method);
      void r
        .call(method, req.input, { origin, isMainFrame: true })
        .then((result) => {
          if (result.ok && (method === 'auth.signIn' || method === 'auth.unlock')) {
            // The person just typed their password in this window: that is input, and this window now holds
            // the session (its activity reports, ignored until now, count from here on).
            holder = ws;
            o.onActivity?.();
          }
          return result;
        })
        .then((result) =>
          send(
            result.ok
              ? { kind: 'result', id: req.id, ok: true, value: result.value }
              : { kind: 'result', id: req.id, ok: false, error: result.error },
          ),
        );
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '::1' ? '[::1]' : host;
  hostHeader = `${urlHost}:${port}`;
  origin = `http://${hostHeader}`;
  cookieName = `clinic-host-${port}`;
  try {
    router = await o.routerFor(origin);
  } catch (error) {
    server.close();
    throw error;
  }
  if (!router.allowedOrigins.has(origin)) {
    server.close();
    throw new Error(`The router does not accept calls from ${origin}: pass it in allowedOrigins`);
  }

  const url = `${origin}${LAUNCH_PATH}?code=${launchCode}`;
  return {
    url,
    origin,
    cookieName,
    writeLauncher() {
      removeLauncher();
      launcherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-launch-'));
      fs.chmodSync(launcherDir, 0o700);
      const file = path.join(launcherDir, 'launch.html');
      const html = `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>Clinic Console</title>`;
      fs.writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
      return file;
    },
    async close() {
      removeLauncher();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
