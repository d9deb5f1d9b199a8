/**
 * Where an initial sync's resident memory goes (issue 16 §2, RSS < 300 MB; session 9, s9rss). Like
 * bench/profile-sync.ts (one backend in this process, seeded once into <dir>/portal, then <runs> first syncs, each a
 * fresh console process running bench/child-sync.ts), but this process samples the console's /proc/<pid>/status
 * from outside every 20 ms (so the final rebuild, which blocks the console's own thread, is sampled too), and the
 * console names its phases on stderr (BENCH_SYNC_PHASES=1: child-sync.ts wraps the bulk load's finish and its
 * statements). Prints, per run: records/s, peak RSS (VmHWM), RSS after, and per phase the largest RSS, anonymous
 * and file-backed RSS seen, and the console's own process.memoryUsage() at the phase's start.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-sync-memory.ts <dir> <scale> <runs> [-- node flags]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAccountFor } from '../src-main/keys/store-key';
import { BenchCredentials, cleanupAll, keyStore, startBackend } from './env';
import type { SyncChildReport } from './setup';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const [dir, scaleArg, runsArg] = dash >= 0 ? argv.slice(0, dash) : argv;
const childFlags = dash >= 0 ? argv.slice(dash + 1) : [];
if (!dir) {
  process.stderr.write('usage: profile-sync-memory.ts <dir> <scale> <runs> [-- node flags]\n');
  process.exit(2);
}
const MB = 2 ** 20;
const mb = (bytes: number) => Math.round(bytes / MB);

interface Status {
  rss: number;
  anon: number;
  file: number;
  hwm: number;
  threads: number;
}
function statusOf(pid: number): Status | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return {
      rss: kb('VmRSS'),
      anon: kb('RssAnon'),
      file: kb('RssFile'),
      hwm: kb('VmHWM'),
      threads: Number(/^Threads:\s+(\d+)/m.exec(text)?.[1] ?? 0),
    };
  } catch {
    return null;
  }
}

interface Phase {
  name: string;
  memory: string;
  max: Status;
}

fs.mkdirSync(path.join(dir, 'portal'), { recursive: true });
const backend = await startBackend(Number(scaleArg ?? 100), path.join(dir, 'portal'));
process.stderr.write(`backend ready (${backend.changes} changes)\n`);
try {
  const credentials = await BenchCredentials.signIn(backend, 'clinician1');
  const runs = /^\d+$/.test(runsArg ?? '1')
    ? Array.from({ length: Number(runsArg ?? 1) }, () => '-')
    : runsArg!.split(';');
  for (let i = 0; i < runs.length; i++) {
    const extraEnv = Object.fromEntries(
      runs[i]!.split(',')
        .filter((kv) => kv.includes('='))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const dataDir = path.join(dir, `console-${i}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await credentials.refresh();
    const load = os.loadavg()[0]!;
    const file = path.join(import.meta.dirname, 'child-sync.ts');
    // PROFILE_WRAP: a command to run the console under (e.g. `strace -f -e trace=openat -o /tmp/trace`).
    const wrap = (process.env.PROFILE_WRAP ?? '').split(' ').filter(Boolean);
    const command = [...wrap, process.execPath, '--expose-gc', ...childFlags, '--import', 'tsx', file];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        ...extraEnv,
        BENCH_SYNC_PHASES: '1',
        BENCH_SYNC: JSON.stringify({
          url: backend.url,
          dataDir,
          deviceId: credentials.deviceId(),
          deviceSecret: credentials.deviceSecret(),
          access: credentials.access,
        }),
      },
    });
    const phases: Phase[] = [];
    const zero = (): Status => ({ rss: 0, anon: 0, file: 0, hwm: 0, threads: 0 });
    let phase: Phase = { name: 'start', memory: '', max: zero() };
    phases.push(phase);
    const sample = () => {
      const s = statusOf(child.pid!);
      if (!s) return;
      if (s.rss > phase.max.rss) phase.max = s;
    };
    let out = '';
    let errTail = '';
    let errBuf = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      errBuf += c.toString();
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        const line = errBuf.slice(0, nl);
        errBuf = errBuf.slice(nl + 1);
        const m = /^phase (\S+) ?(.*)$/.exec(line);
        if (m && m[1]!.startsWith('index:') && phase.name === 'indexes') continue;
        if (m) {
          sample();
          const name = m[1]!.startsWith('index:') ? 'indexes' : m[1]!;
          if (name === phase.name) continue;
          phase = { name, memory: m[2] ?? '', max: zero() };
          phases.push(phase);
        } else {
          errTail = (errTail + line + '\n').slice(-2000);
          if (process.env.PROFILE_STDERR)
            fs.appendFileSync(`${process.env.PROFILE_STDERR}.${i}`, line + '\n');
        }
      }
    });
    const timer = setInterval(sample, 20);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(timer);
    if (process.env.PROFILE_STDOUT) fs.writeFileSync(`${process.env.PROFILE_STDOUT}.${i}`, out);
    const line = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line) throw new Error(`child-sync.ts exited with ${code}: ${errTail}`);
    const r = JSON.parse(line) as SyncChildReport;
    process.stdout.write(
      `run ${i} [${runs[i]}]: ${r.records} records in ${(r.ms / 1000).toFixed(1)} s = ${Math.round((r.records / r.ms) * 1000).toLocaleString('en')}/s; ` +
        `console CPU ${(r.cpuMs / 1000).toFixed(1)} s; peak RSS ${mb(r.peakRss)} MB, after ${mb(r.rss)} MB ` +
        `(heap ${mb(r.heapUsed)}, after gc RSS ${mb(r.rssAfterGc)}); main thread at the pull's sampled peak ` +
        `${JSON.stringify(Object.fromEntries(Object.entries(r.sampledPeak ?? {}).map(([k, v]) => [k, mb(v)])))}; load ${load.toFixed(2)}\n`,
    );
    for (const p of phases)
      process.stdout.write(
        `  ${p.name.padEnd(28)} max RSS ${String(mb(p.max.rss)).padStart(4)} MB (anon ${mb(p.max.anon)}, file ${mb(p.max.file)}, ` +
          `HWM ${mb(p.max.hwm)}, threads ${p.max.threads})  ${p.memory}\n`,
      );
    await keyStore.delete(keyAccountFor(dataDir)).catch(() => false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await backend.close();
  await cleanupAll();
}
