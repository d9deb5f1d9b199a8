import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME } from './app-origin';
import { CSP_HEADER, contentSecurityPolicy } from './csp';
import {
  createAppProtocolHandler,
  installAppProtocol,
  mimeTypeOf,
  registerAppScheme,
  resolveAppPath,
} from './protocol';

const ROOT = path.resolve('/srv/clinic/out/renderer');

describe('resolveAppPath', () => {
  it.each([
    ['app://clinic/', 'index.html'],
    ['app://clinic/index.html', 'index.html'],
    ['app://clinic/assets/index-abc123.js', 'assets/index-abc123.js'],
    ['app://clinic/assets/app.css?v=1#x', 'assets/app.css'],
    ['app://clinic/assets/my%20font.woff2', 'assets/my font.woff2'],
    ['app://CLINIC/index.html', 'index.html'],
    // The URL parser removes dot segments before we see them; what is left stays inside the root.
    ['app://clinic/assets/../index.html', 'index.html'],
    ['app://clinic/../../../etc/passwd', 'etc/passwd'],
    ['app://clinic/%2e%2e/%2e%2e/etc/passwd', 'etc/passwd'],
  ])('%s → <root>/%s', (url, rel) => {
    expect(resolveAppPath(ROOT, url)).toBe(path.join(ROOT, rel));
  });

  it.each([
    ['an encoded slash climbing out', 'app://clinic/..%2f..%2fetc%2fpasswd'],
    ['an encoded slash with encoded dots', 'app://clinic/%2e%2e%2f%2e%2e%2fetc/passwd'],
    ['an encoded backslash', 'app://clinic/..%5c..%5cetc%5cpasswd'],
    ['a literal backslash', 'app://clinic/assets\\..\\..\\x'],
    ['an encoded NUL', 'app://clinic/index.html%00.png'],
    ['an absolute path smuggled in', 'app://clinic/%2fetc%2fpasswd'],
    ['a Windows drive path', 'app://clinic/C:%5cWindows%5cwin.ini'],
    ['a dot-file', 'app://clinic/.env'],
    ['a dot-folder', 'app://clinic/.vite/manifest.json'],
    ['an empty segment', 'app://clinic/assets//x.js'],
    ['malformed percent-encoding', 'app://clinic/%E0%A4%A'],
    ['another host', 'app://evil/index.html'],
    ['a host look-alike', 'app://clinic.evil/index.html'],
    ['a port', 'app://clinic:8080/index.html'],
    ['credentials', 'app://user:pw@clinic/index.html'],
    ['file:', 'file:///srv/clinic/out/renderer/index.html'],
    ['https:', 'https://clinic/index.html'],
    ['not a URL', '/etc/passwd'],
    ['nothing', ''],
  ])('refuses %s', (_why, url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it('never returns a path outside the root, for any path', () => {
    const pieces = ['..', '.', '%2e', '%2e%2e', '%2f', '%5c', 'a', '%00', '', '/', '\\', 'C:', '%252e'];
    for (const a of pieces)
      for (const b of pieces)
        for (const c of pieces) {
          const file = resolveAppPath(ROOT, `app://clinic/${a}/${b}${c}`);
          if (file !== null) expect(path.relative(ROOT, file).startsWith('..')).toBe(false);
        }
  });
});

describe('MIME types', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.MJS', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.png', 'image/png'],
    ['a.woff2', 'font/woff2'],
    ['a.json', 'application/json; charset=utf-8'],
    ['noext', 'application/octet-stream'],
    ['a.exe', 'application/octet-stream'],
  ])('%s is %s', (file, mime) => expect(mimeTypeOf(file)).toBe(mime));
});

describe('app:// handler (real files)', () => {
  let root: string;
  let outside: string;
  let handle: ReturnType<typeof createAppProtocolHandler>;

  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-protocol-'));
    root = path.join(base, 'renderer');
    outside = path.join(base, 'secret.txt');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Clinic</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'export {}');
    fs.writeFileSync(outside, 'not for the renderer');
    handle = createAppProtocolHandler(root);
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  const get = (url: string, method = 'GET'): Promise<Response> => handle(new Request(url, { method }));

  it('serves index.html with its MIME type and the CSP header', async () => {
    const res = await get('app://clinic/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get(CSP_HEADER)).toBe(contentSecurityPolicy());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>Clinic</title>');
  });

  it('serves scripts as JavaScript', async () => {
    const res = await get('app://clinic/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers HEAD without a body', async () => {
    const res = await get('app://clinic/index.html', 'HEAD');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it.each([
    'app://clinic/..%2fsecret.txt',
    'app://clinic/%2e%2e%2fsecret.txt',
    'app://clinic/missing.js',
    'app://clinic/assets/',
    'app://other/index.html',
  ])('404s %s, still with the CSP header', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('not for the renderer');
    expect(res.headers.get(CSP_HEADER)).toBe(contentSecurityPolicy());
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await get('app://clinic/index.html', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.get(CSP_HEADER)).toBe(contentSecurityPolicy());
  });

  it('is what installAppProtocol registers for the app scheme', async () => {
    const registered: Array<[string, (r: Request) => Promise<Response>]> = [];
    installAppProtocol(
      {
        handle: (scheme, handler) =>
          void registered.push([scheme, handler as (r: Request) => Promise<Response>]),
      },
      root,
    );
    expect(registered.map(([s]) => s)).toEqual([APP_SCHEME]);
    const res = await registered[0]![1](new Request('app://clinic/index.html'));
    expect(res.status).toBe(200);
  });
});

describe('scheme registration', () => {
  it('registers app: as standard, secure and fetchable, and nothing more', () => {
    const calls: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => void calls.push(schemes) });
    expect(calls).toEqual([
      [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }],
    ]);
  });
});
