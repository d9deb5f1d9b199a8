/**
 * 1. Initial sync into an empty console store, and 9. the console process's memory after it.
 * Each run is a fresh console process (bench/child-sync.ts: real keychain, real SyncEngine, HTTP to the backend
 * in this process on 127.0.0.1), so the backend and the console each have a core, as on a real network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { keyAccountFor } from '../src-main/keys/store-key';
import {
  type Backend,
  BenchCredentials,
  type BenchOptions,
  type Result,
  keyStore,
  runChild,
  tempDir,
} from './env';
import { summarize } from './stats';

interface SyncRun {
  ms: number;
  records: number;
  cpuMs: number;
  /** The main thread's share of cpuMs (Linux; null elsewhere). */
  mainThreadCpuMs: number | null;
  rss: number;
  /** Largest RSS of the console process during the sync (VmHWM; Linux), the figure the target applies to. */
  peakRss: number;
  heapUsed: number;
  external: number;
  rssAfterGc: number;
}

const MB = 1024 * 1024;

export interface SyncOutcome {
  results: Result[];
  /** Data folder of the last run's store, kept for the groups that need a synced store. */
  dataDir: string;
  credentials: BenchCredentials;
}

export async function measureSync(backend: Backend, opts: BenchOptions): Promise<SyncOutcome> {
  const credentials = await BenchCredentials.signIn(backend, 'clinician1');
  const root = tempDir('console');
  const runs: SyncRun[] = [];
  let dataDir = '';
  // One warm-up run (backend caches, OS file cache), then the timed runs; each into a new, empty store.
  for (let i = 0; i <= opts.reps.syncRuns; i++) {
    if (dataDir) await dropStore(dataDir);
    dataDir = path.join(root, `run-${i}`);
    // The child owns this token pair for its run; we rotate again before the next one.
    await credentials.refresh();
    const { value } = await runChild<SyncRun>(
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
      ['--expose-gc'],
    );
    if (value.records < backend.changes * 0.99) {
      throw new Error(`initial sync applied ${value.records} of ${backend.changes} records`);
    }
    if (i > 0) runs.push(value);
    process.stderr.write(
      `  sync run ${i === 0 ? 'warm-up' : i}: ${value.records} records in ${(value.ms / 1000).toFixed(1)} s\n`,
    );
  }
  await credentials.refresh();

  const rate = summarize(runs.map((r) => (r.records / r.ms) * 1000));
  const time = summarize(runs.map((r) => r.ms));
  const cpu = summarize(runs.map((r) => (r.records / r.cpuMs) * 1000));
  const mainRuns = runs.filter((r) => r.mainThreadCpuMs);
  const mainCpu = mainRuns.length
    ? `, of its main thread ${Math.round(summarize(mainRuns.map((r) => (r.records / r.mainThreadCpuMs!) * 1000)).median).toLocaleString('en')}`
    : '';
  const rss = summarize(runs.map((r) => r.rss / MB));
  const peak = summarize(runs.map((r) => r.peakRss / MB));
  const heap = summarize(runs.map((r) => r.heapUsed / MB));
  const records = runs[0]?.records ?? 0;
  const n = runs.length;
  return {
    dataDir,
    credentials,
    results: [
      {
        group: 'sync',
        name: `initial sync: records applied per second (${records.toLocaleString('en')} records)`,
        unit: 'records/s',
        median: rate.median,
        p95: null,
        target: { on: 'median', op: '>=', value: 50_000 }, // DESIGN §10, issue 16 (aim 70k)
        runs: n,
        note: `slowest run ${Math.round(rate.min).toLocaleString('en')}/s; per CPU-second of the console process ${Math.round(cpu.median).toLocaleString('en')}${mainCpu}`,
      },
      {
        group: 'sync',
        name: 'initial sync: total time',
        unit: 'ms',
        median: time.median,
        p95: null,
        target: null,
        runs: n,
        note: `slowest run ${Math.round(time.max)} ms`,
      },
      {
        group: 'memory',
        name: 'console main-process peak RSS during the initial sync',
        unit: 'MB',
        median: peak.median,
        p95: null,
        target: { on: 'median', op: '<', value: 300 }, // DESIGN §10, issue 16 §2
        runs: n,
        note: `after the sync ${rss.median.toFixed(0)} MB (JS heap used ${heap.median.toFixed(0)} MB; after a forced GC ${summarize(runs.map((r) => r.rssAfterGc / MB)).median.toFixed(0)} MB)`,
      },
    ],
  };
}

async function dropStore(dataDir: string): Promise<void> {
  await keyStore.delete(keyAccountFor(dataDir)).catch(() => false);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
