/**
 * The benchmark's world: the real portal backend in this process on 127.0.0.1 (seeded with the demo clinic at
 * `--scale`), staff credentials obtained the real way (device enrolment, password, TOTP, refresh), patient
 * portal calls, temporary data folders and their keychain entries, and the result type every group returns.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer, type PortalServer } from '../server/app';
import { demoStaff } from '../server/demo/credentials';
import type { DemoCounts } from '../server/demo/seed';
import { SYNC_ROUTES, TokenResponse } from '../src-shared/sync';
import { deviceHeader, enrolDevice, type DeviceCred } from '../tests/helpers/sync-harness';
import { totp, totpStep } from '../src-shared/totp';
import { KeytarKeyStore } from '../src-main/keys/keytar-store';
import { keyAccountFor } from '../src-main/keys/store-key';
import type { SyncCredentials } from '../src-main/sync/types';
import { msSince } from './stats';

/* ---------------- results ---------------- */

export interface Target {
  /** Which statistic the target applies to. */
  on: 'median' | 'p95';
  op: '<' | '<=' | '>=';
  value: number;
}

export interface Result {
  group: string;
  name: string;
  unit: string;
  median: number;
  /** null where a single figure is all there is (e.g. a ratio of medians). */
  p95: number | null;
  target: Target | null;
  /** Number of timed runs behind the figures. */
  runs: number;
  /** 1-minute load average when the row was measured (issue 16: beside each row). */
  load?: number;
  note?: string;
}

export function isMet(r: Result): boolean | null {
  if (!r.target) return null;
  const v = r.target.on === 'p95' ? (r.p95 ?? r.median) : r.median;
  if (!Number.isFinite(v)) return false;
  if (r.target.op === '<') return v < r.target.value;
  if (r.target.op === '<=') return v <= r.target.value;
  return v >= r.target.value;
}

export function targetText(t: Target | null, unit: string): string {
  if (!t) return '—';
  const op = t.op === '<=' ? '≤' : t.op === '>=' ? '≥' : '<';
  return `${t.on === 'p95' ? 'p95 ' : ''}${op} ${t.value.toLocaleString('en')} ${unit}`;
}

/* ---------------- options ---------------- */

export interface BenchOptions {
  scale: number;
  quick: boolean;
  /** Repetition counts, scaled down by --quick. */
  reps: {
    syncRuns: number;
    queryWarmup: number;
    queryRuns: number;
    searchRuns: number;
    workloadRuns: number;
    workloadMessages: number;
    auditRecords: number;
    auditChain: number;
    openRuns: number;
    liveMessages: number;
  };
}

/* ---------------- temporary folders and keychain entries ---------------- */

export const keyStore = new KeytarKeyStore();
const made: string[] = [];

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clinic-bench-${label}-`));
  made.push(dir);
  return dir;
}

/** Remove every folder made here and the keychain entries of stores opened in them. */
export async function cleanupAll(): Promise<void> {
  for (const dir of made.splice(0)) {
    for (const sub of [dir, ...listDirs(dir)]) await keyStore.delete(keyAccountFor(sub)).catch(() => false);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/* ---------------- the backend ---------------- */

export interface Backend {
  url: string;
  server: PortalServer;
  counts: DemoCounts;
  seedMs: number;
  /** Changes a console pulls on its first sync. */
  changes: number;
  now(): number;
  /** A fresh TOTP code for a demo staff member (moving the server clock past a step already used). */
  totpFor(username: string): string;
  close(): Promise<void>;
}

export async function startBackend(scale: number, dataDir?: string): Promise<Backend> {
  // A given folder keeps the seeded backend between runs (bench/profile-sync.ts); seeded only when empty.
  const dir = dataDir ?? tempDir('portal');
  let offset = 0;
  const now = () => Date.now() + offset;
  const started = process.hrtime.bigint();
  // "today" is the real day, so portal messages posted during the run are the newest activity.
  const server = await buildServer({ dataDir: dir, demo: true, scale, now });
  const seedMs = msSince(started);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const lastStep = new Map<string, number>();
  return {
    url,
    server,
    counts: server.demo ?? ({} as DemoCounts),
    seedMs,
    changes: await server.store.countChangesAfter(0),
    now,
    totpFor(username) {
      const last = lastStep.get(username) ?? -1;
      const step = totpStep(now());
      if (step <= last) offset += (last - step + 1) * 30_000;
      lastStep.set(username, totpStep(now()));
      return totp(demoStaff(username).totpSecret, now());
    },
    close: () => server.close(),
  };
}

export async function postJson(
  url: string,
  body: unknown,
  token?: string,
  device?: DeviceCred,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(device ? deviceHeader(device) : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

/** Staff credentials from the real server: device enrolment, password + TOTP sign-in, refresh on a 401. */
export class BenchCredentials implements SyncCredentials {
  private stale = false;
  constructor(
    private readonly url: string,
    readonly device: DeviceCred,
    public access: string,
    public refreshToken: string,
    readonly staffId: string,
  ) {}

  static async signIn(backend: Backend, username: string): Promise<BenchCredentials> {
    const device = await enrolDevice(backend.url, `bench ${username}`, backend.totpFor('admin1'));
    const res = await postJson(
      backend.url + SYNC_ROUTES.signIn,
      {
        username,
        password: demoStaff(username).password,
        totp: backend.totpFor(username),
        deviceId: device.deviceId,
      },
      undefined,
      device,
    );
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
    const tokens = TokenResponse.parse(res.json);
    return new BenchCredentials(
      backend.url,
      device,
      tokens.accessToken,
      tokens.refreshToken,
      tokens.staff.id,
    );
  }

  /** Rotate the tokens now (before handing them to a child process, which then owns them). */
  async refresh(): Promise<void> {
    const res = await postJson(
      this.url + SYNC_ROUTES.refresh,
      { refreshToken: this.refreshToken },
      undefined,
      this.device,
    );
    if (res.status !== 200) throw new Error(`token refresh failed: ${res.status}`);
    const tokens = TokenResponse.parse(res.json);
    this.access = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
  }

  deviceId(): string {
    return this.device.deviceId;
  }
  deviceSecret(): string {
    return this.device.deviceSecret;
  }
  async accessToken(): Promise<string | null> {
    if (this.stale) {
      this.stale = false;
      await this.refresh();
    }
    return this.access;
  }
  invalidateToken(): void {
    this.stale = true;
  }
}

/* ---------------- patient portal ---------------- */

// The same portal client the sync tests use: one copy of how a patient talks to the backend.
export { patientNewThread, patientSignIn, type Patient } from '../tests/helpers/sync-harness';

/**
 * Run a bench script in a child Node process (tsx) and parse the last line of its stdout as JSON (`value`), with the
 * wall time until its first line (`wallMs`). Errors: the child's exit code with the end of its stderr. With
 * BENCH_CHILD_STDERR=1 in the environment, the child's stderr is copied to this process's as it comes (e.g. the
 * phases child-sync.ts names with BENCH_SYNC_PHASES=1).
 */
export function runChild<T>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<{ value: T; wallMs: number }> {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), script);
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.join(path.dirname(file), '..'),
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  let wallMs = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (wallMs === 0 && out.includes('\n')) wallMs = msSince(start);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (process.env.BENCH_CHILD_STDERR) process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) {
        reject(new Error(`${script} exited with ${code}: ${err.trim().slice(-2000)}`));
        return;
      }
      resolve({ value: JSON.parse(line) as T, wallMs });
    });
  });
}
