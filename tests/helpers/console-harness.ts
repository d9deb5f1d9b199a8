/**
 * Real pieces for integration tests: the portal backend on loopback (with a clock the test can move, so TOTP
 * steps and grace periods need no waiting) and a console core on a temp data dir with the real OS keychain.
 */
import os from 'node:os';
import { expect } from 'vitest';
import type { MethodName } from '../../src-shared/contract';
import { totp } from '../../src-shared/totp';
import { buildServer, type PortalServer } from '../../server/app';
import type { RefusalLimits } from '../../server/http/refusal-budget';
import { demoStaff } from '../../server/demo/credentials';
import { ManualIdleSource, type Clock } from '../../src-main/base/adapters';
import { createCore, type Core } from '../../src-main/core/create-core';
import type { CallResult } from '../../src-main/ipc/types';
import { KeytarKeyStore } from '../../src-main/keys/keytar-store';
import { keyAccountFor } from '../../src-main/keys/store-key';
import { TEST_PASSWORD_COST, TEST_SIGN_IN_LIMITS } from './sign-in-limits';
import { tempDir } from './tmp';

export const TEST_TODAY = '2026-11-23';

/** A clock both sides share in a test; starts at 08:00 UTC on TEST_TODAY. */
export class TestClock implements Clock {
  private t = Date.parse(`${TEST_TODAY}T08:00:00.000Z`);
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A PC's own clock: the shared test clock plus an offset (ms) a test moves, as an NTP step or a person changing
 * the date would; the server keeps the shared clock.
 */
export class OffsetClock implements Clock {
  offsetMs = 0;
  constructor(private readonly base: TestClock) {}
  now(): number {
    return this.base.now() + this.offsetMs;
  }
}

export interface TestPortal {
  server: PortalServer;
  url: string;
  clock: TestClock;
  dataDir: string;
  /** Stop the backend (the console then sees connection refused), keeping its data. */
  stop(): Promise<void>;
  /** Start it again on the same port and data: the same backend coming back. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startPortal(
  options: {
    clock?: TestClock;
    /** IANA zone of the demo clinic's location (issue 13a; default UTC). */
    timeZone?: string;
    /** The backend's budget of refused record reads per PC (server/http/refusal-budget.ts; default its own). */
    refusalLimits?: Partial<RefusalLimits>;
  } = {},
): Promise<TestPortal> {
  const clock = options.clock ?? new TestClock();
  const { dir, cleanup } = tempDir('clinic-portal-');
  const open = () =>
    buildServer({
      dataDir: dir,
      demo: true,
      today: TEST_TODAY,
      demoTimeZone: options.timeZone,
      now: () => clock.now(),
      signInLimits: TEST_SIGN_IN_LIMITS,
      passwordCost: TEST_PASSWORD_COST,
      ...(options.refusalLimits ? { refusalLimits: options.refusalLimits } : {}),
    });
  let server = await open();
  let running = true;
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(url).port);
  const portal: TestPortal = {
    server,
    url,
    clock,
    dataDir: dir,
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      await portal.stop();
      server = await open();
      await server.listen({ host: '127.0.0.1', port });
      portal.server = server;
      running = true;
    },
    async close() {
      await portal.stop();
      cleanup();
    },
  };
  return portal;
}

export interface TestConsole {
  core: Core;
  dataDir: string;
  origin: string;
  idle: ManualIdleSource;
  opened: string[];
  call(method: MethodName | string, input?: unknown): Promise<CallResult>;
  /** Call and unwrap, failing the test with the error code if the call failed. */
  ok<T = unknown>(method: MethodName, input?: unknown): Promise<T>;
  signIn(username: string, password?: string): Promise<CallResult>;
  close(): Promise<void>;
}

const keyStore = new KeytarKeyStore();

/**
 * Enrol a console's PC the real way (issue 10): the demo admin's password and TOTP through the auth service,
 * then move the portal clock past that TOTP step. Consoles opened in parallel are enrolled one after another.
 */
export async function enrolConsole(core: Core, portal: TestPortal): Promise<void> {
  // One enrolment at a time: consoles opened in parallel would otherwise send the same admin code, and the
  // server refuses a code used twice (RFC 6238 §5.2).
  const turn = enrolments.then(async () => {
    const admin = demoStaff('admin1');
    try {
      await core.auth.enrol('admin1', admin.password, totp(admin.totpSecret, portal.clock.now()));
    } finally {
      portal.clock.advance(31_000);
    }
  });
  enrolments = turn.catch(() => undefined);
  await turn;
}
let enrolments: Promise<void> = Promise.resolve();

export async function startConsole(
  portal: TestPortal,
  options: {
    clock?: Clock;
    autoStart?: boolean;
    dataDir?: string;
    origin?: string;
    /** Enrol the PC as the demo admin first (default true; a reopened data dir is already enrolled). */
    enrol?: boolean;
  } = {},
): Promise<TestConsole> {
  const clock = options.clock ?? portal.clock;
  const tmp = options.dataDir ? null : tempDir('clinic-console-');
  const dataDir = options.dataDir ?? tmp!.dir;
  const origin = options.origin ?? 'http://console.test';
  const idle = new ManualIdleSource(clock);
  const opened: string[] = [];
  const core = await createCore({
    dataDir,
    keyStore,
    serverUrl: portal.url,
    idleSource: idle,
    openExternal: async (url) => void opened.push(url),
    allowedOrigins: [origin],
    deviceName: `${os.hostname()} test desk`,
    clock,
    autoStart: options.autoStart ?? true,
    passwordCost: TEST_PASSWORD_COST,
  });
  if ((options.enrol ?? true) && core.auth.deviceState() === 'not-enrolled') await enrolConsole(core, portal);
  const call = (method: string, input?: unknown) =>
    core.router.call(method, input, { origin, isMainFrame: true });
  return {
    core,
    dataDir,
    origin,
    idle,
    opened,
    call,
    async ok<T>(method: MethodName, input?: unknown): Promise<T> {
      const result = await call(method, input ?? {});
      if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
      return result.value as T;
    },
    async signIn(username: string, password?: string) {
      const staff = demoStaff(username);
      const code = totp(staff.totpSecret, portal.clock.now());
      const result = await call('auth.signIn', {
        username,
        password: password ?? staff.password,
        totp: code,
      });
      // Each TOTP code is good once: move past its step so the next sign-in in a test gets a fresh one.
      portal.clock.advance(31_000);
      // The person just typed: that is input, as the OS idle time would show.
      idle.touch();
      return result;
    },
    async close() {
      await core.close();
      await keyStore.delete(keyAccountFor(dataDir));
      tmp?.cleanup();
    },
  };
}

/**
 * A front-desk PC whose first sync ran for the receptionist (so the bodies of clinical pools were withheld and
 * their threads marked, issue 14a), then signed out: where a clinician signing in fetches them. `options` as
 * startConsole's (autoStart false unless said otherwise).
 */
export async function startSyncedFrontDesk(
  portal: TestPortal,
  options: Parameters<typeof startConsole>[1] = {},
): Promise<TestConsole> {
  const desk = await startConsole(portal, { autoStart: false, ...options });
  const signedIn = await desk.signIn('reception1');
  if (!signedIn.ok) throw new Error(`reception1 could not sign in: ${signedIn.error.code}`);
  await desk.ok('sync.now');
  await desk.ok('auth.signOut');
  return desk;
}

/**
 * A portal (`startPortal(portalOptions)`) and a console on it (`startConsole`) signed in as `username` (a demo
 * staff user; the sign-in is expected to succeed) after its first sync (`sync.now`). Close both with
 * `closeConsoleAndPortal` in an `afterAll`.
 */
export async function startSignedInConsole(
  username: string,
  portalOptions?: Parameters<typeof startPortal>[0],
): Promise<{ portal: TestPortal; desk: TestConsole }> {
  const portal = await startPortal(portalOptions);
  const desk = await startConsole(portal);
  expect((await desk.signIn(username)).ok).toBe(true);
  await desk.ok('sync.now');
  return { portal, desk };
}

/** Closes `desk` then `portal`, each if it was started (an `afterAll` after `startSignedInConsole`). */
export async function closeConsoleAndPortal(desk?: TestConsole, portal?: TestPortal): Promise<void> {
  await desk?.close();
  await portal?.close();
}
