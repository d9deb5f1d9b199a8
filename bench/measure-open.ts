/**
 * 7. Opening the store and showing the first inbox page, from process start: bench/child-open.ts is spawned
 * (node + tsx, as in development; a packaged build loads one bundled file instead) and the wall time from
 * spawn to its answer is measured, with the child's own milestones as the breakdown.
 */
import fs from 'node:fs';
import { AuditLog } from '../src-main/audit';
import { systemClock } from '../src-main/base/adapters';
import { keyAccountFor, loadOrCreateStoreKey } from '../src-main/keys/store-key';
import { SeenMarks } from '../src-main/inbox/seen-marks';
import { openStore } from '../src-main/store/store';
import { type BenchOptions, type Result, keyStore, runChild } from './env';
import { prng, summarize } from './stats';

/** The milestones bench/child-open.ts prints (ms since its process started) and its counts. */
export interface OpenRun {
  loaded: number;
  keyed: number;
  opened: number;
  checked: number;
  /** The page read, before its audit events (session 9). */
  paged: number;
  /** The page's audit events committed (its list read, as the router records it). */
  listed: number;
  rows: number;
  auditEvents: number;
  auditChecked: number;
}

/** One store's timed start-ups: the child's milestones and the wall time from spawn to its answer (ms). */
export interface OpenRuns {
  dir: string;
  runs: OpenRun[];
  walls: number[];
}

/**
 * Start each store in `dirs` (bench/child-open.ts, `nodeFlags` for its node) in turn, `runs` + 1 rounds; the first
 * round is a warm-up (OS file cache, keyring daemon). Alternating spreads load and cache state over all alike.
 * @throws Error when a first page does not have 50 threads.
 */
export async function alternateOpenRuns(
  dirs: readonly string[],
  runs: number,
  nodeFlags: string[] = [],
): Promise<OpenRuns[]> {
  const out = dirs.map((dir) => ({ dir, runs: [] as OpenRun[], walls: [] as number[] }));
  for (let i = 0; i <= runs; i++) {
    for (const size of out) {
      const { value, wallMs } = await runChild<OpenRun>('child-open.ts', [size.dir], {}, nodeFlags);
      if (value.rows !== 50) throw new Error(`the first page had ${value.rows} threads`);
      if (i === 0) continue;
      size.walls.push(wallMs);
      size.runs.push(value);
    }
  }
  return out;
}

/** The three rows of one log size from its timed runs (`walls`: spawn to answer, ms). */
function openRows(runs: OpenRun[], walls: number[], note: string): Result[] {
  const wall = summarize(walls);
  const events = runs[0]?.auditEvents ?? 0;
  const size = `${events.toLocaleString('en')}-event audit log`;
  const m = (f: (r: OpenRun) => number) => summarize(runs.map(f)).median;
  const steps = [
    `node + tsx + code loaded ${m((r) => r.loaded).toFixed(0)} ms`,
    `key from keychain ${m((r) => r.keyed - r.loaded).toFixed(0)} ms`,
    `store opened ${m((r) => r.opened - r.keyed).toFixed(0)} ms`,
    `audit check from its checkpoint (${runs[0]?.auditChecked ?? 0} of ${events.toLocaleString('en')} events hashed) ${m((r) => r.checked - r.opened).toFixed(1)} ms`,
    `first page ${m((r) => r.listed - r.checked).toFixed(1)} ms (its read ${m((r) => r.paged - r.checked).toFixed(1)}, its audit events and commit ${m((r) => r.listed - r.paged).toFixed(1)})`,
  ];
  return [
    {
      group: 'open',
      name: `start-up, ${size}: process start → store open (key from keychain) → first inbox page`,
      unit: 'ms',
      median: wall.median,
      p95: wall.p95,
      target: null,
      runs: wall.n,
      note: `${steps.join('; ')}${note}`,
    },
    {
      group: 'open',
      name: `start-up, ${size}: keychain + open + audit check + first page (in the process)`,
      unit: 'ms',
      median: m((r) => r.listed - r.loaded),
      p95: summarize(runs.map((r) => r.listed - r.loaded)).p95,
      target: null,
      runs: runs.length,
    },
    {
      group: 'open',
      name: `start-up, ${size}: of which the audit check`,
      unit: 'ms',
      median: m((r) => r.checked - r.opened),
      p95: summarize(runs.map((r) => r.checked - r.opened)).p95,
      target: null,
      runs: runs.length,
      note: 'createCore verifies from the last checkpoint (the first start after an upgrade walks the whole log)',
    },
  ];
}

/**
 * Start-up with `smaller` and `larger` local audit events (issue 16 §6: 100k and 1M; DESIGN §10 "start-up flat in
 * the size of the audit log"): the store's log is grown to `smaller` events when it has fewer (the groups before
 * this one leave more), a copy of the store in a sibling folder (same key, under its own keychain account) is
 * grown to `larger` events, then the two are started in ALTERNATION, `opts.reps.openRuns` timed runs each after
 * one warm-up each, so load and the OS file cache fall on both alike. Session 9 (s9dup): measured one size after
 * the other, minutes apart and 5 runs each, the ratio moved between 0.81× and 1.23× with no step growing (the
 * keychain's answer alone varies 2× run to run). Rows: the three of each size, then the ratio of the in-process
 * medians with each step's medians in its note. The copy is removed after.
 */
export async function measureOpenBesideLarger(
  dataDir: string,
  smaller: number,
  larger: number,
  opts: BenchOptions,
  log: (line: string) => void,
): Promise<Result[]> {
  await growAuditLog(dataDir, smaller);
  const copy = `${dataDir}-larger`;
  fs.cpSync(dataDir, copy, { recursive: true });
  try {
    await keyStore.set(keyAccountFor(copy), await loadOrCreateStoreKey(keyStore, dataDir));
    log(`  growing a copy of the store's audit log to ${larger.toLocaleString('en')} events`);
    await growAuditLog(copy, larger);
    const [small, large] = (await alternateOpenRuns([dataDir, copy], opts.reps.openRuns)) as [
      OpenRuns,
      OpenRuns,
    ];
    // Each size's runs alternated with the other's (the ratio row after them).
    const alternated = '; runs alternated with the other log size';
    const smallRows = openRows(small.runs, small.walls, alternated);
    const largeRows = openRows(large.runs, large.walls, alternated);
    const median = (runs: OpenRun[], f: (r: OpenRun) => number) => summarize(runs.map(f)).median;
    const step = (label: string, f: (r: OpenRun) => number) =>
      `${label} ${median(large.runs, f).toFixed(1)} vs ${median(small.runs, f).toFixed(1)}`;
    const inProcess = (r: OpenRun) => r.listed - r.loaded;
    const fromKey = (r: OpenRun) => r.listed - r.keyed;
    const events = (runs: OpenRun[]) => (runs[0]?.auditEvents ?? 0).toLocaleString('en');
    return [
      ...smallRows,
      ...largeRows,
      {
        group: 'open',
        name: 'start-up in the process, the tenfold audit log ÷ the smaller (flat in the size of the log: about 1×)',
        unit: 'x',
        median: median(large.runs, inProcess) / median(small.runs, inProcess),
        p95: null,
        target: null,
        runs: Math.min(small.runs.length, large.runs.length),
        note:
          `medians, ${events(large.runs)} vs ${events(small.runs)} events, runs alternated: in the process ` +
          `${median(large.runs, inProcess).toFixed(1)} vs ${median(small.runs, inProcess).toFixed(1)} ms; ` +
          [
            step('keychain', (r) => r.keyed - r.loaded),
            step('store open', (r) => r.opened - r.keyed),
            step('audit check', (r) => r.checked - r.opened),
            step('first page read', (r) => r.paged - r.checked),
            step('its audit events and commit', (r) => r.listed - r.paged),
          ].join(', ') +
          ' ms',
      },
      {
        // The key's look-up asks the keyring daemon over D-Bus and never touches the store: the log cannot move
        // it, but its answer varies up to 2× from run to run (session 9), which the row above carries.
        group: 'open',
        name: 'start-up in the process without the keychain (store open → first page), the tenfold audit log ÷ the smaller',
        unit: 'x',
        median: median(large.runs, fromKey) / median(small.runs, fromKey),
        p95: null,
        target: null,
        runs: Math.min(small.runs.length, large.runs.length),
        note: `medians: ${median(large.runs, fromKey).toFixed(1)} vs ${median(small.runs, fromKey).toFixed(1)} ms`,
      },
    ];
  } finally {
    await keyStore.delete(keyAccountFor(copy)).catch(() => false);
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * Grow the store's local audit log to `target` events (chained as the console records them, in transactions of
 * 5,000), for start-up at 10× the log (issue 16, deliverable 6).
 */
export async function growAuditLog(dataDir: string, target: number): Promise<void> {
  const store = await openStore(dataDir, keyStore);
  try {
    const audit = new AuditLog(store, systemClock, () => 'dev-bench');
    const threadIds = store.db.prepare('SELECT id FROM threads LIMIT 20000').pluck().all() as string[];
    const random = prng(31);
    for (let have = store.audit.count(); have < target;) {
      const n = Math.min(5_000, target - have);
      store.transaction(() =>
        audit.recordMany(
          { staffId: 'stf-clinician1', role: 'clinician' },
          Array.from({ length: n }, () => ({
            action: 'read' as const,
            entityType: 'thread' as const,
            entityId: threadIds[Math.floor(random() * threadIds.length)] ?? null,
            outcome: 'success' as const,
          })),
        ),
      );
      have += n;
    }
    // The seen marks' watermark as a console that ran leaves it (session 9): these synthetic reads are not re-applied.
    new SeenMarks(store, () => undefined).catchUp();
  } finally {
    store.close();
  }
}
