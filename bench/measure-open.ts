/**
 * 7. Opening the store and showing the first inbox page, from process start: bench/child-open.ts is spawned
 * (node + tsx, as in development; a packaged build loads one bundled file instead) and the wall time from
 * spawn to its answer is measured, with the child's own milestones as the breakdown.
 */
import { type BenchOptions, type Result, runChild } from './env';
import { summarize } from './stats';

interface OpenRun {
  loaded: number;
  keyed: number;
  opened: number;
  checked: number;
  listed: number;
  rows: number;
  auditEvents: number;
}

export async function measureOpen(dataDir: string, opts: BenchOptions): Promise<Result[]> {
  const walls: number[] = [];
  const runs: OpenRun[] = [];
  for (let i = 0; i <= opts.reps.openRuns; i++) {
    const { value, wallMs } = await runChild<OpenRun>('child-open.ts', [dataDir]);
    if (value.rows !== 50) throw new Error(`the first page had ${value.rows} threads`);
    if (i === 0) continue; // warm-up: OS file cache, keyring daemon
    walls.push(wallMs);
    runs.push(value);
  }
  const wall = summarize(walls);
  const m = (f: (r: OpenRun) => number) => summarize(runs.map(f)).median;
  const steps = [
    `node + tsx + code loaded ${m((r) => r.loaded).toFixed(0)} ms`,
    `key from keychain ${m((r) => r.keyed - r.loaded).toFixed(0)} ms`,
    `store opened ${m((r) => r.opened - r.keyed).toFixed(0)} ms`,
    `audit chain verified (${runs[0]?.auditEvents ?? 0} events) ${m((r) => r.checked - r.opened).toFixed(0)} ms`,
    `first page ${m((r) => r.listed - r.checked).toFixed(1)} ms`,
  ];
  return [
    {
      group: 'open',
      name: 'process start → store open (key from keychain) → first inbox page',
      unit: 'ms',
      median: wall.median,
      p95: wall.p95,
      target: null,
      runs: wall.n,
      note: steps.join('; '),
    },
    {
      group: 'open',
      name: 'of which: keychain + open + audit check + first page (in the process)',
      unit: 'ms',
      median: m((r) => r.listed - r.loaded),
      p95: summarize(runs.map((r) => r.listed - r.loaded)).p95,
      target: null,
      runs: runs.length,
    },
  ];
}
