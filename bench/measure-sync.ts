/**
 * 1. Initial sync into an empty console store, and 9. the console process's memory after it.
 * Each run is a fresh console process (bench/child-sync.ts: real keychain, real SyncEngine, HTTP to the backend
 * in this process on 127.0.0.1), so the backend and the console each have a core, as on a real network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAccountFor } from '../src-main/keys/store-key';
import { type Backend, BenchCredentials, type BenchOptions, type Result, keyStore, tempDir } from './env';
import { runSyncChild, type SyncChildReport } from './setup';
import { summarize } from './stats';

type SyncRun = SyncChildReport;

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
  /** CPU time of this process (the backend: HTTP, pull pages from its SQLite, JSON) during each timed run. */
  const backendCpuMs: number[] = [];
  /** 1-minute load average at the end of each timed run (issue 16: beside each row). */
  const loads: number[] = [];
  let dataDir = '';
  // One warm-up run (backend caches, OS file cache), then the timed runs; each into a new, empty store.
  for (let i = 0; i <= opts.reps.syncRuns; i++) {
    if (dataDir) await dropStore(dataDir);
    dataDir = path.join(root, `run-${i}`);
    // The child owns this token pair for its run; we rotate again before the next one.
    await credentials.refresh();
    const backend0 = process.cpuUsage();
    const { value } = await runSyncChild(backend, credentials, dataDir);
    if (value.records < backend.changes * 0.99) {
      throw new Error(`initial sync applied ${value.records} of ${backend.changes} records`);
    }
    const backendCpu = process.cpuUsage(backend0);
    if (i > 0) {
      runs.push(value);
      backendCpuMs.push((backendCpu.user + backendCpu.system) / 1000);
      loads.push(os.loadavg()[0]!);
    }
    process.stderr.write(
      `  sync run ${i === 0 ? 'warm-up' : i}: ${value.records} records in ${(value.ms / 1000).toFixed(1)} s\n`,
    );
  }
  await credentials.refresh();
  const frontDesk = await measureFrontDesk(backend, root);

  const rate = summarize(runs.map((r) => (r.records / r.ms) * 1000));
  const time = summarize(runs.map((r) => r.ms));
  const cpu = summarize(runs.map((r) => (r.records / r.cpuMs) * 1000));
  const mainRuns = runs.filter((r) => r.mainThreadCpuMs);
  const mainCpu = mainRuns.length
    ? `, of its main thread ${Math.round(summarize(mainRuns.map((r) => (r.records / r.mainThreadCpuMs!) * 1000)).median).toLocaleString('en')}`
    : '';
  const backendCpu = summarize(runs.map((r, i) => (r.records / backendCpuMs[i]!) * 1000));
  const rss = summarize(runs.map((r) => r.rss / MB));
  const peak = summarize(runs.map((r) => r.peakRss / MB));
  const heap = summarize(runs.map((r) => r.heapUsed / MB));
  const records = runs[0]?.records ?? 0;
  const n = runs.length;
  const load = Math.round(summarize(loads).median * 100) / 100;
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
        load,
        note: `slowest run ${Math.round(rate.min).toLocaleString('en')}/s; per CPU-second of the console process ${Math.round(cpu.median).toLocaleString('en')}${mainCpu}; of the backend (same 2 cores) ${Math.round(backendCpu.median).toLocaleString('en')}`,
      },
      {
        group: 'sync',
        name: 'initial sync: total time',
        unit: 'ms',
        median: time.median,
        p95: null,
        target: null,
        runs: n,
        load,
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
        load,
        note: `after the sync ${rss.median.toFixed(0)} MB (JS heap used ${heap.median.toFixed(0)} MB; after a forced GC ${summarize(runs.map((r) => r.rssAfterGc / MB)).median.toFixed(0)} MB)`,
      },
      frontDesk,
    ],
  };
}

/**
 * One first sync of a front-desk PC (reception1: clinical threads' bodies withheld, DESIGN §6), timed as the runs
 * above: the withheld path (withheld_threads marks and their out-of-reach trigger) is not taken by a clinician's
 * sync. Session 10 (review of session 9, H1): each withheld mark scanned every message loaded so far.
 */
async function measureFrontDesk(backend: Backend, root: string): Promise<Result> {
  const credentials = await BenchCredentials.signIn(backend, 'reception1');
  const dataDir = path.join(root, 'front-desk');
  await credentials.refresh();
  const { value } = await runSyncChild(backend, credentials, dataDir);
  await credentials.refresh();
  await dropStore(dataDir);
  process.stderr.write(`  front-desk sync: ${value.records} records in ${(value.ms / 1000).toFixed(1)} s\n`);
  return {
    group: 'sync',
    name: `initial sync of a front-desk PC (receptionist: clinical bodies withheld): records applied per second`,
    unit: 'records/s',
    median: (value.records / value.ms) * 1000,
    p95: null,
    target: null,
    runs: 1,
    load: Math.round(os.loadavg()[0]! * 100) / 100,
    note: `${value.records.toLocaleString('en')} records in ${Math.round(value.ms)} ms; peak RSS ${Math.round(value.peakRss / MB)} MB`,
  };
}

async function dropStore(dataDir: string): Promise<void> {
  await keyStore.delete(keyAccountFor(dataDir)).catch(() => false);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
