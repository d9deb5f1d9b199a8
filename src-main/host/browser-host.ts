import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BRIDGE_PATH,
  BRIDGE_TOKEN_PROTOCOL_PREFIX,
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
  /** Open this in Chromium: it carries the per-launch token in the fragment. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Development and test host (DESIGN.md §3): serves the built renderer to a real browser and bridges
 * `window.clinic` over a WebSocket on loopback, guarded by a per-launch token and Origin/Host checks.
 * Never part of a packaged build.
 */
export async function startBrowserHost(o: BrowserHostOptions): Promise<BrowserHost> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`The browser host binds loopback only, not ${host}`);
  if (!fs.existsSync(`${o.rendererDir}/index.html`)) {
    throw new Error(`No built renderer in ${o.rendererDir}: run "npm run build" first`);
  }
  const token = crypto.randomBytes(32).toString('base64url');
  let origin = '';
  let hostHeader = '';
  let router: Router | null = null;

  const server = http.createServer((req, res) => {
    if (req.headers.host !== hostHeader || req.method !== 'GET') {
      res.writeHead(req.method !== 'GET' ? 405 : 421).end();
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

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => {
      for (const p of protocols) if (p.startsWith(BRIDGE_TOKEN_PROTOCOL_PREFIX)) return p;
      return false;
    },
  });

  server.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith(BRIDGE_TOKEN_PROTOCOL_PREFIX));
    const presented = offered?.slice(BRIDGE_TOKEN_PROTOCOL_PREFIX.length) ?? '';
    const allowed =
      router !== null &&
      req.url === BRIDGE_PATH &&
      req.headers.host === hostHeader &&
      req.headers.origin === origin &&
      sameToken(presented, token);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  const sockets = new Set<WebSocket>();
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
    });
    ws.on('message', (data) => {
      let req: BridgeRequest;
      try {
        req = JSON.parse(String(data)) as BridgeRequest;
      } catch {
        return;
      }
      if (req?.kind === 'activity') {
        o.onActivity?.();
        return;
      }
      if (req?.kind !== 'call' || typeof req.id !== 'number') return;
      void r
        .call(String(req.method), req.input, { origin, isMainFrame: true })
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

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
