/**
 * `npm run bench -- --only backend` (issue 15): simulated consoles pushing and pulling against the portal backend
 * on SQLite (one instance), on PostgreSQL with one instance and with two instances sharing the database. Each
 * instance is its own `server/cli.ts` process; the consoles are HTTP clients in this process, console i talking
 * to instance i mod n. Each console loops for a fixed time: push a batch (a reply and a priority change on a
 * random thread), then pull everything new from its cursor. Reported per configuration: mutations applied per
 * second, and p95 latency of a push request and of a pull request.
 * PostgreSQL is a throwaway cluster (tests/helpers/pg-cluster.ts); where it cannot start, its rows say so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PasswordHasher } from '../server/auth/passwords';
import { hashToken, newToken } from '../server/auth/tokens';
import { openStore } from '../server/db/open';
import { seedDemo } from '../server/demo/seed';
import {
  DEVICE_CREDENTIAL_HEADER,
  type Mutation,
  PullResponse,
  PushResponse,
  SYNC_ROUTES,
} from '../src-shared/sync';
import { findPostgres, startCluster } from '../tests/helpers/pg-cluster';
import { type BenchOptions, type Result, tempDir } from './env';
import { summarize } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH_PASSWORD = 'bench-console-pass';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface BackendRow {
  config: string;
  consoles: number;
  seconds: number;
  mutations: number;
  changesPerSecond: number;
  pushP50: number;
  pushP95: number;
  pullP50: number;
  pullP95: number;
  pulledChanges: number;
  errors: number;
}

interface Instance {
  url: string;
  proc: ChildProcess;
}

/** A `server/cli.ts` process; resolves with its URL once it printed `listening on`. */
function startInstance(args: string[]): Promise<Instance> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/cli.ts'), '--port', '0', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}): ${err.slice(-500)}`)));
  });
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.proc.exitCode !== null) return;
  const exited = new Promise((resolve) => i.proc.once('exit', resolve));
  i.proc.kill('SIGTERM');
  await exited;
}

function base32Secret(): string {
  return [...randomBytes(20)].map((b) => BASE32[b % 32]).join('');
}

/**
 * Seeds the demo clinic plus, per simulated console, an enrolled device (id + secret), a receptionist who signed
 * in online on it, and an access token: written straight into the store, because enrolment and sign-in are
 * rate-limited per address (20 a minute) and need one TOTP step each, and this bench measures sync, not sign-in.
 */
async function prepare(where: { dataDir: string; database?: string }, consoles: number, scale: number) {
  const store = await openStore(where);
  try {
    await seedDemo(store, { today: new Date().toISOString().slice(0, 10), scale });
    const hash = new PasswordHasher().hashSync(BENCH_PASSWORD, randomBytes(16));
    const desks: Omit<Desk, 'url' | 'cursor'>[] = [];
    const now = new Date().toISOString();
    await store.transaction(async () => {
      for (let i = 0; i < consoles; i++) {
        const staffId = `stf-bench-${i}`;
        const deviceId = `dev-bench-${i}`;
        const deviceSecret = newToken();
        const token = newToken();
        await store.insertStaff(
          {
            id: staffId,
            username: `bench${i}`,
            displayName: `Bench desk ${i}`,
            role: 'receptionist',
            providerId: null,
            version: 1,
          },
          hash,
          base32Secret(),
        );
        await store.insertDevice({
          id: deviceId,
          name: `Bench desk ${i}`,
          createdAt: now,
          revokedAt: null,
          secretHash: hashToken(deviceSecret),
          enrolledBy: null,
        });
        await store.linkDeviceStaff(deviceId, staffId, now);
        await store.insertAccessToken(hashToken(token), {
          staffId,
          deviceId,
          family: randomUUID(),
          expiresAt: Date.now() + 3_600_000,
        });
        desks.push({ deviceId, deviceSecret, staffId, token });
      }
    });
    const threads: string[] = [];
    for (const ref of await store.changesAfter(0, 1_000_000))
      if (ref.entity === 'thread') threads.push(ref.id);
    return { desks, threads, cursor: await store.latestSeq() };
  } finally {
    await store.close();
  }
}

interface Desk {
  url: string;
  deviceId: string;
  deviceSecret: string;
  staffId: string;
  token: string;
  cursor: string;
}

const headersOf = (d: Desk): Record<string, string> => ({
  authorization: `Bearer ${d.token}`,
  [DEVICE_CREDENTIAL_HEADER]: `${d.deviceId}:${d.deviceSecret}`,
});

async function runLoad(
  urls: string[],
  prepared: Awaited<ReturnType<typeof prepare>>,
  seconds: number,
): Promise<Omit<BackendRow, 'config' | 'consoles' | 'seconds'>> {
  const desks: Desk[] = prepared.desks.map((d, i) => ({
    ...d,
    url: urls[i % urls.length]!,
    cursor: String(prepared.cursor),
  }));
  const push: number[] = [];
  const pull: number[] = [];
  let mutations = 0;
  let pulled = 0;
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const pick = () => prepared.threads[Math.floor(Math.random() * prepared.threads.length)]!;
  const loop = async (d: Desk) => {
    while (Date.now() < deadline) {
      const thread = pick();
      const batch: Mutation[] = [
        {
          id: randomUUID(),
          entityId: thread,
          baseVersion: null,
          createdAt: new Date().toISOString(),
          staffId: d.staffId,
          mutation: { op: 'message.send', messageId: randomUUID(), body: 'We have received your message.' },
        },
        {
          id: randomUUID(),
          entityId: pick(),
          baseVersion: null,
          createdAt: new Date().toISOString(),
          staffId: d.staffId,
          mutation: { op: 'thread.setPriority', priority: Math.random() < 0.5 ? 'urgent' : 'routine' },
        },
      ];
      let t = performance.now();
      const res = await fetch(d.url + SYNC_ROUTES.push, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headersOf(d) },
        body: JSON.stringify({ deviceId: d.deviceId, mutations: batch }),
      });
      const body = await res.json();
      push.push(performance.now() - t);
      if (res.status !== 200) errors++;
      else mutations += PushResponse.parse(body).results.filter((r) => r.status === 'applied').length;
      for (;;) {
        t = performance.now();
        const r = await fetch(`${d.url}${SYNC_ROUTES.pull}?after=${d.cursor}&limit=1000`, {
          headers: headersOf(d),
        });
        const page = await r.json();
        pull.push(performance.now() - t);
        if (r.status !== 200) {
          errors++;
          break;
        }
        const parsed = PullResponse.parse(page);
        pulled += parsed.changes.length;
        d.cursor = parsed.cursor;
        if (!parsed.hasMore) break;
      }
    }
  };
  await Promise.all(desks.map(loop));
  const elapsed = (Date.now() - started) / 1000;
  const p = summarize(push);
  const q = summarize(pull);
  return {
    mutations,
    changesPerSecond: mutations / elapsed,
    pushP50: p.median,
    pushP95: p.p95,
    pullP50: q.median,
    pullP95: q.p95,
    pulledChanges: pulled,
    errors,
  };
}

/** The three configurations, one after the other, each on a fresh database. */
export async function measureBackend(
  options: BenchOptions,
  log: (s: string) => void,
): Promise<{ results: Result[]; rows: BackendRow[] }> {
  const consoles = 50;
  const seconds = options.quick ? 5 : 20;
  const scale = 0.2;
  const rows: BackendRow[] = [];
  const configs: { name: string; instances: number; postgres: boolean }[] = [
    { name: 'SQLite, 1 instance', instances: 1, postgres: false },
    { name: 'PostgreSQL, 1 instance', instances: 1, postgres: true },
    { name: 'PostgreSQL, 2 instances', instances: 2, postgres: true },
  ];
  const found = findPostgres();
  const cluster = 'reason' in found ? null : startCluster(found);
  if ('reason' in found) log(`  skipped: no PostgreSQL (${found.reason})`);
  try {
    for (const config of configs) {
      if (config.postgres && !cluster) continue;
      const dataDir = tempDir('backend');
      const database = config.postgres ? await cluster!.createDatabase('bench') : undefined;
      log(`  ${config.name}: seeding…`);
      const prepared = await prepare({ dataDir, database }, consoles, scale);
      const args = database ? ['--database', database] : ['--data', dataDir];
      const instances: Instance[] = [];
      try {
        for (let i = 0; i < config.instances; i++) instances.push(await startInstance(args));
        log(`  ${config.name}: ${consoles} consoles for ${seconds} s…`);
        const load = await runLoad(
          instances.map((i) => i.url),
          prepared,
          seconds,
        );
        rows.push({ config: config.name, consoles, seconds, ...load });
      } finally {
        for (const i of instances) await stopInstance(i);
      }
    }
  } finally {
    cluster?.stop();
  }
  const results: Result[] = rows.flatMap((r) => [
    {
      group: 'backend',
      name: `backend ${r.config}: mutations applied`,
      unit: 'changes/s',
      median: r.changesPerSecond,
      p95: null,
      target: null,
      runs: 1,
      note: `${r.consoles} consoles, ${r.seconds} s, ${r.errors} failed requests, load ${os.loadavg()[0]!.toFixed(2)}`,
    },
    {
      group: 'backend',
      name: `backend ${r.config}: push (2 mutations)`,
      unit: 'ms',
      median: r.pushP50,
      p95: r.pushP95,
      target: null,
      runs: 1,
    },
    {
      group: 'backend',
      name: `backend ${r.config}: pull page`,
      unit: 'ms',
      median: r.pullP50,
      p95: r.pullP95,
      target: null,
      runs: 1,
    },
  ]);
  return { results, rows };
}

/** The side-by-side table of the README. */
export function backendTable(rows: BackendRow[]): string {
  const head = ['configuration', 'changes/s', 'push p50 ms', 'push p95 ms', 'pull p50 ms', 'pull p95 ms'];
  const body = rows.map((r) => [
    r.config,
    r.changesPerSecond.toFixed(0),
    r.pushP50.toFixed(1),
    r.pushP95.toFixed(1),
    r.pullP50.toFixed(1),
    r.pullP95.toFixed(1),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
