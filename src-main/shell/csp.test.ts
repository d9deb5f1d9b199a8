import { describe, expect, it } from 'vitest';
import { CSP_HEADER, contentSecurityPolicy, withCsp } from './csp';

/** Parse a CSP string back into directive → sources. */
function parse(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      expect(map.has(name), `duplicate directive ${name}`).toBe(false);
      map.set(name, sources);
    }
  }
  return map;
}

describe('content security policy', () => {
  const policy = contentSecurityPolicy();
  const directives = parse(policy);

  it('is exactly the strict policy of the design', () => {
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'none'"],
      'base-uri': ["'none'"],
      'object-src': ["'none'"],
    });
  });

  it('has no unsafe keyword, wildcard, remote scheme or host anywhere', () => {
    expect(policy).not.toMatch(/unsafe-|\*|https?:|wss?:|file:|localhost|127\.0\.0\.1/i);
  });

  it('replaces any CSP a response brings, whatever its letter case, and keeps other headers', () => {
    const out = withCsp({
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Security-Policy-Report-Only': ['default-src *'],
      'Content-Type': ['text/html'],
      'X-Single': 'one',
    });
    const cspNames = Object.keys(out).filter((k) => k.toLowerCase().startsWith('content-security-policy'));
    expect(cspNames).toEqual([CSP_HEADER]);
    expect(out[CSP_HEADER]).toEqual([policy]);
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(out['X-Single']).toEqual(['one']);
  });

  it('adds the CSP when a response has no headers at all', () => {
    expect(withCsp(undefined)).toEqual({ [CSP_HEADER]: [policy] });
  });
});
