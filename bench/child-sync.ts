/**
 * A console's first sync, in its own process (as the Electron main process would run it): open an empty store
 * with its key from the real keychain, run the real SyncEngine against the backend until it has everything,
 * and print one JSON line with the time, the records applied and this process's memory.
 *
 *   BENCH_SYNC='{"url","dataDir","deviceId","access"}' node --import tsx --expose-gc bench/child-sync.ts
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { KeytarKeyStore } from '../src-main/keys/keytar-store';
import { openStore } from '../src-main/store/store';
import { SyncEngine } from '../src-main/sync/engine';
import { BulkLoad } from '../src-main/store/bulk-load';
import { ReachChanges } from '../src-main/store/reach-changes';
import { DEFAULT_SETTINGS } from '../src-main/settings/settings';

interface Config {
  url: string;
  dataDir: string;
  deviceId: string;
  deviceSecret: string;
  access: string;
}

const TABLES = [
  'devices',
  'staff',
  'providers',
  'patients',
  'threads',
  'messages',
  'attachments',
  'appointments',
  'audit_remote',
];

const cfg = JSON.parse(process.env.BENCH_SYNC ?? '') as Config;
const store = await openStore(cfg.dataDir, new KeytarKeyStore());
// As create-core installs them on the store's connection: the out-of-reach triggers (their cost is the product's).
ReachChanges.of(store.db);
if (process.env.BENCH_SYNC_PHASES) namePhases();
const engine = new SyncEngine({
  store,
  serverUrl: cfg.url,
  live: false,
  // As src-main/core/create-core.ts wires it: the store window of the default settings (DESIGN §4), so the
  // eviction after the first cycle is timed too.
  storeWindow: () => ({
    closedThreadDays: DEFAULT_SETTINGS.closedThreadDays,
    scheduleBackDays: DEFAULT_SETTINGS.scheduleBackDays,
    scheduleAheadDays: DEFAULT_SETTINGS.scheduleAheadDays,
  }),
  credentials: {
    deviceId: () => cfg.deviceId,
    deviceSecret: () => cfg.deviceSecret,
    accessToken: async () => cfg.access,
    invalidateToken: () => undefined,
  },
});
/**
 * CPU time of this process's main thread alone (ms), from /proc on Linux (null elsewhere): what the worker thread
 * that decodes pull answers takes off the thread that applies them (issue 16).
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
/** Peak resident set of this process so far (bytes; VmHWM from /proc on Linux, null elsewhere). */
function peakRss(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
// Largest RSS and JS heap seen while the pull runs (sampled; the final rebuild blocks the thread, so a VmHWM above
// this peak was reached during the rebuild).
const sampled = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > sampled.rss)
    Object.assign(sampled, {
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      ...Object.fromEntries(v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size])),
    });
}, 50);
const main0 = mainThreadCpuMs();
const cpu0 = process.cpuUsage();
const start = process.hrtime.bigint();
await engine.syncNow();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const cpu = process.cpuUsage(cpu0);
const main1 = mainThreadCpuMs();
const mem = process.memoryUsage();
const peak = peakRss();
clearInterval(sampler);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const afterGc = process.memoryUsage();
const records = TABLES.reduce(
  (n, t) => n + (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
  0,
);
await engine.stop();
store.close();
process.stdout.write(
  JSON.stringify({
    ms,
    records,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: main0 === null || main1 === null ? null : main1 - main0,
    rss: mem.rss,
    peakRss: peak ?? mem.rss,
    sampledPeak: sampled,
    heapUsed: mem.heapUsed,
    external: mem.external,
    rssAfterGc: afterGc.rss,
  }) + '\n',
);

/**
 * bench/profile-sync-memory.ts: name the phases of the bulk load's finish on stderr (synchronously, since the finish
 * blocks this thread), each with its start (ms since the sync began) and this thread's memory then (MB), so the
 * sampler outside can tell them apart (and bench/profile-sync.ts with BENCH_CHILD_STDERR=1 prints them).
 */
function namePhases(): void {
  const MB = 2 ** 20;
  /** Time since the sync started (`start`, set before any phase begins). */
  const msSinceStart = () => Number(process.hrtime.bigint() - start) / 1e6;
  const phase = (name: string): void => {
    const m = process.memoryUsage();
    fs.writeSync(
      2,
      `phase ${name} at ${Math.round(msSinceStart())} ms rss ${Math.round(m.rss / MB)} ` +
        `heapTotal ${Math.round(m.heapTotal / MB)} heapUsed ` +
        `${Math.round(m.heapUsed / MB)} external ${Math.round(m.external / MB)} arrayBuffers ${Math.round(m.arrayBuffers / MB)}\n`,
    );
  };
  const finish = BulkLoad.prototype.finish;
  BulkLoad.prototype.finish = function (this: BulkLoad) {
    phase('finish');
    const db = store.db;
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      const index = /CREATE\s+INDEX\s+(?:IF NOT EXISTS\s+)?"?(\w+)/i.exec(sql);
      if (index) phase(`index:${index[1]}`);
      else if (/search_dirty/.test(sql)) phase('search-dirty');
      return exec(sql);
    };
    const terms = store.patients.rebuildTerms.bind(store.patients);
    store.patients.rebuildTerms = () => {
      phase('patient-terms');
      terms();
    };
    const search = store.threads.refreshSearchAfterBulkLoad.bind(store.threads);
    store.threads.refreshSearchAfterBulkLoad = () => {
      phase('search-index');
      search();
      phase('search-index-done');
    };
    try {
      finish.call(this);
    } finally {
      db.exec = exec;
      phase('after-finish');
    }
  };
}
