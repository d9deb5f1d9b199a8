/**
 * Issue 16, deliverables 1, 3 and 4: the figures a person at the desk gets, timed through the router exactly as
 * the renderer calls it (input validation, lock gate, role check, handler, output validation, audit events), on
 * the synced store with a local audit log of 100k events (--quick: 10k) and a non-empty outbox. The bare one-row
 * commit of the same store is measured in the same rounds, interleaved, so the audited read's ratio to it does not
 * depend on the machine's load of the moment. Search through the router: bench/measure-search.ts (issue 14b).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ThreadPage } from '../src-shared/views';
import type { Core } from '../src-main/core/create-core';
import { STORE_FILE } from '../src-main/store/paths';
import { SeenMarks } from '../src-main/inbox/seen-marks';
import { subjectsOf } from '../src-main/audit/read-records';
import type { Backend, BenchOptions, Result } from './env';
import { measureBooking, timeIt, withNormal } from './measure-durability';
import { openBenchCore, routerCall, routerSignIn } from './setup';
import { msSince, prng, summarize } from './stats';

const ORIGIN = 'bench://console';
const QUEUES = ['all', 'mine', 'unassigned', 'urgent'] as const;

const call = (core: Core, method: string, input: unknown) => routerCall(core, ORIGIN, method, input);

/** Fill this device's audit log up to `target` events, in transactions of 1000 (most of them pushed). */
export function fillAuditLog(core: Core, target: number, staffId: string): void {
  const random = prng(23);
  const threadIds = core.store.db.prepare('SELECT id FROM threads LIMIT 20000').pluck().all() as string[];
  for (let have = core.store.audit.count(); have < target;) {
    const n = Math.min(1000, target - have);
    core.store.transaction(() => {
      core.audit.recordMany(
        { staffId, role: 'clinician' },
        Array.from({ length: n }, () => ({
          action: 'read' as const,
          entityType: 'thread' as const,
          entityId: threadIds[Math.floor(random() * threadIds.length)] ?? null,
          outcome: 'success' as const,
        })),
      );
    });
    have += n;
  }
  // The seen marks' watermark as a console that ran leaves it (session 9): these synthetic reads are not re-applied.
  new SeenMarks(core.store, () => undefined).catchUp();
  // A desk that syncs has pushed nearly all of them: the newest 20 still wait.
  const pending = core.store.auditPush.peek(1_000_000);
  const last = pending.at(-21);
  if (last) core.store.transaction(() => core.store.auditPush.settledThrough(last.seq));
}

export async function measureRouter(
  backend: Backend,
  dataDir: string,
  opts: BenchOptions,
): Promise<Result[]> {
  const core = await openBenchCore(backend, dataDir, { origin: ORIGIN, deviceName: 'bench router desk' });
  try {
    await routerSignIn(core, backend, ORIGIN, 'clinician1');
    const staffId = core.auth.current()!.staff.id;
    const logSize = opts.quick ? 10_000 : 100_000;
    fillAuditLog(core, logSize, staffId);
    // Booking first, as a receptionist, on the same 100k-event log (a sign-in after the long loop below was once
    // answered OFFLINE under load); a failure here costs only its own row.
    let booking: Awaited<ReturnType<typeof measureBooking>> | null = null;
    let bookingLoad = 0;
    try {
      booking = await measureBooking(core, backend, opts.quick ? 50 : 300, call);
      bookingLoad = Math.round(os.loadavg()[0]! * 100) / 100;
    } catch (error) {
      process.stderr.write(`  booking not measured: ${String(error)}\n`);
    }
    await routerSignIn(core, backend, ORIGIN, 'clinician1');
    const threadIds = core.store.db
      .prepare(`SELECT id FROM threads WHERE status != 'done' LIMIT 20000`)
      .pluck()
      .all() as string[];
    // A non-empty outbox: a few claims waiting to be pushed (the engine is not started).
    const unassigned = core.store.db
      .prepare(`SELECT id FROM threads WHERE status != 'done' AND assignee_id IS NULL LIMIT 5`)
      .pluck()
      .all() as string[];
    for (const id of unassigned) await call(core, 'thread.claim', { threadId: id });
    const outbox = core.store.outbox.count();
    const events = core.store.audit.count();

    const random = prng(29);
    const pick = () => threadIds[Math.floor(random() * threadIds.length)]!;
    const warmup = opts.reps.queryWarmup;
    const runs = opts.quick ? 200 : 2_000;
    // Pages each kind of commit writes to the WAL (each one encrypted and authenticated by SQLCipher): what an
    // audited read costs beyond the bare commit. Measured on 100 of each after a checkpoint that empties the WAL.
    const walFile = path.join(dataDir, STORE_FILE + '-wal');
    const framesPer = async (fn: () => Promise<unknown> | void): Promise<number> => {
      core.store.db.pragma('wal_checkpoint(TRUNCATE)');
      const before = fs.statSync(walFile).size;
      for (let k = 0; k < 100; k++) await fn();
      const pageSize = core.store.db.pragma('page_size', { simple: true }) as number;
      return (fs.statSync(walFile).size - before) / (pageSize + 24) / 100;
    };
    let n = 0;
    const commitFrames = await framesPer(() => core.store.syncState.set('bench.commit', `frames ${n++}`));
    const getFrames = await framesPer(() => call(core, 'thread.get', { threadId: pick() }));
    const commitFramesNormal = await withNormal(core, () =>
      framesPer(() => core.store.syncState.set('bench.commit', `frames ${n++}`)),
    );
    const commit: number[] = [];
    const commitNormal: number[] = [];
    const readCommit: number[] = [];
    // The audit commit a thread.get makes, on its own (session 13): the two read events it records (thread and
    // patient) appended through AuditLog.recordMany in one durable commit, with none of the call's other work (the
    // thread and its patient are picked before the clock starts, from a generator of their own, so the other rows
    // see the same threads as before). Its ratio to the bare commit is the floor under the audited read's ratio on
    // this machine's disk. It adds two events per round to the log, as a thread.get does.
    const actor = { staffId, role: 'clinician' as const };
    const floorRandom = prng(31);
    // The router's own mapping (subjectsOf): the thread's event and its patient's, with the patient's field.
    const readEvents = () => {
      const threadId = threadIds[Math.floor(floorRandom() * threadIds.length)]!;
      const subjects = subjectsOf(core.store, 'read', 'thread', threadId, [], { threadId });
      if (!subjects) throw new Error('a picked thread is not held on this PC');
      return subjects.map((x) => ({ ...x, action: 'read' as const, outcome: 'success' as const }));
    };
    const get: number[] = [];
    const getNormal: number[] = [];
    const listHitNormal: number[] = [];
    const change: number[] = [];
    const changeNormal: number[] = [];
    const listMiss: number[] = [];
    const listHit: number[] = [];
    const listChanged: number[] = [];
    // Two threads of the first page of 'all', whose priority the loop changes between asap and urgent.
    const changed = (
      (await call(core, 'inbox.list', { queue: 'all', offset: 0, limit: 50 })) as ThreadPage
    ).threads
      .slice(0, 2)
      .map((x) => x.id);
    if (changed.length < 2) throw new Error('the first page is empty');
    let i = 0;
    for (let round = 0; round < warmup + runs; round++) {
      const timed = round >= warmup;
      // 1. the bare one-row commit of this store (autocommit upsert of one small row)
      let t = process.hrtime.bigint();
      core.store.syncState.set('bench.commit', String(i++));
      if (timed) commit.push(msSince(t));
      // 1b. the same commit with synchronous = NORMAL (not durable: the WAL is not fsynced)
      const normal = await withNormal(core, () =>
        timeIt(() => core.store.syncState.set('bench.commit', String(i++))),
      );
      if (timed) commitNormal.push(normal);
      // 2. thread.get through the router: read, "seen" mark and two audit events, one durable commit
      t = process.hrtime.bigint();
      await call(core, 'thread.get', { threadId: pick() });
      if (timed) get.push(msSince(t));
      // 2b. the same with synchronous = NORMAL (what it cost before the durable audit trail)
      const getN = await withNormal(core, () => timeIt(() => call(core, 'thread.get', { threadId: pick() })));
      if (timed) getNormal.push(getN);
      // 2c. the audit commit of a thread.get alone (two read events, durable; after 2b, so that thread.get still
      // follows the NORMAL bare commit as before this row existed)
      const events = readEvents();
      t = process.hrtime.bigint();
      core.audit.recordMany(actor, events);
      if (timed) readCommit.push(msSince(t));
      // 3. the inbox page right after that write: the first-page cache must read the store again
      const queue = QUEUES[round % QUEUES.length]!;
      t = process.hrtime.bigint();
      const page = (await call(core, 'inbox.list', { queue, offset: 0, limit: 50 })) as ThreadPage;
      if (timed) listMiss.push(msSince(t));
      if (page.threads.length === 0 && queue === 'all') throw new Error('the first page is empty');
      // 4. switching queues with nothing written in between (what the cache is for): each queue once (the first
      // visit since the write reads the store), then each again, timed
      for (const q of QUEUES)
        if (q !== queue) await call(core, 'inbox.list', { queue: q, offset: 0, limit: 50 });
      for (const q of QUEUES) {
        t = process.hrtime.bigint();
        await call(core, 'inbox.list', { queue: q, offset: 0, limit: 50 });
        if (timed) listHit.push(msSince(t));
      }
      const hitN = await withNormal(core, () =>
        timeIt(() => call(core, 'inbox.list', { queue, offset: 0, limit: 50 })),
      );
      if (timed) listHitNormal.push(hitN);
      // 5. the inbox page right after a local change of another kind (a priority change through the router,
      // untimed): a queue's members and order may change, so the page is read from the store
      // (timed too: a local change, its outbox row and audit event in one commit; NORMAL every other round)
      const setPriority = () =>
        timeIt(() =>
          call(core, 'thread.setPriority', {
            threadId: changed[round % changed.length]!,
            priority: round % 4 < 2 ? 'asap' : 'urgent',
          }),
        );
      if (round % 2 === 0) {
        const ms = await setPriority();
        if (timed) change.push(ms);
      } else {
        const ms = await withNormal(core, setPriority);
        if (timed) changeNormal.push(ms);
      }
      t = process.hrtime.bigint();
      await call(core, 'inbox.list', { queue, offset: 0, limit: 50 });
      if (timed) listChanged.push(msSince(t));
      // (the other queues are read again too, so the next round starts from current pages, as a desk would)
      for (const q of QUEUES)
        if (q !== queue) await call(core, 'inbox.list', { queue: q, offset: 0, limit: 50 });
    }
    const load = Math.round(os.loadavg()[0]! * 100) / 100;
    const cN = summarize(commitNormal);
    const gN = summarize(getNormal);
    const hitN = summarize(listHitNormal);
    const ch = summarize(change);
    const chN = summarize(changeNormal);
    const pair = (x: { median: number; p95: number }) =>
      `median ${x.median.toFixed(3)} ms, p95 ${x.p95.toFixed(3)} ms`;
    const c = summarize(commit);
    const bookingRows: Result[] = [];
    if (booking) {
      const bk = summarize(booking.book);
      const bkN = summarize(booking.bookNormal);
      const cc = summarize(booking.cancel);
      const ccN = summarize(booking.cancelNormal);
      bookingRows.push({
        group: 'router',
        name: 'appointment.book through the router, receptionist (outbox row and audit event, durable)',
        unit: 'ms',
        median: bk.median,
        p95: bk.p95,
        target: null,
        runs: bk.n,
        load: bookingLoad,
        note: `the same slot 30 days ahead booked and cancelled again, measured before the other router rows; with synchronous = NORMAL, interleaved: ${pair(bkN)}. appointment.cancel: durable ${pair(cc)}; NORMAL ${pair(ccN)}`,
      });
    }
    const g = summarize(get);
    const rc = summarize(readCommit);
    const miss = summarize(listMiss);
    const hit = summarize(listHit);
    const after = summarize(listChanged);
    const setting = `${events.toLocaleString('en')}-event local audit log, ${outbox} rows waiting to be pushed`;
    return [
      {
        group: 'router',
        name: 'bare one-row commit of the store, durable (the reference for the audited read)',
        unit: 'ms',
        median: c.median,
        p95: c.p95,
        target: null,
        runs: c.n,
        load,
        note: `autocommit upsert of one sync_state row with the durability of a local change (synchronous = FULL: the WAL is fsynced before the commit returns; src-main/store/durability.ts), interleaved with the rows below; ${commitFrames.toFixed(1)} pages written per commit`,
      },
      {
        group: 'router',
        name: 'bare one-row commit of the store, synchronous = NORMAL (not durable; a pull batch commits so)',
        unit: 'ms',
        median: cN.median,
        p95: cN.p95,
        target: null,
        runs: cN.n,
        load,
        note: `the same upsert without the fsync, interleaved: the reference before the durable audit trail; ${commitFramesNormal.toFixed(1)} pages per commit`,
      },
      {
        group: 'router',
        name: 'thread.get through the router (validation, gate, audit, seen mark)',
        unit: 'ms',
        median: g.median,
        p95: g.p95,
        target: null,
        runs: g.n,
        load,
        note: `${setting}; one durable commit: two read events (thread, patient), ${getFrames.toFixed(1)} pages written per commit (SQLCipher encrypts and authenticates each); the seen mark is derived from the read event after the answer (session 9), here by the next inbox page. With synchronous = NORMAL, interleaved: ${pair(gN)}`,
      },
      {
        group: 'router',
        name: 'audited read: thread.get p95 ÷ bare one-row commit p95 (same run)',
        unit: 'x',
        median: g.p95 / c.p95,
        p95: null,
        target: { on: 'median', op: '<=', value: 1.3 },
        runs: g.n,
        load,
        note: `medians: ${(g.median / c.median).toFixed(2)}×. Both NORMAL (neither durable, as before): p95 ${(gN.p95 / cN.p95).toFixed(2)}×, medians ${(gN.median / cN.median).toFixed(2)}×`,
      },
      {
        group: 'router',
        name: 'floor under the audited read: its audit commit alone (two read events, durable) p95 ÷ bare commit p95',
        unit: 'x',
        median: rc.p95 / c.p95,
        p95: null,
        target: null,
        runs: rc.n,
        load,
        note: `AuditLog.recordMany of thread.get's two read events (chain hashes, two rows, one commit and its fsync), none of the call's other work (thread and patient chosen before the clock starts), interleaved (after each round's NORMAL thread.get): ${pair(rc)}; medians ${(rc.median / c.median).toFixed(2)}×. Above 1.3×, no thread.get that records two events in its own durable commit can meet the target on this disk`,
      },
      {
        group: 'router',
        name: 'inbox first page of 50 through the router, queue switch (no write between)',
        unit: 'ms',
        median: hit.median,
        p95: hit.p95,
        target: { on: 'p95', op: '<', value: 0.5 },
        runs: hit.n,
        load,
        note: `${setting}; queues ${QUEUES.join(', ')} in turn; includes its audit event (the list read), a durable commit. With synchronous = NORMAL, interleaved: ${pair(hitN)}`,
      },
      {
        group: 'router',
        name: 'inbox first page of 50 through the router, first after opening a thread (its seen mark)',
        unit: 'ms',
        median: miss.median,
        p95: miss.p95,
        target: null,
        runs: miss.n,
        load,
        note: "after each thread.get: the two reads' seen marks are applied first (one commit without an fsync, session 9), then the cached pages get the threads' unread flags in memory (session 5)",
      },
      {
        group: 'router',
        name: 'inbox first page of 50 through the router, first after a local change (read from the store)',
        unit: 'ms',
        median: after.median,
        p95: after.p95,
        target: null,
        runs: after.n,
        load,
        note: 'after a priority change through the router (untimed): the page is read from the store',
      },
      {
        group: 'router',
        name: 'thread.setPriority through the router (a local change: outbox row and audit event, durable)',
        unit: 'ms',
        median: ch.median,
        p95: ch.p95,
        target: null,
        runs: ch.n,
        load,
        note: `one durable commit; every other round with synchronous = NORMAL: ${pair(chN)}`,
      },
      ...bookingRows,
    ];
  } finally {
    await core.close();
  }
}
