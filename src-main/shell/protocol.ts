/**
 * The app:// protocol: the renderer's files are served from out/renderer under one origin,
 * app://clinic, instead of file:// (Electron security checklist item 18). Electron objects are passed
 * in (types only are imported), so the handler is tested in plain Node against real files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-origin';
import { CSP_HEADER, contentSecurityPolicy } from './csp';

/** Must run before app 'ready'. standard+secure give app://clinic a real origin and a secure context. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // Deliberately not bypassCSP, not corsEnabled, no service workers.
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    },
  ]);
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeTypeOf(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under rendererRoot that an app:// URL names, or null if it names nothing we serve:
 * another scheme or host, credentials or a port, a path that is not valid percent-encoding, a NUL or
 * backslash, a '.' or '..' segment (also when hidden behind %2e / %2f), a dot-file, or anything that
 * would resolve outside rendererRoot.
 */
export function resolveAppPath(rendererRoot: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (
    u.protocol !== `${APP_SCHEME}:` ||
    u.hostname.toLowerCase() !== APP_HOST ||
    u.port !== '' ||
    u.username !== '' ||
    u.password !== ''
  ) {
    return null;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.endsWith('/')) decoded += 'index.html';
  const segments = decoded.slice(1).split('/');
  // Empty segments ('//') and dot segments are refused outright rather than normalized away.
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return null;
  const root = path.resolve(rendererRoot);
  const file = path.resolve(root, ...segments);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return file;
}

/** Headers on every app:// response, including errors. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    [CSP_HEADER]: contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    // The files are the app itself; a stale cached copy after an update would be worse than a re-read.
    'Cache-Control': 'no-cache',
  };
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
}

export type AppRequest = Pick<Request, 'url' | 'method'>;

/** The protocol.handle callback: GET/HEAD of files under rendererRoot, nothing else. */
export function createAppProtocolHandler(rendererRoot: string): (request: AppRequest) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method Not Allowed');
    const file = resolveAppPath(rendererRoot, request.url);
    if (file === null) return textResponse(404, 'Not Found');
    let body: Buffer;
    try {
      // readFile (not a stream) works inside asar archives and fails with EISDIR on folders.
      body = await fs.readFile(file);
    } catch {
      return textResponse(404, 'Not Found');
    }
    const headers = appResponseHeaders(mimeTypeOf(file));
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}

/** Serve app:// from rendererRoot on a session's protocol (call after 'ready'). */
export function installAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot));
}
