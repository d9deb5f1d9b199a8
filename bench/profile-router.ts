/**
 * Where an audited read's time goes (issue 16 §3, §4): syncs a console from a demo backend at --scale, grows its
 * local audit log, then CPU-profiles (node:inspector, sampling every 50 µs) only the timed loop of one call kind
 * through the router, as bench/measure-router.ts times it, and prints self time per function (top 40) plus the
 * loop's median and p95. Writes the raw profile to <out>.cpuprofile (open it in Chrome DevTools).
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-router.ts get|list-miss|list-hit|commit \
 *     [scale=5] [events=10000] [runs=3000] [out=/tmp/router]
 *
 * `pages` prints which tables and indexes the WAL frames of a thread.get commit belong to (dbstat).
 * `frames` instead of a call kind prints, for a bare commit, one and two audit events, a "seen" mark, and the bare
 * commit and two events again with synchronous = FULL: WAL frames (pages encrypted and written) per commit and
 * the median and p95 time of each (the pages a commit writes are what an audited read costs beyond the bare one).
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import type { Core } from '../src-main/core/create-core';
import { cleanupAll, startBackend, type BenchOptions } from './env';
import { fillAuditLog } from './measure-router';
import { measureSync } from './measure-sync';
import { openBenchCore, openThreadPicker, QUICK_REPS, routerCall, routerSignIn } from './setup';
import { msSince, summarize } from './stats';

const [mode = 'get', scaleArg = '5', eventsArg = '10000', runsArg = '3000', out = '/tmp/router'] =
  process.argv.slice(2);
const ORIGIN = 'bench://console';
const QUEUES = ['all', 'mine', 'unassigned', 'urgent'] as const;

const call = (core: Core, method: string, input: unknown) => routerCall(core, ORIGIN, method, input);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function selfTimes(p: Profile): Array<[string, number]> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const url = f.url.replace(/^.*\/wt-[^/]+\//, '').replace(/^file:\/\//, '');
    const key = `${f.functionName || '(anon)'}  ${url}:${f.lineNumber + 1}`;
    const dt = p.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [['TOTAL', total], ...[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)];
}

const opts: BenchOptions = {
  scale: Number(scaleArg),
  quick: true,
  reps: QUICK_REPS,
};
const backend = await startBackend(opts.scale);
try {
  const { dataDir } = await measureSync(backend, opts);
  const core = await openBenchCore(backend, dataDir, { origin: ORIGIN, deviceName: 'profile router desk' });
  try {
    await routerSignIn(core, backend, ORIGIN, 'clinician1');
    fillAuditLog(core, Number(eventsArg), core.auth.current()!.staff.id);
    const pick = openThreadPicker(core);
    let i = 0;
    const yieldMs: number[] = [];
    const once = async (round: number): Promise<number> => {
      const t = process.hrtime.bigint();
      if (mode === 'commit') core.store.syncState.set('bench.commit', String(i++));
      else if (mode === 'get') {
        await call(core, 'thread.get', { threadId: pick() });
        const ms = msSince(t);
        // PROFILE_YIELD=1: let the event loop turn after each answer, as between two opens at a desk, so the
        // seen mark derived from the read (session 9) is written then, untimed (its own time: yieldMs).
        if (process.env.PROFILE_YIELD) {
          const y = process.hrtime.bigint();
          await new Promise((resolve) => setImmediate(resolve));
          yieldMs.push(msSince(y));
        }
        return ms;
      } else {
        const queue = QUEUES[round % QUEUES.length]!;
        if (mode === 'list-miss') {
          core.store.syncState.set('bench.commit', String(i++));
          core.store.transaction(() => core.store.threads.markSeen(pick(), new Date().toISOString()));
          const t2 = process.hrtime.bigint();
          await call(core, 'inbox.list', { queue, offset: 0, limit: 50 });
          return msSince(t2);
        }
        await call(core, 'inbox.list', { queue, offset: 0, limit: 50 });
      }
      return msSince(t);
    };
    const runs = Number(runsArg);
    // PROFILE_SYNC=NORMAL: the loop's commits without the fsync, so the profile shows the call's own CPU.
    if (process.env.PROFILE_SYNC) core.store.db.pragma(`synchronous = ${process.env.PROFILE_SYNC}`);
    if (mode === 'plan') {
      // Each statement an inbox first page runs per queue (captured as prepared), its plan and its time.
      const db = core.store.db;
      const seen = new Map<string, unknown>();
      const prepare = db.prepare.bind(db);
      (db as { prepare: unknown }).prepare = (sql: string) => {
        const stmt = prepare(sql);
        const wrap = (fn: 'all' | 'get') => {
          const orig = stmt[fn].bind(stmt);
          (stmt as unknown as Record<string, unknown>)[fn] = (...args: unknown[]) => {
            seen.set(sql, args[0]);
            return orig(...(args as []));
          };
        };
        if (stmt.reader) {
          wrap('all');
          wrap('get');
        }
        return stmt;
      };
      for (const queue of QUEUES) {
        core.store.syncState.set('bench.commit', String(i++));
        core.store.transaction(() => core.store.threads.markSeen(pick(), new Date().toISOString()));
        await call(core, 'inbox.list', { queue, offset: 0, limit: 50 });
      }
      (db as { prepare: unknown }).prepare = prepare;
      for (const [sql, arg] of seen) {
        if (!/FROM threads|thread_counts/.test(sql)) continue;
        const args = arg === undefined ? [] : [arg];
        const stmt = prepare(sql);
        const t = process.hrtime.bigint();
        for (let r = 0; r < 20; r++) stmt.all(...(args as []));
        const plan = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(args as [])) as { detail: string }[];
        process.stdout.write(
          `${(msSince(t) / 20).toFixed(3)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n   ${JSON.stringify(arg)}\n   ${plan.map((p) => p.detail).join(' | ')}\n`,
        );
      }
    } else if (mode === 'pages') {
      // Which b-trees the pages of one thread.get commit belong to (issue 16 §3: what the commit writes beyond
      // the bare one): 100 calls on unseen threads after a checkpoint that empties the WAL, each WAL frame's page
      // number (the frame header is not encrypted) mapped to its table or index through dbstat.
      const walFile = `${dataDir}/clinic.db-wal`;
      const unseen = core.store.db
        .prepare(`SELECT id FROM threads WHERE status != 'done' AND seen_at IS NULL LIMIT 100`)
        .pluck()
        .all() as string[];
      const owner = new Map<number, string>();
      for (const r of core.store.db.prepare('SELECT name, pageno FROM dbstat').iterate() as Iterable<{
        name: string;
        pageno: number;
      }>)
        owner.set(r.pageno, r.name);
      core.store.db.pragma('wal_checkpoint(TRUNCATE)');
      const start = fs.statSync(walFile).size;
      for (const id of unseen) await call(core, 'thread.get', { threadId: id });
      const wal = fs.readFileSync(walFile);
      const byTree = new Map<string, number>();
      for (let at = Math.max(start, 32); at + 24 + 4096 <= wal.length; at += 24 + 4096) {
        const page = wal.readUInt32BE(at);
        const name = owner.get(page) ?? `(page ${page}, new)`;
        byTree.set(name, (byTree.get(name) ?? 0) + 1);
      }
      const total = [...byTree.values()].reduce((a, b) => a + b, 0);
      process.stdout.write(
        `thread.get on ${unseen.length} unseen threads: ${(total / unseen.length).toFixed(2)} frames per call\n`,
      );
      for (const [name, n] of [...byTree.entries()].sort((a, b) => b[1] - a[1]))
        process.stdout.write(`${(n / unseen.length).toFixed(2).padStart(6)}  ${name}\n`);
    } else if (mode === 'frames') {
      const walFile = `${dataDir}/clinic.db-wal`;
      const staffId = core.auth.current()!.staff.id;
      const unseen = core.store.db
        .prepare(
          `SELECT id FROM threads WHERE status != 'done' AND (seen_at IS NULL OR seen_at < last_message_at)`,
        )
        .pluck()
        .all() as string[];
      const variants: Record<string, () => void> = {
        bare: () => core.store.syncState.set('bench.commit', String(i++)),
        audit1: () =>
          core.audit.record(
            { staffId, role: 'clinician' },
            {
              action: 'read',
              entityType: 'thread',
              entityId: pick(),
              outcome: 'success',
            },
          ),
        audit2: () =>
          core.audit.recordMany({ staffId, role: 'clinician' }, [
            { action: 'read', entityType: 'thread', entityId: pick(), outcome: 'success' },
            {
              action: 'read',
              entityType: 'patient',
              entityId: pick(),
              outcome: 'success',
              fields: ['thread.x'],
            },
          ]),
        seen: () =>
          core.store.transaction(() => core.store.threads.markSeen(unseen.pop()!, new Date().toISOString())),
      };
      // The same commits with synchronous = FULL (an fsync of the WAL per commit), for the durability question.
      variants['bare FULL'] = () => variants.bare!();
      variants['audit2 FULL'] = () => variants.audit2!();
      for (const [name, fn] of Object.entries(variants)) {
        core.store.db.pragma(`synchronous = ${name.endsWith('FULL') ? 'FULL' : 'NORMAL'}`);
        core.store.db.pragma('wal_checkpoint(TRUNCATE)');
        const before = fs.statSync(walFile).size;
        const times: number[] = [];
        for (let r = 0; r < 200; r++) {
          const t = process.hrtime.bigint();
          fn();
          times.push(msSince(t));
        }
        const frames = (fs.statSync(walFile).size - before) / (4096 + 24) / 200;
        const s = summarize(times);
        process.stdout.write(
          `${name}: ${frames.toFixed(2)} frames/commit, median ${s.median.toFixed(3)} p95 ${s.p95.toFixed(3)} ms\n`,
        );
      }
    } else {
      for (let r = 0; r < 300; r++) await once(r);
      // WAL frames (pages) one call writes, averaged over 200 calls after a checkpoint that empties the WAL.
      const walFile = `${dataDir}/clinic.db-wal`;
      core.store.db.pragma('wal_checkpoint(TRUNCATE)');
      const before = fs.statSync(walFile).size;
      for (let r = 0; r < 200; r++) await once(r);
      const frames = (fs.statSync(walFile).size - before) / (4096 + 24) / 200;
      process.stdout.write(`WAL frames per call: ${frames.toFixed(2)}\n`);
      // PROFILE_OFF=1: the same loop without the sampling profiler (its own overhead is ~0.07 ms per call).
      const profiling = !process.env.PROFILE_OFF;
      const session = new inspector.Session();
      if (profiling) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 50 });
        await session.post('Profiler.start');
      }
      const times: number[] = [];
      for (let r = 0; r < runs; r++) times.push(await once(r));
      let profile: Profile = { nodes: [], samples: [], timeDeltas: [] };
      if (profiling) {
        ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile });
        session.disconnect();
        fs.writeFileSync(`${out}-${mode}.cpuprofile`, JSON.stringify(profile));
      }
      const s = summarize(times);
      process.stdout.write(
        `${mode}: ${runs} runs, median ${s.median.toFixed(3)} ms, p95 ${s.p95.toFixed(3)} ms, events ${core.store.audit.count()}\n`,
      );
      if (yieldMs.length > 0) {
        const y = summarize(yieldMs);
        process.stdout.write(
          `after each answer (seen mark): median ${y.median.toFixed(3)} ms, p95 ${y.p95.toFixed(3)} ms\n`,
        );
      }
      for (const [k, us] of selfTimes(profile))
        process.stdout.write(`${(us / 1000 / runs).toFixed(4).padStart(8)} ms/call  ${k}\n`);
    }
  } finally {
    await core.close();
  }
} finally {
  await backend.close();
  await cleanupAll();
}
