/**
 * Where an initial sync's wall time goes (issue 16 §2), backend included: one backend in this process (seeded
 * once into <dir>/portal at <scale>, reused by later runs), then <runs> first syncs, each a fresh console process
 * (bench/child-sync.ts, as `npm run bench -- --only sync` runs it). Prints, per run, the wall time, the console's
 * CPU (process and main thread) and the backend's CPU (this process: HTTP, serving pull batches, JSON encoding).
 * Extra node flags for the console child go after `--` (e.g. `-- --cpu-prof --cpu-prof-dir=/tmp/prof`); run
 * this script itself with `node --cpu-prof` to profile the backend.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-sync.ts <dir> <scale> <runs> [-- flags]
 *
 * BENCH_SYNC_PHASES=1 BENCH_CHILD_STDERR=1 also print the phases of the bulk load's finish (bench/child-sync.ts).
 * Runs started within 30 s of each other's sign-in are refused (the TOTP step is spent): give several runs to one
 * invocation, or wait.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAccountFor } from '../src-main/keys/store-key';
import { BenchCredentials, cleanupAll, keyStore, startBackend } from './env';
import { runSyncChild } from './setup';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const [dir, scaleArg, runsArg] = dash >= 0 ? argv.slice(0, dash) : argv;
const childFlags = dash >= 0 ? argv.slice(dash + 1) : [];
if (!dir) {
  process.stderr.write('usage: profile-sync.ts <dir> <scale> <runs> [-- node flags for the console]\n');
  process.exit(2);
}
fs.mkdirSync(path.join(dir, 'portal'), { recursive: true });
const backend = await startBackend(Number(scaleArg ?? 100), path.join(dir, 'portal'));
process.stderr.write(
  `backend ready (${backend.changes} changes; seeded in ${Math.round(backend.seedMs)} ms)\n`,
);
try {
  const credentials = await BenchCredentials.signIn(backend, 'clinician1');
  for (let i = 0; i < Number(runsArg ?? 1); i++) {
    const dataDir = path.join(dir, `console-${i}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await credentials.refresh();
    const load = os.loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const { value: r } = await runSyncChild(backend, credentials, dataDir, childFlags);
    const c = process.cpuUsage(cpu0);
    const serverMs = (c.user + c.system) / 1000;
    const perS = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en');
    process.stdout.write(
      `run ${i}: ${r.records} records in ${(r.ms / 1000).toFixed(1)} s = ${perS(r.records, r.ms)}/s wall; ` +
        `console CPU ${(r.cpuMs / 1000).toFixed(1)} s (${perS(r.records, r.cpuMs)}/CPU-s), main thread ` +
        `${((r.mainThreadCpuMs ?? 0) / 1000).toFixed(1)} s; backend CPU ${(serverMs / 1000).toFixed(1)} s ` +
        `(${perS(r.records, serverMs)}/CPU-s); RSS after ${Math.round(r.rss / 2 ** 20)} MB, peak ` +
        `${Math.round((r.peakRss ?? 0) / 2 ** 20)} MB; heap after ${Math.round((r.heapUsed ?? 0) / 2 ** 20)} MB; ` +
        `sampled peak during the pull ${JSON.stringify(Object.fromEntries(Object.entries(r.sampledPeak ?? {}).map(([k, v]) => [k, Math.round(v / 2 ** 20)])))} MB; load ${load.toFixed(2)}\n`,
    );
    await keyStore.delete(keyAccountFor(dataDir)).catch(() => false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await backend.close();
  await cleanupAll();
}
