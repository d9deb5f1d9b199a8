/**
 * Malformed and hostile requests to every route: each must get a 4xx JSON ServerError (never a 500,
 * a crash or a hang), and the server must stay healthy afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_LIMITS, SYNC_ROUTES, ServerError } from '../src-shared/sync';
import { call, signInPatient, signInStaff, startServer, type Running } from './test/helpers';

let run: Running;
let staffToken = '';
let patientToken = '';
let deviceId = '';

beforeAll(async () => {
  run = await startServer();
  const login = await signInStaff(run, 'reception1');
  staffToken = login.accessToken;
  deviceId = login.deviceId;
  patientToken = (await signInPatient(run, 1)).token;
});
afterAll(async () => run.stop());

type Auth = 'none' | 'staff' | 'patient';
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  auth: Auth;
  /** A valid body, so each hostile variant differs from a good request in one way only. */
  body?: Record<string, unknown>;
}

const SQL = "'; DROP TABLE staff; --";
const TRAVERSAL = [
  '..%2F..%2Fetc%2Fpasswd',
  '..',
  '%2e%2e',
  'x'.repeat(65),
  '%00',
  "1' OR '1'='1",
  '%F0%9F%92%A5',
];

const routes = (): Route[] => [
  { method: 'GET', path: SYNC_ROUTES.health, auth: 'none' },
  {
    method: 'POST',
    path: SYNC_ROUTES.registerDevice,
    auth: 'none',
    body: { name: 'Desk', username: 'admin1', password: 'x', totp: '123456' },
  },
  {
    method: 'POST',
    path: SYNC_ROUTES.signIn,
    auth: 'none',
    body: { username: 'reception1', password: 'x', totp: '123456', deviceId },
  },
  { method: 'POST', path: SYNC_ROUTES.refresh, auth: 'none', body: { refreshToken: 'r'.repeat(43) } },
  { method: 'POST', path: SYNC_ROUTES.signOut, auth: 'staff', body: {} },
  { method: 'GET', path: SYNC_ROUTES.pull, auth: 'staff' },
  {
    method: 'POST',
    path: SYNC_ROUTES.push,
    auth: 'staff',
    body: {
      deviceId,
      mutations: [
        {
          id: '0190d7a8-7c1e-7000-8000-000000000001',
          entityId: 'thr-000001',
          baseVersion: 1,
          createdAt: '2026-03-02T09:00:00.000Z',
          staffId: 'stf-reception1',
          mutation: { op: 'thread.setStatus', status: 'done' },
        },
      ],
    },
  },
  { method: 'GET', path: SYNC_ROUTES.events, auth: 'staff' },
  {
    method: 'GET',
    path: `${SYNC_ROUTES.auditForEntity}?entityType=thread&entityId=thr-000001`,
    auth: 'staff',
  },
  { method: 'GET', path: `${SYNC_ROUTES.record}?entity=thread&id=thr-000001`, auth: 'staff' },
  {
    method: 'POST',
    path: SYNC_ROUTES.portalSignIn,
    auth: 'none',
    body: { mrn: 'MRN0000001', password: 'wrong' },
  },
  { method: 'GET', path: SYNC_ROUTES.portalThreads, auth: 'patient' },
  {
    method: 'POST',
    path: SYNC_ROUTES.portalThreads,
    auth: 'patient',
    body: { subject: 'Hi', body: 'Hello' },
  },
  { method: 'POST', path: '/portal/threads/thr-000001/messages', auth: 'patient', body: { body: 'Hello' } },
  { method: 'GET', path: SYNC_ROUTES.portalAppointments, auth: 'patient' },
  {
    method: 'POST',
    path: SYNC_ROUTES.portalAppointments,
    auth: 'patient',
    body: {
      providerId: 'prv-001',
      start: '2026-05-04T09:00:00.000Z',
      end: '2026-05-04T09:15:00.000Z',
      reason: 'x',
    },
  },
  { method: 'DELETE', path: '/portal/appointments/apt-0000001', auth: 'patient' },
  // issue 10: admin device management and alerts, the audit chain head, patient MFA and login history
  { method: 'GET', path: SYNC_ROUTES.adminDevices, auth: 'staff' },
  { method: 'POST', path: '/admin/devices/dev-demo-front-desk-2/revoke', auth: 'staff', body: {} },
  { method: 'GET', path: SYNC_ROUTES.adminAuditAlerts, auth: 'staff' },
  { method: 'GET', path: SYNC_ROUTES.auditHead, auth: 'staff' },
  { method: 'POST', path: SYNC_ROUTES.portalMfaSetup, auth: 'patient', body: {} },
  { method: 'POST', path: SYNC_ROUTES.portalMfaEnable, auth: 'patient', body: { totp: '123456' } },
  { method: 'GET', path: SYNC_ROUTES.portalLoginHistory, auth: 'patient' },
];

interface Case {
  name: string;
  method: string;
  path: string;
  token?: string;
  raw?: string | Buffer;
  body?: unknown;
  headers?: Record<string, string>;
  /** null: send no device credential (by default the helpers send the enrolled test device's). */
  device?: null;
  /** Legitimate free text that merely looks hostile (SQL): may succeed, must not break anything. */
  mayPass?: boolean;
}

function tokenFor(auth: Auth): string | undefined {
  return auth === 'staff' ? staffToken : auth === 'patient' ? patientToken : undefined;
}

function hostileCases(): Case[] {
  const cases: Case[] = [];
  for (const r of routes()) {
    const base = { method: r.method, path: r.path, token: tokenFor(r.auth) };
    const tag = `${r.method} ${r.path}`;
    if (r.auth !== 'none') {
      cases.push({
        ...base,
        name: `${tag}: no token, no device credential`,
        token: undefined,
        device: null,
        body: r.body,
      });
      cases.push({
        ...base,
        name: `${tag}: garbage token`,
        token: 'garbage-token-garbage-token-1234',
        body: r.body,
      });
      cases.push({
        ...base,
        name: `${tag}: malformed header`,
        token: undefined,
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
        body: r.body,
      });
      cases.push({
        ...base,
        name: `${tag}: wrong kind of token`,
        token: r.auth === 'staff' ? patientToken : staffToken,
        body: r.body,
      });
    }
    if (r.method === 'POST') {
      cases.push({ ...base, name: `${tag}: invalid JSON`, raw: '{"name": "x",' });
      cases.push({ ...base, name: `${tag}: JSON array`, body: [] });
      cases.push({ ...base, name: `${tag}: JSON string`, raw: '"just a string"' });
      cases.push({ ...base, name: `${tag}: JSON null`, raw: 'null' });
      cases.push({ ...base, name: `${tag}: unknown field`, body: { ...r.body, isAdmin: true } });
      cases.push({
        ...base,
        name: `${tag}: prototype pollution`,
        raw: `{"__proto__": {"polluted": true}, "x": 1}`,
      });
      cases.push({
        ...base,
        name: `${tag}: text/plain`,
        raw: 'hello',
        headers: { 'content-type': 'text/plain' },
      });
      cases.push({
        ...base,
        name: `${tag}: form encoded`,
        raw: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      for (const key of Object.keys(r.body ?? {})) {
        cases.push({ ...base, name: `${tag}: ${key} as number`, body: { ...r.body, [key]: 12345 } });
        cases.push({ ...base, name: `${tag}: ${key} as object`, body: { ...r.body, [key]: { $gt: '' } } });
        cases.push({ ...base, name: `${tag}: ${key} huge`, body: { ...r.body, [key]: 'x'.repeat(30_000) } });
        cases.push({ ...base, name: `${tag}: ${key} SQL`, body: { ...r.body, [key]: SQL }, mayPass: true });
      }
    }
    if (r.method === 'GET') {
      cases.push({
        ...base,
        name: `${tag}: unknown query`,
        path: `${r.path}${r.path.includes('?') ? '&' : '?'}debug=1`,
      });
    }
  }
  for (const after of [
    'abc',
    '-1',
    '99999999999999999999',
    '9999999999999999999',
    '1.5',
    '0x10',
    '',
    '1e3',
    SQL,
  ]) {
    cases.push({
      name: `pull after=${after}`,
      method: 'GET',
      path: `/sync/pull?after=${encodeURIComponent(after)}`,
      token: staffToken,
    });
  }
  for (const limit of ['0', '-5', 'abc', '1.5', '99999999999']) {
    cases.push({
      name: `pull limit=${limit}`,
      method: 'GET',
      path: `/sync/pull?limit=${encodeURIComponent(limit)}`,
      token: staffToken,
    });
  }
  cases.push({
    name: 'pull repeated after',
    method: 'GET',
    path: '/sync/pull?after=1&after=2',
    token: staffToken,
  });
  for (const q of [
    'entityType=nope&entityId=x',
    'entityType=thread',
    `entityType=thread&entityId=${'x'.repeat(65)}`,
  ]) {
    cases.push({
      name: `audit ${q.slice(0, 40)}`,
      method: 'GET',
      path: `/audit/entity?${q}`,
      token: staffToken,
    });
  }
  for (const q of ['entity=patient&id=pat-000001', 'entity=thread', `entity=thread&id=${'x'.repeat(65)}`]) {
    cases.push({
      name: `record ${q.slice(0, 40)}`,
      method: 'GET',
      path: `/sync/record?${q}`,
      token: staffToken,
    });
  }
  for (const id of TRAVERSAL) {
    cases.push({
      name: `message thread id ${id}`,
      method: 'POST',
      path: `/portal/threads/${id}/messages`,
      token: patientToken,
      body: { body: 'x' },
    });
    cases.push({
      name: `cancel appointment id ${id}`,
      method: 'DELETE',
      path: `/portal/appointments/${id}`,
      token: patientToken,
    });
  }
  cases.push({ name: 'unknown route', method: 'GET', path: '/../../etc/passwd' });
  cases.push({ name: 'unknown method', method: 'PUT', path: SYNC_ROUTES.push, token: staffToken, body: {} });
  cases.push({
    name: 'push for another device',
    method: 'POST',
    path: SYNC_ROUTES.push,
    token: staffToken,
    body: { ...routes()[6]!.body, deviceId: 'other' },
  });
  cases.push({
    name: 'push empty batch',
    method: 'POST',
    path: SYNC_ROUTES.push,
    token: staffToken,
    body: { deviceId, mutations: [] },
  });
  cases.push({
    name: 'push too many',
    method: 'POST',
    path: SYNC_ROUTES.push,
    token: staffToken,
    body: {
      deviceId,
      mutations: Array.from(
        { length: SYNC_LIMITS.maxPushBatch + 1 },
        () => (routes()[6]!.body!.mutations as unknown[])[0],
      ),
    },
  });
  cases.push({
    name: 'push unknown op',
    method: 'POST',
    path: SYNC_ROUTES.push,
    token: staffToken,
    body: {
      deviceId,
      mutations: [{ ...(routes()[6]!.body!.mutations as object[])[0], mutation: { op: 'staff.delete' } }],
    },
  });
  cases.push({
    name: 'sign-in 5-digit code',
    method: 'POST',
    path: SYNC_ROUTES.signIn,
    body: { ...routes()[2]!.body, totp: '12345' },
  });
  cases.push({
    name: 'portal appointment impossible date',
    method: 'POST',
    path: SYNC_ROUTES.portalAppointments,
    token: patientToken,
    body: { providerId: 'prv-001', start: '2026-02-30T09:00:00Z', end: '2026-02-30T09:15:00Z', reason: 'x' },
  });
  return cases;
}

describe('hostile requests', () => {
  it('answers every malformed request with a 4xx JSON error', async () => {
    const cases = hostileCases();
    expect(cases.length).toBeGreaterThan(200);
    const failures: string[] = [];
    for (const c of cases) {
      const res = await call(run.url, c.method, c.path, {
        token: c.token,
        raw: c.raw,
        body: c.body,
        headers: c.headers,
        device: c.device,
      });
      const parsed = ServerError.safeParse(res.json);
      const contentType = res.headers.get('content-type') ?? '';
      const ok = c.mayPass
        ? res.status < 300 || (res.status < 500 && parsed.success)
        : res.status >= 400 && res.status < 500 && parsed.success;
      if (!ok || !contentType.includes('application/json')) {
        failures.push(`${c.name} -> ${res.status} ${JSON.stringify(res.json).slice(0, 120)}`);
      }
      // Nothing internal leaks: no stack frames, SQL or file paths.
      expect(JSON.stringify(res.json)).not.toMatch(/at .*\.ts:\d+|SQLITE|SELECT |node_modules/);
    }
    expect(failures).toEqual([]);
    expect((await call(run.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses bodies over the limit with 413 on every POST route', async () => {
    const huge = Buffer.alloc(SYNC_LIMITS.maxBodyBytes + 1024, 0x61);
    for (const r of routes().filter((x) => x.method === 'POST')) {
      // Sent from the enrolled test device: staff sign-in checks the device credential before anything else.
      const res = await call(run.url, 'POST', r.path, {
        token: tokenFor(r.auth),
        raw: huge,
        device: deviceId,
      });
      expect(res.status, r.path).toBe(413);
      expect(ServerError.parse(res.json).error).toBe('PAYLOAD_TOO_LARGE');
    }
    expect((await call(run.url, 'GET', '/healthz')).json).toEqual({ ok: true });
  });

  it('refuses text holding U+0000 with 400 and finds nothing by such an id, on every store', async () => {
    const post = await call(run.url, 'POST', SYNC_ROUTES.portalThreads, {
      token: patientToken,
      body: { subject: 'Nul\u0000byte', body: 'text' },
    });
    expect(post.status).toBe(400);
    expect(ServerError.parse(post.json).error).toBe('VALIDATION');
    const lookup = await call(run.url, 'POST', SYNC_ROUTES.portalMessages.replace(':threadId', 'thr\u0000'), {
      token: patientToken,
      body: { body: 'hello' },
    });
    expect(lookup.status).toBe(404);
    expect((await call(run.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses text that is not well-formed Unicode with 400 naming the field, on every POST route', async () => {
    let refused = 0;
    for (const r of routes().filter((x) => x.method === 'POST')) {
      for (const [key, value] of Object.entries(r.body ?? {})) {
        if (typeof value !== 'string') continue;
        // A lone high surrogate (half of an emoji): JSON carries it as the escape \ud83d. Sent from the enrolled
        // test device (the helper would otherwise take the device from the changed body).
        const res = await call(run.url, 'POST', r.path, {
          token: tokenFor(r.auth),
          body: { ...r.body, [key]: `${value}\ud83d` },
          device: deviceId,
        });
        expect(res.status, `${r.path} ${key}`).toBe(400);
        const answer = ServerError.parse(res.json);
        expect(answer.error, `${r.path} ${key}`).toBe('VALIDATION');
        // Text of a set shape (a code, an instant, one of a list) fails its schema first; other text reaches the check.
        if (answer.message.endsWith('not valid Unicode (a lone UTF-16 surrogate)')) {
          expect(answer.message, `${r.path} ${key}`).toBe(
            `Invalid body: body.${key}: text that is not valid Unicode (a lone UTF-16 surrogate)`,
          );
          refused++;
        } else
          expect(answer.message, `${r.path} ${key}`).toMatch(new RegExp(`^Invalid body: body\\.${key}: `));
      }
    }
    expect(refused).toBeGreaterThan(8);
    // Nothing of it was stored: the portal's threads are as before.
    const threads = await call(run.url, 'GET', SYNC_ROUTES.portalThreads, { token: patientToken });
    expect(JSON.stringify(threads.json)).not.toMatch(/\\ud83d|\uFFFD/i);
  });

  it('keeps the data intact after SQL-ish input', async () => {
    const res = await call(run.url, 'POST', SYNC_ROUTES.portalThreads, {
      token: patientToken,
      body: { subject: SQL, body: SQL },
    });
    expect(res.status).toBe(201);
    expect(res.json.thread.subject).toBe(SQL);
    // (reference data comes first: pools, clinic settings, availability, providers, then staff)
    const pull = await call(run.url, 'GET', '/sync/pull?limit=500', { token: staffToken });
    expect(pull.status).toBe(200);
    expect(pull.json.changes.some((c: { entity: string }) => c.entity === 'staff')).toBe(true);
  });
});
