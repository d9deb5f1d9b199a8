import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostCsp, resolveStaticPath } from './static-files';

const root = path.resolve('/srv/renderer');

describe('resolveStaticPath', () => {
  it('serves index.html for / and files under the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app.js?v=1')).toBe(path.join(root, 'assets/app.js'));
  });
  it.each([
    '/../secret',
    '/%2e%2e/secret',
    '/assets/../../etc/passwd',
    '/..%2f..%2fetc',
    '/a\\..\\b',
    '/%00',
    '/%E0%A4%A',
  ])('refuses %s', (p) => expect(resolveStaticPath(root, p)).toBeNull());
});

describe('hostCsp', () => {
  it('is strict: no inline script, no eval, connect only to its own origin', () => {
    const csp = hostCsp('http://127.0.0.1:5555');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:5555");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
