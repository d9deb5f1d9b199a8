/**
 * Where a durable `thread.get`'s time goes (issue 16 §3, session 12): syncs a console from a demo backend at --scale,
 * grows its audit log to 100k events, then times in one interleaved loop (3,000 rounds after 300 untimed) the bare
 * one-row commit and `thread.get` through the router, each with synchronous = FULL and NORMAL, and splits each
 * `thread.get` into its audit commit (`AuditLog.recordMany`: chain hash, rows, commit, and with FULL its fsync) and
 * the rest (validation, gate, access check, reads). Prints median and p95 (ms) of each.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-audited-commit.ts [scale=5]
 *
 * YIELD=1 lets the event loop turn after each call (the seen mark and index batches then run between calls).
 */
import type { Core } from '../src-main/core/create-core';
import { cleanupAll, startBackend, type BenchOptions } from './env';
import { fillAuditLog } from './measure-router';
import { measureSync } from './measure-sync';
import { openBenchCore, openThreadPicker, QUICK_REPS, routerCall, routerSignIn } from './setup';
import { msSince, summarize } from './stats';

const ORIGIN = 'bench://console';
const call = (core: Core, method: string, input: unknown) => routerCall(core, ORIGIN, method, input);
const opts: BenchOptions = { scale: Number(process.argv[2] ?? 5), quick: true, reps: QUICK_REPS };
const backend = await startBackend(opts.scale);
try {
  const { dataDir } = await measureSync(backend, opts);
  const core = await openBenchCore(backend, dataDir, { origin: ORIGIN, deviceName: 'split desk' });
  await routerSignIn(core, backend, ORIGIN, 'clinician1');
  fillAuditLog(core, 100_000, core.auth.current()!.staff.id);
  const pick = openThreadPicker(core);
  const audit = core.audit as unknown as { recordMany: (...a: unknown[]) => unknown };
  const orig = audit.recordMany.bind(audit);
  let rec = 0;
  audit.recordMany = (...a: unknown[]) => {
    const t = process.hrtime.bigint();
    try {
      return orig(...a);
    } finally {
      rec += msSince(t);
    }
  };
  const db = core.store.db;
  const s: Record<string, number[]> = {};
  const push = (k: string, v: number) => (s[k] ??= []).push(v);
  let i = 0;
  for (let round = 0; round < 3300; round++) {
    const timed = round >= 300;
    for (const sync of ['FULL', 'NORMAL']) {
      db.pragma(`synchronous = ${sync}`);
      let t = process.hrtime.bigint();
      core.store.syncState.set('bench.commit', String(i++));
      if (timed) push(`bare ${sync}`, msSince(t));
      rec = 0;
      t = process.hrtime.bigint();
      await call(core, 'thread.get', { threadId: pick() });
      const all = msSince(t);
      if (timed) {
        push(`get ${sync}`, all);
        push(`get ${sync} recordMany`, rec);
        push(`get ${sync} rest`, all - rec);
      }
      if (process.env.YIELD) await new Promise((r) => setImmediate(r));
    }
    db.pragma('synchronous = FULL');
  }
  for (const [k, v] of Object.entries(s)) {
    const x = summarize(v);
    console.log(k.padEnd(24), 'median', x.median.toFixed(3), 'p95', x.p95.toFixed(3));
  }
  await core.close();
} finally {
  await backend.close();
  await cleanupAll();
}
