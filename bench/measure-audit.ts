/**
 * 6. The audit trail: the cost of recording one "read" event (AuditLog.record: chain hash and one audit row,
 * pushed later from the log by seq) on the synced store's 100k-event log, and of verifying a long chain
 * (AuditLog.verify). The audited thread view is measured through the router (bench/measure-router.ts).
 */
import crypto from 'node:crypto';
import { AuditLog } from '../src-main/audit';
import { listedRecords } from '../src-main/audit/read-records';
import { AuditReport } from '../src-main/audit/report';
import { systemClock } from '../src-main/base/adapters';
import { SeenMarks } from '../src-main/inbox/seen-marks';
import { InboxService } from '../src-main/inbox/inbox-service';
import { openDatabase } from '../src-main/store/open';
import { Store } from '../src-main/store/store';
import { SYNCHRONOUS } from '../src-main/store/durability';
import { type BenchOptions, type Result, tempDir } from './env';
import { msSince, prng, summarize, timeSync } from './stats';

const READER = { staffId: 'stf-clinician1', role: 'clinician' as const };

/** The store's durable setting (src-main/store/durability.ts DURABLE_SYNCHRONOUS), put back after a NORMAL commit. */
const DURABLE_LEVEL = SYNCHRONOUS.FULL;

/**
 * Recording one audit event (issue 16: on a 100k-event log, not an empty one). Every event rides in the commit of
 * the call that records it, and that commit's fsync is paid once per call whatever it records: it is the store's
 * bare durable commit (bench/measure-router.ts). So the row with the target times what one event adds to a call:
 * its own transaction (chain hash, the row, its pages encrypted and written to the WAL at commit) without the
 * fsync (synchronous = NORMAL). The same event in its own durable commit (an fsync each, what the row timed
 * until session 7) is the second row, interleaved with the bare durable commit of the same store.
 */
export function measureAuditRecord(store: Store, opts: BenchOptions): Result[] {
  const audit = new AuditLog(store, systemClock, () => 'dev-bench');
  const threadIds = (store.db.prepare('SELECT id FROM threads LIMIT 5000').pluck().all() as string[]) ?? [];
  const random = prng(7);
  const pick = () => threadIds[Math.floor(random() * threadIds.length)] ?? 'thr-none';
  const logSize = opts.quick ? 10_000 : 100_000;
  for (let have = store.audit.count(); have < logSize; have += 1000) {
    const n = Math.min(1000, logSize - have);
    store.transaction(() =>
      audit.recordMany(
        READER,
        Array.from({ length: n }, () => ({
          action: 'read' as const,
          entityType: 'thread' as const,
          entityId: pick(),
          outcome: 'success' as const,
        })),
      ),
    );
  }
  audit.flushEntityIndex();
  // The seen marks' watermark as a console that ran leaves it (session 9): these synthetic reads are not re-applied.
  new SeenMarks(store, () => undefined).catchUp();
  const read = () =>
    audit.record(READER, { action: 'read', entityType: 'thread', entityId: pick(), outcome: 'success' });
  const before = store.audit.count();
  const inCall: number[] = [];
  const ownCommit: number[] = [];
  const bare: number[] = [];
  const time = (fn: () => unknown) => {
    const t = process.hrtime.bigint();
    fn();
    return msSince(t);
  };
  const rounds = opts.reps.auditRecords;
  let i = 0;
  for (let r = 0; r < 200 + rounds; r++) {
    const timed = r >= 200;
    const b = time(() => store.syncState.set('bench.commit', String(i++)));
    const own = time(read);
    store.db.pragma('synchronous = NORMAL');
    const call = time(read);
    store.db.pragma(`synchronous = ${DURABLE_LEVEL}`);
    if (timed) {
      bare.push(b);
      ownCommit.push(own);
      inCall.push(call);
    }
  }
  const c = summarize(inCall);
  const o = summarize(ownCommit);
  const b = summarize(bare);
  const log = `${before.toLocaleString('en')}-event log`;
  return [
    {
      group: 'audit',
      name: "record one audit 'read' event: what it adds to its call's commit (AuditLog.record, no fsync)",
      unit: 'ms',
      median: c.median,
      p95: c.p95,
      target: { on: 'p95', op: '<', value: 0.2 },
      runs: c.n,
      note: `${log}; its own transaction with synchronous = NORMAL: chain hash, one row, its pages encrypted and written to the WAL; the fsync is the call's, paid once per call (the bare durable commit: median ${b.median.toFixed(3)}, p95 ${b.p95.toFixed(3)} ms, interleaved)`,
    },
    {
      group: 'audit',
      name: "record one audit 'read' event in its own durable commit (an fsync each)",
      unit: 'ms',
      median: o.median,
      p95: o.p95,
      target: null,
      runs: o.n,
      note: `${log}; interleaved with the bare durable one-row commit (median ${b.median.toFixed(3)}, p95 ${b.p95.toFixed(3)} ms): p95 ratio ${(o.p95 / b.p95).toFixed(2)}×`,
    },
  ];
}

export function measureAuditVerify(opts: BenchOptions): Result[] {
  const dir = tempDir('audit');
  const { db, file } = openDatabase(dir, crypto.randomBytes(32).toString('hex'));
  const store = new Store(db, file);
  try {
    const audit = new AuditLog(store, systemClock, () => 'dev-bench');
    const n = opts.reps.auditChain;
    const random = prng(11);
    for (let done = 0; done < n;) {
      const batch = Math.min(1000, n - done);
      store.transaction(() => {
        for (let i = 0; i < batch; i++) {
          audit.record(READER, {
            action: random() < 0.8 ? 'read' : 'update',
            entityType: 'thread',
            entityId: `thr-${Math.floor(random() * 80_000)}`,
            outcome: 'success',
            fields: random() < 0.2 ? ['priority', 'status'] : [],
          });
        }
      });
      done += batch;
    }
    let count = 0;
    const s = summarize(
      timeSync(
        () => {
          const r = audit.verify();
          if (!r.ok) throw new Error('the benchmark chain does not verify');
          count = r.count;
        },
        { warmup: 1, runs: 3 },
      ),
    );
    return [
      {
        group: 'audit',
        name: `verify a ${count.toLocaleString('en')}-event chain (AuditLog.verify)`,
        unit: 'ms',
        median: s.median,
        p95: null,
        target: null,
        runs: s.n,
        note: `slowest run ${s.max.toFixed(0)} ms; createCore runs it at every start`,
      },
    ];
  } finally {
    store.close();
  }
}

/**
 * Issue 11: a list read records the ids it returned (one event for the list plus one 'read' event per thread
 * and per patient shown, src-main/audit/read-records.ts). Timed as the router serves `inbox.list`: the page and
 * its events in one transaction; a first page of 50 of "all", and a search, each with and without its events.
 */
export function measureAuditedLists(store: Store, opts: BenchOptions): Result[] {
  const audit = new AuditLog(store, systemClock, () => 'dev-bench');
  const inbox = new InboxService(store, systemClock, () => undefined);
  const staff = store.staff.byUsername('clinician1');
  if (!staff) throw new Error('clinician1 is not in the synced store');
  const { queryWarmup: warmup, queryRuns: runs } = opts.reps;
  const cases = [
    { name: 'first page of 50, queue all', input: { queue: 'all' as const, offset: 0, limit: 50 } },
    {
      name: 'search "appointment", page of 50',
      input: { queue: 'all' as const, search: 'appointment', offset: 0, limit: 50 },
    },
  ];
  const results: Result[] = [];
  for (const c of cases) {
    let events = 0;
    const page = (audited: boolean) =>
      store.transaction(() => {
        const value = inbox.list(staff, c.input);
        if (!audited) return;
        const listed = listedRecords('inbox.list', value);
        events = 1 + listed.length;
        audit.recordMany(READER, [
          { action: 'read', entityType: 'queue', entityId: null, outcome: 'success' },
          ...listed.map((r) => ({ action: 'read' as const, outcome: 'success' as const, ...r })),
        ]);
      });
    const plain = summarize(timeSync(() => page(false), { warmup, runs }));
    const audited = summarize(timeSync(() => page(true), { warmup, runs }));
    results.push({
      group: 'audit',
      name: `audited list read: ${c.name} (+ ${events} events)`,
      unit: 'ms',
      median: audited.median,
      p95: audited.p95,
      target: null,
      runs: audited.n,
      note: `without its events ${plain.median.toFixed(3)}/${plain.p95.toFixed(3)} ms (median/p95)`,
    });
  }
  return results;
}

/**
 * Issue 11: the admin audit report (AuditReport.page, as `audit.report` serves it) over this device's log and
 * the server's events in the synced store: the newest page of 100 unfiltered, and one patient's events.
 */
export function measureAuditReport(store: Store, opts: BenchOptions): Result[] {
  const audit = new AuditLog(store, systemClock, () => 'dev-bench');
  const report = new AuditReport(store, audit, () => Date.now());
  const patientId = (store.db.prepare('SELECT id FROM patients LIMIT 1').pluck().get() as string) ?? 'none';
  const { queryWarmup: warmup, queryRuns: runs } = opts.reps;
  const cases = [
    { name: 'newest 100 of all events', query: {} },
    { name: "one patient's events", query: { entityType: 'patient' as const, entityId: patientId } },
  ];
  return cases.map((c) => {
    let total = 0;
    const s = summarize(
      timeSync(
        () => {
          total = report.page(c.query, undefined, 0, 100).total;
        },
        { warmup, runs },
      ),
    );
    return {
      group: 'audit',
      name: `audit report page: ${c.name}`,
      unit: 'ms',
      median: s.median,
      p95: s.p95,
      target: null,
      runs: s.n,
      note: `${total.toLocaleString('en')} matching events`,
    } satisfies Result;
  });
}
