/**
 * Test helpers: a real server on 127.0.0.1:0 over a temporary data folder, or a fresh PostgreSQL database when
 * the suite runs in the vitest project "postgres" (tests/helpers/pg-test-store.ts), and a movable clock.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEVICE_CREDENTIAL_HEADER,
  PullResponse,
  RegisterDeviceResponse,
  TokenResponse,
  type Change,
} from '../../src-shared/sync';
import type { AuditRecord } from '../../src-shared/domain';
import { totp } from '../../src-shared/totp';
import { testDatabaseOption } from '../../tests/helpers/pg-test-store';
import { TEST_PASSWORD_COST, TEST_SIGN_IN_LIMITS } from '../../tests/helpers/sign-in-limits';
import { buildServer, type PortalServer, type ServerOptions } from '../app';
import { DEMO_PORTAL_PASSWORD, demoMrn, demoStaff } from '../demo/credentials';

/** A clock tests move by hand (TOTP steps, token expiry, throttling windows). */
export class TestClock {
  constructor(public ms = Date.parse('2026-03-02T09:00:00.000Z')) {}
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface Running {
  server: PortalServer;
  url: string;
  dataDir: string;
  clock: TestClock;
  stop(): Promise<void>;
}

export async function tempDir(prefix = 'portal-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<Running> {
  const dataDir = options.dataDir ?? (await tempDir());
  const clock = new TestClock();
  const database = options.database ?? (await testDatabaseOption('server'));
  // Many sign-ins from 127.0.0.1 in a few seconds: the abuse limits are tested on their own (sign-in-limits.test.ts).
  const server = await buildServer({
    demo: true,
    now: clock.now,
    signInLimits: TEST_SIGN_IN_LIMITS,
    passwordCost: TEST_PASSWORD_COST,
    ...options,
    dataDir,
    database,
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    url,
    dataDir,
    clock,
    async stop() {
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  // Tests inspect arbitrary JSON answers; each test narrows what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Secrets of the devices enrolled by these helpers, by device id (the server keeps only hashes). */
const deviceSecrets = new Map<string, string>();
/** The device each access or refresh token from signInStaff was issued to. */
const tokenDevices = new Map<string, string>();

/** The `x-clinic-device` header value of a device enrolled by these helpers. */
export function deviceCredential(deviceId: string): string {
  const secret = deviceSecrets.get(deviceId);
  if (!secret) throw new Error('not a device enrolled by the test helpers');
  return `${deviceId}:${secret}`;
}

/**
 * One request. The device credential header is added as an enrolled console would send it: for `device`
 * (a device id enrolled by these helpers) or, when not given, the device of `token`, of `body.refreshToken` or
 * of `body.deviceId`. Pass `device: null` to send none (a client that only knows a device id).
 */
export async function call(
  url: string,
  method: string,
  route: string,
  options: {
    body?: unknown;
    raw?: string | Buffer;
    token?: string;
    headers?: Record<string, string>;
    device?: string | null;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const fields = (typeof options.body === 'object' && options.body !== null ? options.body : {}) as Record<
    string,
    unknown
  >;
  const device =
    options.device === undefined
      ? ((options.token ? tokenDevices.get(options.token) : undefined) ??
        (typeof fields.refreshToken === 'string' ? tokenDevices.get(fields.refreshToken) : undefined) ??
        (typeof fields.deviceId === 'string' && deviceSecrets.has(fields.deviceId)
          ? fields.deviceId
          : undefined))
      : options.device;
  if (device) headers[DEVICE_CREDENTIAL_HEADER] = deviceCredential(device);
  Object.assign(headers, options.headers);
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(url + route, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { unparsed: text };
  }
  // Tokens issued (sign-in, refresh) belong to the device that asked: later calls with them send its credential.
  const issued = json as { accessToken?: unknown; refreshToken?: unknown } | null;
  if (device && typeof issued?.accessToken === 'string' && typeof issued.refreshToken === 'string') {
    tokenDevices.set(issued.accessToken, device);
    tokenDevices.set(issued.refreshToken, device);
  }
  return { status: res.status, headers: res.headers, json };
}

/** Enrols a device the real way (admin1's password + TOTP; moves the clock one TOTP step first). */
export async function registerDevice(run: Running, name = 'Test desk'): Promise<string> {
  run.clock.advance(30);
  const admin = demoStaff('admin1');
  const res = await call(run.url, 'POST', '/auth/devices', {
    body: { name, username: 'admin1', password: admin.password, totp: totp(admin.totpSecret, run.clock.ms) },
  });
  if (res.status !== 201) throw new Error(`enrolment failed ${res.status} ${JSON.stringify(res.json)}`);
  const { deviceId, deviceSecret } = RegisterDeviceResponse.parse(res.json);
  deviceSecrets.set(deviceId, deviceSecret);
  return deviceId;
}

export interface StaffLogin extends TokenResponse {
  deviceId: string;
}

/** Enrols a device (unless given) and signs a demo staff member in; moves the clock one TOTP step first. */
export async function signInStaff(run: Running, username: string, deviceId?: string): Promise<StaffLogin> {
  const device = deviceId ?? (await registerDevice(run));
  run.clock.advance(30);
  const cred = demoStaff(username);
  const res = await call(run.url, 'POST', '/auth/sign-in', {
    body: { username, password: cred.password, totp: totp(cred.totpSecret, run.clock.ms), deviceId: device },
  });
  if (res.status !== 200) throw new Error(`sign-in failed ${res.status} ${JSON.stringify(res.json)}`);
  const tokens = TokenResponse.parse(res.json);
  tokenDevices.set(tokens.accessToken, device);
  tokenDevices.set(tokens.refreshToken, device);
  return { ...tokens, deviceId: device };
}

export async function signInPatient(run: Running, n = 1): Promise<{ token: string; patientId: string }> {
  const res = await call(run.url, 'POST', '/portal/sign-in', {
    body: { mrn: demoMrn(n), password: DEMO_PORTAL_PASSWORD },
  });
  if (res.status !== 200) throw new Error(`portal sign-in failed ${res.status}`);
  return res.json as { token: string; patientId: string };
}

/** Pulls every change after `after`, page by page. */
export async function pullAll(
  url: string,
  token: string,
  after = '0',
  limit = 5000,
): Promise<{ changes: Change[]; cursor: string; pages: number }> {
  const changes: Change[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const res = await call(url, 'GET', `/sync/pull?after=${cursor}&limit=${limit}`, { token });
    if (res.status !== 200) throw new Error(`pull failed ${res.status} ${JSON.stringify(res.json)}`);
    const page = PullResponse.parse(res.json);
    changes.push(...page.changes);
    cursor = page.cursor;
    pages += 1;
    if (!page.hasMore) return { changes, cursor, pages };
  }
}

/**
 * A console audit event with its hash computed as DESIGN.md §7 describes it, written out here independently of
 * src-shared/audit-chain.ts: sha256hex(prevHash + "\n" + JSON of the fields in their fixed order).
 */
export function sealAuditEvent(e: Omit<AuditRecord, 'hash'>): AuditRecord {
  const canonical = JSON.stringify({
    id: e.id,
    at: e.at,
    staffId: e.staffId,
    role: e.role,
    deviceId: e.deviceId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    outcome: e.outcome,
    fields: e.fields,
    actorKind: e.actorKind,
    prevHash: e.prevHash,
  });
  return { ...e, hash: createHash('sha256').update(`${e.prevHash}\n${canonical}`).digest('hex') };
}
