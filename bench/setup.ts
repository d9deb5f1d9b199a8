/**
 * Set-up the bench groups and the profile scripts share (session 6, dx6: each wrote its own copy): repetition
 * counts, a console core opened on a bench store, calls through its router, and the initial-sync child process.
 * Only set-up lives here; what is timed stays in each measure-*.ts / profile-*.ts.
 */
import type { IdleSource } from '../src-main/base/adapters';
import { ManualIdleSource } from '../src-main/base/adapters';
import { createCore, type Core } from '../src-main/core/create-core';
import { demoStaff } from '../server/demo/credentials';
import { type Backend, type BenchCredentials, type BenchOptions, keyStore, runChild } from './env';
import { prng } from './stats';

/** Repetition counts of `npm run bench -- --quick` (scale 5): a smoke run; the profile scripts use them too. */
export const QUICK_REPS: BenchOptions['reps'] = {
  syncRuns: 1,
  queryWarmup: 5,
  queryRuns: 50,
  searchRuns: 20,
  workloadRuns: 1,
  workloadMessages: 3_000,
  auditRecords: 500,
  auditChain: 10_000,
  openRuns: 2,
  liveMessages: 5,
};

/** Repetition counts of a full `npm run bench` (scale 100). */
export const FULL_REPS: BenchOptions['reps'] = {
  syncRuns: 3,
  queryWarmup: 20,
  queryRuns: 200,
  searchRuns: 100,
  workloadRuns: 3,
  workloadMessages: 20_000,
  auditRecords: 2_000,
  auditChain: 100_000,
  // Per audit log size, the two sizes alternated (session 9: 5 each, one size after the other, let the start-up ratio
  // follow the keychain's 2x run-to-run spread).
  openRuns: 15,
  liveMessages: 20,
};

/**
 * A console core on `dataDir` against the bench backend, as a desk opens it (real keychain, no sync engine
 * started), enrolled as the demo admin when the store is not enrolled yet. Close it with `core.close()`.
 */
export async function openBenchCore(
  backend: Backend,
  dataDir: string,
  o: { origin: string; deviceName: string; idleSource?: IdleSource },
): Promise<Core> {
  const core = await createCore({
    dataDir,
    keyStore,
    serverUrl: backend.url,
    idleSource: o.idleSource ?? new ManualIdleSource(),
    openExternal: async () => undefined,
    allowedOrigins: [o.origin],
    deviceName: o.deviceName,
    autoStart: false,
  });
  if (core.auth.deviceState() === 'not-enrolled')
    await core.auth.enrol('admin1', demoStaff('admin1').password, backend.totpFor('admin1'));
  return core;
}

/**
 * One call through the core's router from the console window at `origin`, as the renderer makes it.
 * @throws Error `<method>: <error code> (<message>)` when the router answers an error (messages hold no PHI).
 */
export async function routerCall(
  core: Core,
  origin: string,
  method: string,
  input: unknown,
): Promise<unknown> {
  const r = await core.router.call(method, input, { origin, isMainFrame: true });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} (${r.error.message})`);
  return r.value;
}

/**
 * Signs the demo staff member `username` in through the router (password and a fresh TOTP code), as the sign-in
 * screen does. @throws Error `auth.signIn: <code> (<message>)` when refused.
 */
export async function routerSignIn(
  core: Core,
  backend: Backend,
  origin: string,
  username: string,
): Promise<void> {
  await routerCall(core, origin, 'auth.signIn', {
    username,
    password: demoStaff(username).password,
    totp: backend.totpFor(username),
  });
}

/** What bench/child-sync.ts reports of one initial sync (bytes, ms; RSS figures of the console process). */
export interface SyncChildReport {
  ms: number;
  records: number;
  cpuMs: number;
  /** The main thread's share of cpuMs (Linux; null elsewhere). */
  mainThreadCpuMs: number | null;
  rss: number;
  /** Largest RSS of the console process during the sync (VmHWM; Linux), the figure the target applies to. */
  peakRss: number;
  /** The largest figures sampled while the pull ran. */
  sampledPeak?: { rss: number; heapTotal?: number; heapUsed: number; external: number; arrayBuffers: number };
  heapUsed: number;
  external: number;
  rssAfterGc: number;
}

/**
 * One initial sync into the empty store at `dataDir`, in a fresh console process (bench/child-sync.ts), with the
 * device credential and the access token `credentials` holds now (refresh them before each run). Resolves with the
 * child's report.
 */
export function runSyncChild(
  backend: Backend,
  credentials: BenchCredentials,
  dataDir: string,
  nodeFlags: string[] = [],
): Promise<{ value: SyncChildReport; wallMs: number }> {
  return runChild<SyncChildReport>(
    'child-sync.ts',
    [],
    {
      BENCH_SYNC: JSON.stringify({
        url: backend.url,
        dataDir,
        deviceId: credentials.deviceId(),
        deviceSecret: credentials.deviceSecret(),
        access: credentials.access,
      }),
    },
    ['--expose-gc', ...nodeFlags],
  );
}

/**
 * A seeded random picker over up to 20,000 open threads of the store (ids; the same sequence for the same seed), as
 * the router profiles open threads: `pick()` returns a thread id. Throws if the store holds no open thread.
 */
export function openThreadPicker(core: Core, seed = 29): () => string {
  const threadIds = core.store.db
    .prepare(`SELECT id FROM threads WHERE status != 'done' LIMIT 20000`)
    .pluck()
    .all() as string[];
  if (threadIds.length === 0) throw new Error('no open thread to pick');
  const random = prng(seed);
  return () => threadIds[Math.floor(random() * threadIds.length)]!;
}
