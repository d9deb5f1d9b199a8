/**
 * The one online call of the admin and coverage services (src-main/auth/server-call.ts): a loopback server answers
 * each path with a chosen status and body, and every answer becomes the typed ApiError a person can act on. Real
 * sockets on loopback, real fetch, the console's real PortalTransport.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/errors';
import { DEVICE_CREDENTIAL_HEADER } from '../../src-shared/sync';
import { PortalTransport } from '../sync/transport';
import { serverCaller } from './server-call';

/** path -> [status, raw body] */
const ANSWERS: Record<string, [number, string]> = {
  '/ok': [200, '{"value":7}'],
  '/ok-garbage': [200, '{"value":"seven"}'],
  '/ok-not-json': [200, 'hello'],
  '/bad': [400, '{"error":"VALIDATION","message":"Blocks overlap."}'],
  '/expired': [401, '{"error":"UNAUTHENTICATED","message":"Token expired."}'],
  '/forbidden': [403, '{"error":"FORBIDDEN","message":"Admins only."}'],
  '/revoked': [403, '{"error":"DEVICE_REVOKED","message":"whatever the server says"}'],
  '/missing': [404, '{"error":"NOT_FOUND","message":"No such exception."}'],
  '/conflict': [409, '{"error":"CONFLICT","message":"Changed at another desk."}'],
  '/long': [400, JSON.stringify({ error: 'VALIDATION', message: 'x'.repeat(1000) })],
  '/crash': [500, '<html>stack trace</html>'],
  '/redirect': [307, ''],
};

interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const hits: Hit[] = [];
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const [status, text] = ANSWERS[req.url ?? ''] ?? [500, ''];
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(status === 307 ? { location: 'http://127.0.0.2:1/x' } : {}),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const TOKEN = 't'.repeat(43);
const device = { deviceId: () => 'dev-1', deviceSecret: () => 'S'.repeat(43) };
const transportTo = (url: () => string) => new PortalTransport({ serverUrl: url, device });
const call = (token: string | null = TOKEN, url = () => `http://127.0.0.1:${port}`) =>
  serverCaller({
    transport: () => transportTo(url),
    accessToken: async () => token,
    needsOnlineMessage: 'Changing this needs an online sign-in.',
  });
const Value = z.strictObject({ value: z.number() });

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return { code: (error as ApiError).code, message: (error as ApiError).message };
}

describe('serverCall', () => {
  it('sends the JSON body with the bearer token and the device credential, and returns the validated answer', async () => {
    const before = hits.length;
    await expect(call()('PUT', '/ok', { blocks: [1, 2] }, Value)).resolves.toEqual({ value: 7 });
    const hit = hits[before]!;
    expect(hit.method).toBe('PUT');
    expect(hit.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers[DEVICE_CREDENTIAL_HEADER.toLowerCase()]).toBe(`dev-1:${'S'.repeat(43)}`);
    expect(JSON.parse(hit.body)).toEqual({ blocks: [1, 2] });
  });

  it('a call without a body sends no content type', async () => {
    const before = hits.length;
    await call()('DELETE', '/ok', undefined, z.unknown());
    expect(hits[before]!.headers['content-type']).toBeUndefined();
    expect(hits[before]!.body).toBe('');
  });

  it('without an online sign-in: OFFLINE with the capability sentence, nothing sent', async () => {
    const before = hits.length;
    expect(await refusal(call(null)('PUT', '/ok', {}, Value))).toEqual({
      code: 'OFFLINE',
      message: 'Changing this needs an online sign-in.',
    });
    expect(hits.length).toBe(before);
  });

  it('an unreachable server, a redirect and a refused address are OFFLINE', async () => {
    // A port nothing listens on: bind one, note it, close it.
    const spare = http.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const dead = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const offline = {
      code: 'OFFLINE',
      message: 'The clinic server cannot be reached: try again when it is.',
    };
    expect(await refusal(call(TOKEN, () => `http://127.0.0.1:${dead}`)('PUT', '/ok', {}, Value))).toEqual(
      offline,
    );
    expect(await refusal(call()('PUT', '/redirect', {}, Value))).toEqual(offline);
    expect(await refusal(call(TOKEN, () => 'http://example.com')('PUT', '/ok', {}, Value))).toEqual(offline);
  });

  it('an answer the schema refuses (or not JSON) is INTERNAL, without the server text', async () => {
    for (const path of ['/ok-garbage', '/ok-not-json']) {
      const r = await refusal(call()('PUT', path, {}, Value));
      expect(r.code).toBe('INTERNAL');
      expect(r.message).not.toMatch(/seven|hello/);
    }
  });

  it('each refusal status becomes its typed error with the server sentence', async () => {
    const cases: [string, string, string][] = [
      ['/bad', 'VALIDATION', 'Blocks overlap.'],
      ['/forbidden', 'FORBIDDEN', 'Admins only.'],
      ['/missing', 'NOT_FOUND', 'No such exception.'],
      ['/conflict', 'CONFLICT', 'Changed at another desk.'],
      ['/expired', 'UNAUTHENTICATED', 'Sign in again to do this.'],
      ['/revoked', 'FORBIDDEN', 'This PC was removed from the clinic: ask IT to enrol it again.'],
      ['/crash', 'OFFLINE', 'The clinic server had a problem: try again.'],
    ];
    for (const [path, code, message] of cases)
      expect(await refusal(call()('POST', path, {}, Value)), path).toEqual({ code, message });
  });

  it('a long server sentence is cut to 300 characters', async () => {
    expect((await refusal(call()('POST', '/long', {}, Value))).message).toBe('x'.repeat(300));
  });
});
