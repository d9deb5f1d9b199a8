import { describe, expect, it } from 'vitest';
import { ServerUrlError, assertServerUrl, isLoopbackHost } from './url-policy';

describe('assertServerUrl', () => {
  it.each([
    ['https://portal.example.org', 'https://portal.example.org'],
    ['https://portal.example.org/', 'https://portal.example.org'],
    ['https://portal.example.org:8443/api/', 'https://portal.example.org:8443/api'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://127.45.6.7:4000/', 'http://127.45.6.7:4000'],
    ['http://localhost:4000', 'http://localhost:4000'],
    ['http://LOCALHOST:4000', 'http://localhost:4000'],
    ['http://[::1]:4000', 'http://[::1]:4000'],
    // The URL parser normalises other spellings of loopback addresses before the check.
    ['http://2130706433:80/', 'http://127.0.0.1'],
    ['https://10.0.0.5', 'https://10.0.0.5'],
  ])('accepts %s', (input, normalised) => {
    expect(assertServerUrl(input)).toBe(normalised);
  });

  it.each([
    'http://portal.example.org',
    'http://10.0.0.5:4000',
    'http://192.168.1.10',
    'http://128.0.0.1',
    'http://[::2]:4000',
    'http://[::ffff:10.0.0.1]',
    'http://localhost.example.org',
    'http://127.0.0.1.example.org',
  ])('refuses plain http to a non-loopback host: %s', (input) => {
    expect(() => assertServerUrl(input)).toThrow(/must use https:\/\//);
  });

  it.each(['ftp://portal.example.org', 'ws://127.0.0.1', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'refuses other schemes: %s',
    (input) => {
      expect(() => assertServerUrl(input)).toThrow(/must start with https:\/\//);
    },
  );

  it('refuses garbage, credentials, queries and fragments with a clear error', () => {
    expect(() => assertServerUrl('portal.example.org')).toThrow(ServerUrlError);
    expect(() => assertServerUrl('')).toThrow(/not a valid URL/);
    expect(() => assertServerUrl('https://user:pw@portal.example.org')).toThrow(/user name or password/);
    expect(() => assertServerUrl('https://portal.example.org/?x=1')).toThrow(/query/);
    expect(() => assertServerUrl('https://portal.example.org/#x')).toThrow(/fragment/);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('localhost.')).toBe(true);
    expect(isLoopbackHost('126.0.0.1')).toBe(false);
    expect(isLoopbackHost('example.org')).toBe(false);
  });
});
