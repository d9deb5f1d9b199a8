/**
 * 7. Opening the store and showing the first inbox page, from process start: bench/child-open.ts is spawned
 * (node + tsx, as in development; a packaged build loads one bundled file instead) and the wall time from
 * spawn to its answer is measured, with the child's own milestones as the breakdown.
 */
import { AuditLog } from '../src-main/audit';
import { systemClock } from '../src-main/base/adapters';
import { SeenMarks } from '../src-main/inbox/seen-marks';
import { openStore } from '../src-main/store/store';
import { type BenchOptions, type Result, keyStore, runChild } from './env';
import { prng, summarize } from './stats';

interface OpenRun {
  loaded: number;
  keyed: number;
  opened: number;
  checked: number;
  listed: number;
  rows: number;
  auditEvents: number;
  auditChecked: number;
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
  const events = runs[0]?.auditEvents ?? 0;
  const size = `${events.toLocaleString('en')}-event audit log`;
  const m = (f: (r: OpenRun) => number) => summarize(runs.map(f)).median;
  const steps = [
    `node + tsx + code loaded ${m((r) => r.loaded).toFixed(0)} ms`,
    `key from keychain ${m((r) => r.keyed - r.loaded).toFixed(0)} ms`,
    `store opened ${m((r) => r.opened - r.keyed).toFixed(0)} ms`,
    `audit check from its checkpoint (${runs[0]?.auditChecked ?? 0} of ${events.toLocaleString('en')} events hashed) ${m((r) => r.checked - r.opened).toFixed(1)} ms`,
    `first page ${m((r) => r.listed - r.checked).toFixed(1)} ms`,
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
      note: steps.join('; '),
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
