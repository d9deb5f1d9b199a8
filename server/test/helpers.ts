/**
 * Test helpers: a real server on 127.0.0.1:0 over a temporary data folder, or a fresh PostgreSQL database when
 * the suite runs in the vitest project "postgres" (tests/helpers/pg-test-store.ts), and a movable clock.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PullResponse, TokenResponse, type Change } from '../../src-shared/sync';
import { totp } from '../../src-shared/totp';
import { buildServer, type PortalServer, type ServerOptions } from '../app';
import { DEMO_PORTAL_PASSWORD, demoMrn, demoStaff } from '../demo/credentials';
import { testDatabaseOption } from '../../tests/helpers/pg-test-store';

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
  const server = await buildServer({ demo: true, now: clock.now, ...options, dataDir, database });
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

export async function call(
  url: string,
  method: string,
  route: string,
  options: { body?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
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
  return { status: res.status, headers: res.headers, json };
}

export async function registerDevice(url: string, name = 'Test desk'): Promise<string> {
  const res = await call(url, 'POST', '/auth/devices', { body: { name } });
  if (res.status !== 201) throw new Error(`register failed ${res.status}`);
  return res.json.deviceId as string;
}

export interface StaffLogin extends TokenResponse {
  deviceId: string;
}

/** Enrols a device (unless given) and signs a demo staff member in; moves the clock one TOTP step first. */
export async function signInStaff(run: Running, username: string, deviceId?: string): Promise<StaffLogin> {
  const device = deviceId ?? (await registerDevice(run.url));
  run.clock.advance(30);
  const cred = demoStaff(username);
  const res = await call(run.url, 'POST', '/auth/sign-in', {
    body: { username, password: cred.password, totp: totp(cred.totpSecret, run.clock.ms), deviceId: device },
  });
  if (res.status !== 200) throw new Error(`sign-in failed ${res.status} ${JSON.stringify(res.json)}`);
  return { ...TokenResponse.parse(res.json), deviceId: device };
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
