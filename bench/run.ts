/**
 * `npm run bench [-- --scale N] [-- --quick] [-- --only sync,inbox,…]`: the performance targets of DESIGN.md §10,
 * measured on this machine. Seeds the portal backend in this process, syncs consoles from it and times the core.
 * Prints one table and writes the same to bench/results/<time>.json. Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Plain from 'better-sqlite3';
import Cipher from 'better-sqlite3-multiple-ciphers';
import sqlcipher from '@journeyapps/sqlcipher';
import { openStore, type Store } from '../src-main/store/store';
import {
  type BenchOptions,
  type Result,
  cleanupAll,
  isMet,
  keyStore,
  patientNewThread,
  patientSignIn,
  runChild,
  startBackend,
  targetText,
} from './env';
import {
  measureAuditRecord,
  measureAuditReport,
  measureAuditVerify,
  measureAuditedLists,
} from './measure-audit';
import { type BackendRow, backendTable, measureBackend } from './measure-backend';
import { RARE_COUNT, RARE_WORD, measureInbox } from './measure-inbox';
import { measureLive } from './measure-live';
import { measureOpenBesideLarger } from './measure-open';
import { measureRouter } from './measure-router';
import { measureSearch } from './measure-search';
import { measurePatients } from './measure-patients';
import { measureStore } from './measure-store';
import { measureSync } from './measure-sync';
import { FULL_REPS, QUICK_REPS } from './setup';
import { msSince, summarize } from './stats';
import { checkDesignTargets } from './targets';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = [
  'sync',
  'inbox',
  'search',
  'router',
  'store',
  'audit',
  'open',
  'live',
  'backend',
  'ui',
  'patients', // issue 13b
] as const;
type Group = (typeof GROUPS)[number];

/* ---------------- command line ---------------- */

function parseArgs(argv: string[]): { options: BenchOptions; only: Set<Group> } {
  let scale: number | null = null;
  let quick = false;
  let only = new Set<Group>(GROUPS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--scale') scale = Number(argv[++i]);
    else if (arg.startsWith('--scale=')) scale = Number(arg.slice(8));
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[++i] : arg.slice(7);
      only = new Set((list ?? '').split(',').filter(Boolean) as Group[]);
      for (const g of only) if (!GROUPS.includes(g)) usage(`unknown group ${g}`);
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  scale ??= quick ? 5 : 100;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) usage('--scale must be a number in (0, 1000]');
  const reps = quick ? QUICK_REPS : FULL_REPS;
  return { options: { scale, quick, reps }, only };
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write(
    `usage: npm run bench [-- --scale N] [-- --quick] [-- --only ${GROUPS.join(',')}]\n` +
      '  --scale N  demo size (100 = 200k messages, 100k appointments; default 100, 5 with --quick)\n' +
      '  --quick    a smoke run: scale 5 and fewer repetitions\n',
  );
  process.exit(problem ? 2 : 0);
}

/** The store key lives in the real keychain: on a headless Linux box run inside a private keyring session. */
function reexecWithKeyring(): void {
  if (
    process.platform !== 'linux' ||
    process.env.DBUS_SESSION_BUS_ADDRESS ||
    process.env.CLINIC_KEYRING_READY
  ) {
    return;
  }
  const script = path.join(ROOT, 'scripts/with-keyring.sh');
  const args = [script, process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
  const result = spawnSync('bash', args, { stdio: 'inherit', cwd: ROOT });
  process.exit(result.status ?? 1);
}

/* ---------------- machine ---------------- */

/**
 * The same fixed work on every machine (session 13), so tables of different days can be compared: the 2-core VMs
 * of different sessions differed by 1.7–2.6× for unchanged code (plain SQLite bulk insert 12.4 s in session 11, 32.6 s
 * in session 13). Returns medians of 3, in ms: `sqlite` = 100,000 inserts of a 200-byte text into an indexed table
 * of the plain engine (in memory, one transaction); `memory` = first touch of 256 MiB of fresh pages (what a
 * VM charges for memory it has not backed yet).
 */
function machineSpeed(): { sqlite: number; memory: number } {
  const median3 = (fn: () => void) => {
    const times = [0, 1, 2].map(() => {
      const t = process.hrtime.bigint();
      fn();
      return msSince(t);
    });
    return Math.round(summarize(times).median * 10) / 10;
  };
  const body = 'x'.repeat(200);
  const sqlite = median3(() => {
    const db = new Plain(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, body TEXT); CREATE INDEX t_k ON t (k)');
    const insert = db.prepare('INSERT INTO t (k, body) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run(String((i * 7919) % 100_003), body);
    })();
    db.close();
  });
  const memory = median3(() => {
    const b = Buffer.allocUnsafeSlow(256 << 20);
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
  });
  return { sqlite, memory };
}

async function machineInfo(): Promise<Record<string, unknown>> {
  const cpus = os.cpus();
  const ours = new Cipher(':memory:');
  const plain = new Plain(':memory:');
  const version = (db: { prepare(s: string): { pluck(): { get(): unknown } } }) =>
    db.prepare('SELECT sqlite_version()').pluck().get() as string;
  const reference = await new Promise<string>((resolve) => {
    const db = new sqlcipher.Database(':memory:');
    db.get('SELECT sqlite_version() AS v', (err, row) => {
      db.get('PRAGMA cipher_version', (err2, row2) => {
        db.close();
        resolve(
          `SQLite ${err ? '?' : (row as { v: string }).v}, SQLCipher ${err2 ? '?' : (row2 as { cipher_version: string }).cipher_version}`,
        );
      });
    });
  });
  const info = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    store: `better-sqlite3-multiple-ciphers (SQLite ${version(ours)}, cipher sqlcipher legacy=4)`,
    plain: `better-sqlite3 (SQLite ${version(plain)})`,
    reference: `@journeyapps/sqlcipher (${reference})`,
    speed: machineSpeed(),
  };
  ours.close();
  plain.close();
  return info;
}

/* ---------------- output ---------------- */

function fmt(v: number | null, unit: string): string {
  if (v === null) return '—';
  if (!Number.isFinite(v)) return 'n/a';
  if (unit === 'x') return v.toFixed(2);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function table(results: Result[]): string {
  const head = ['#', 'measurement', 'median', 'p95', 'unit', 'target', 'met?', 'load'];
  const rows = results.map((r, i) => {
    const met = isMet(r);
    return [
      String(i + 1),
      r.name,
      fmt(r.median, r.unit),
      fmt(r.p95, r.unit),
      r.unit,
      targetText(r.target, r.unit),
      met === null ? '' : met ? 'yes' : 'NO',
      r.load === undefined ? '' : r.load.toFixed(2),
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const right = new Set([0, 2, 3, 7]);
  const line = (cells: string[]) =>
    cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/* ---------------- main ---------------- */

async function main(): Promise<void> {
  reexecWithKeyring();
  const { options, only } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const machine = await machineInfo();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(
    `Clinic Console bench — scale ${options.scale}${options.quick ? ' (quick)' : ''} — ${machine.cpu}, ` +
      `${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}`,
  );

  const results: Result[] = [];
  const failures: string[] = [];
  const run = async (group: Group, fn: () => Promise<Result[]> | Result[]): Promise<void> => {
    if (!only.has(group)) return;
    log(`- ${group}`);
    try {
      const rows = await fn();
      // The load average beside each row (issue 16), taken when its group ends unless the row has its own.
      const load = Math.round(os.loadavg()[0]! * 100) / 100;
      results.push(...rows.map((r) => ({ ...r, load: r.load ?? load })));
    } catch (error) {
      failures.push(`${group}: ${error instanceof Error ? error.message : String(error)}`);
      log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  let dataset: Record<string, unknown> = {};
  let store: Store | null = null;
  let backendRows: BackendRow[] = [];
  if (only.has('backend')) {
    log('- backend (50 consoles: SQLite, PostgreSQL ×1, PostgreSQL ×2)');
    try {
      const outcome = await measureBackend(options, log);
      results.push(...outcome.results);
      backendRows = outcome.rows;
    } catch (error) {
      failures.push(`backend: ${error instanceof Error ? error.message : String(error)}`);
      log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  // The UI group brings its own demo backend and console (tests/e2e/harness.ts).
  await run(
    'ui',
    async () =>
      (await runChild<Result[]>('ui/child-ui.ts', [], { BENCH_UI: JSON.stringify({ quick: options.quick }) }))
        .value,
  );
  // The demo backend at --scale is only seeded when a group other than `backend` and `ui` needs it.
  const backend = [...only].some((g) => g !== 'backend' && g !== 'ui')
    ? await startBackend(options.scale)
    : null;
  if (backend)
    try {
      // A few genuinely rare words, posted the way patients post, before the first sync.
      for (let i = 0; i < RARE_COUNT; i++) {
        const patient = await patientSignIn(backend.url, 1 + i);
        await patientNewThread(
          backend.url,
          patient,
          'Migraine medicine',
          `Can I take ${RARE_WORD} with my other tablets?`,
        );
      }
      dataset = {
        ...backend.counts,
        changesToPull: await backend.server.store.countChangesAfter(0),
        seedSeconds: Math.round(backend.seedMs / 100) / 10,
      };
      log(`  backend seeded in ${(backend.seedMs / 1000).toFixed(1)} s: ${JSON.stringify(backend.counts)}`);

      const needsStore = ['sync', 'inbox', 'search', 'router', 'audit', 'open', 'live'].some((g) =>
        only.has(g as Group),
      );
      let dataDir: string | null = null;
      if (needsStore) {
        log('- sync (initial sync into an empty store, in a console process)');
        try {
          const outcome = await measureSync(backend, options);
          if (only.has('sync')) results.push(...outcome.results);
          dataDir = outcome.dataDir;
        } catch (error) {
          failures.push(`sync: ${error instanceof Error ? error.message : String(error)}`);
          log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
      }
      if (dataDir) {
        store = await openStore(dataDir, keyStore);
        const s = store;
        // live first: the groups after it keep this process busy for minutes without a break, and a connection
        // the in-process backend kept alive meanwhile was found closed under the next request ("fetch failed").
        await run('live', () => measureLive(backend, s, options));
        await run('inbox', () => measureInbox(s, options));
        await run('audit', () => measureAuditRecord(s, options));
        await run('audit', () => measureAuditedLists(s, options));
        await run('audit', () => measureAuditReport(s, options));
        s.close();
        store = null;
        const dir = dataDir;
        // Through the router on the same store (one connection at a time); grows its audit log to 100k events.
        await run('router', () => measureRouter(backend, dir, options));
        // Through the router on a core of its own (it enrols this data dir as a desk and signs in).
        await run('search', () => measureSearch(backend, dir, options));
        // Start-up with 100k (or as many as the groups above left) and 1M audit events (--quick 10k and 100k).
        await run('open', () =>
          options.quick
            ? measureOpenBesideLarger(dir, 10_000, 100_000, options, log)
            : measureOpenBesideLarger(dir, 100_000, 1_000_000, options, log),
        );
      }
      await run('audit', () => measureAuditVerify(options));
      await run('store', () => measureStore(options));
      await run('patients', () => measurePatients(backend, options));
    } finally {
      store?.close();
      await backend.close();
    }
  await cleanupAll();

  const finishedAt = new Date();
  const out = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    options: { scale: options.scale, quick: options.quick, groups: [...only], reps: options.reps },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    dataset,
    results: results.map((r) => ({ ...r, met: isMet(r) })),
    failures,
  };
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');

  const speed = machine.speed as ReturnType<typeof machineSpeed>;
  const header = [
    `Clinic Console bench — ${startedAt.toISOString()} — scale ${options.scale}${options.quick ? ' (quick)' : ''}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, Node ${machine.node}, ${machine.os}`,
    `load average at start ${(machine.loadAverageAtStart as number[]).join(' ')}, at end ${out.machine.loadAverageAtEnd.join(' ')}`,
    `store: ${machine.store}; plain: ${machine.plain}; reference: ${machine.reference}`,
    `machine speed (fixed work, ms, lower is faster; compare tables of different machines by it): plain SQLite 100,000 indexed inserts ${speed.sqlite}, first touch of 256 MiB ${speed.memory}`,
    `dataset: ${Object.entries(dataset)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en') : String(v)}`)
      .join(', ')}`,
    '',
  ];
  const notes = results.flatMap((r, i) => (r.note ? [`  [${i + 1}] ${r.note} (${r.runs} runs)`] : []));
  const met = results.filter((r) => isMet(r) === true).length;
  const targeted = results.filter((r) => r.target).length;
  // issue 16 §1: every DESIGN §10 target of the groups run has a row carrying it (bench/targets.ts).
  const coverage = checkDesignTargets(results, only);
  const t = (target: Result['target']) => (target ? targetText(target, '').trim() : 'no target');
  const coverageLines = [
    ...coverage.missing.map((t) => `  no row for: ${t.text}`),
    ...coverage.mismatched.map(
      ({ target, rows }) =>
        `  ${t(target.target)} expected for "${target.text}"; rows carry ${rows
          .map((r) => `${t(r.target)} ("${r.name}")`)
          .join(', ')}`,
    ),
  ];
  process.stdout.write(
    [
      ...header,
      table(results),
      '',
      ...(backendRows.length ? ['backend, side by side:', backendTable(backendRows), ''] : []),
      'notes:',
      ...notes,
      '',
      ...(coverageLines.length
        ? ['DESIGN §10 targets not in this table as written there:', ...coverageLines, '']
        : []),
      `targets met: ${met} of ${targeted}; took ${out.durationSeconds} s; written to ${path.relative(ROOT, file)}`,
      ...failures.map((f) => `FAILED ${f}`),
      '',
    ].join('\n'),
  );
  if (failures.length > 0) process.exitCode = 1;
}

await main();
