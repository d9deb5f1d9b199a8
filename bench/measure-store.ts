/**
 * 4. The same store workload on our encrypted store and on plain better-sqlite3 (same schema, same migrations,
 * same pragmas, same Store code), and 5. on @journeyapps/sqlcipher.
 *
 * The workload: bulk insert of N messages (with their threads and patients, search index refreshed per batch of
 * 2,000 as the sync does), point reads by id, first pages of every queue, and searches.
 *
 * For @journeyapps/sqlcipher (node-sqlite3's callback API, so the Store cannot run on it), the statements our
 * Store executes during the workload are recorded once and that trace is replayed, identically, on our store and
 * on @journeyapps/sqlcipher: writes queued in order and awaited at COMMIT, reads awaited one by one (each read's
 * answer is needed before the next, as in the inbox).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import Plain from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3-multiple-ciphers';
import sqlcipher from '@journeyapps/sqlcipher';
import { PATIENT_FOLLOW_UPS, STAFF_REPLIES, TOPICS } from '../server/demo/content';
import type {
  MessageRecord,
  PatientRecord,
  Priority,
  ThreadRecord,
  ThreadStatus,
} from '../src-shared/domain';
import type { Queue } from '../src-shared/views';
import { migrate } from '../src-main/store/migrations';
import { openDatabase, STORE_PRAGMAS } from '../src-main/store/open';
import { Store } from '../src-main/store/store';
import { type BenchOptions, type Result, tempDir } from './env';
import { msSince, prng, summarize } from './stats';

const PHASES = ['insert', 'reads', 'pages', 'search'] as const;
type Phase = (typeof PHASES)[number];
type PhaseTimes = Record<Phase, number>;

const PHASE_LABEL: Record<Phase, string> = {
  insert: 'bulk insert + index',
  reads: 'point reads by id',
  pages: 'queue first pages',
  search: 'searches',
};

/* ---------------- data ---------------- */

interface Dataset {
  patients: PatientRecord[];
  threads: ThreadRecord[];
  messages: MessageRecord[];
}

const STAFF = ['stf-a', 'stf-b', 'stf-c', 'stf-d', 'stf-e'];

function dataset(n: number): Dataset {
  const random = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const sentences = [...TOPICS.map((t) => t.body), ...STAFF_REPLIES, ...PATIENT_FOLLOW_UPS];
  // Some rarer words, so the index is not just the demo's few dozen sentences.
  const syllables = ['ka', 'lo', 'mi', 'ten', 'sor', 'ba', 'ril', 'dex', 'on', 'vi', 'pra', 'zol'];
  const vocab = Array.from({ length: 3000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join(''),
  );
  const base = Date.parse('2026-09-01T00:00:00.000Z');
  const patients = Array.from({ length: 500 }, (_, i) => ({
    id: `pat-${i}`,
    mrn: `MRN${String(i).padStart(7, '0')}`,
    givenName: pick(['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay']),
    familyName: pick(['Ng', 'Osei', 'Park', 'Quinn', 'Roth', 'Sato']),
    birthDate: '1970-01-01',
    phone: null,
    version: 1,
  }));
  const threads: ThreadRecord[] = [];
  const messages: MessageRecord[] = [];
  const threadCount = Math.max(1, Math.round(n / 2.5));
  for (let t = 0; t < threadCount; t++) {
    const created = base + Math.floor(random() * 80 * 86_400_000);
    const count = t === threadCount - 1 ? Math.max(1, n - messages.length) : 1 + Math.floor(random() * 4);
    let at = created;
    const patientId = pick(patients).id;
    for (let k = 0; k < count && messages.length < n; k++) {
      at += Math.floor(random() * 6 * 3_600_000);
      const extra = Array.from({ length: Math.floor(random() * 4) }, () => pick(vocab)).join(' ');
      messages.push({
        id: `msg-${messages.length}`,
        threadId: `thr-${t}`,
        authorKind: k % 2 ? 'staff' : 'patient',
        authorId: k % 2 ? pick(STAFF) : patientId,
        body: `${pick(sentences)} ${extra}`.trim(),
        sentAt: new Date(at).toISOString(),
        version: 1,
      });
    }
    const iso = new Date(at).toISOString();
    const r = random();
    threads.push({
      id: `thr-${t}`,
      patientId,
      subject: pick(TOPICS).subject,
      status: (r < 0.3 ? 'done' : r < 0.45 ? 'new' : 'in_progress') as ThreadStatus,
      priority: pick(['routine', 'routine', 'routine', 'urgent', 'asap', 'stat'] as Priority[]),
      assigneeId: random() < 0.25 ? null : pick(STAFF),
      providerId: random() < 0.4 ? null : `prv-${Math.floor(random() * 20)}`,
      createdAt: new Date(created).toISOString(),
      updatedAt: iso,
      lastMessageAt: iso,
      dueAt: null,
      version: 1,
    });
  }
  return { patients, threads, messages };
}

/* ---------------- the workload, on a Store ---------------- */

const QUEUES: Queue[] = ['unassigned', 'mine', 'urgent', 'all', 'closed'];
const SEARCHES = ['appointment', 'dizzy', 'blood pressure', 'zolkaten'];

function workload(
  store: Store,
  data: Dataset,
  readCount: number,
  mark: (p: Phase) => void = () => {},
): PhaseTimes {
  const times = {} as PhaseTimes;
  const random = prng(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

  mark('insert');
  let start = process.hrtime.bigint();
  store.transaction(() => {
    for (const s of STAFF) {
      store.staff.upsert({
        id: s,
        username: s,
        displayName: s,
        role: 'clinician',
        providerId: null,
        version: 1,
      });
    }
    for (const p of data.patients) store.patients.upsert(p);
  });
  // Threads with their messages, 2,000 records per transaction, search index refreshed per batch (as the sync).
  let batch = 0;
  let m = 0;
  const flush = (work: () => void) => store.transaction(work);
  const pending: (() => void)[] = [];
  const commit = () => {
    flush(() => {
      for (const w of pending) w();
      store.threads.refreshSearch();
    });
    pending.length = 0;
    batch = 0;
  };
  for (const t of data.threads) {
    pending.push(() => store.threads.upsert(t));
    batch++;
    while (m < data.messages.length && data.messages[m]!.threadId === t.id) {
      const msg = data.messages[m++]!;
      pending.push(() => store.messages.upsert(msg));
      batch++;
    }
    if (batch >= 2000) commit();
  }
  if (pending.length) commit();
  times.insert = msSince(start);

  mark('reads');
  start = process.hrtime.bigint();
  for (let i = 0; i < readCount; i++) {
    store.threads.byId(pick(data.threads).id);
    store.messages.exists(pick(data.messages).id);
    store.patients.byId(pick(data.patients).id);
  }
  times.reads = msSince(start);

  mark('pages');
  start = process.hrtime.bigint();
  for (let i = 0; i < 40; i++) {
    for (const queue of QUEUES) store.threads.page({ queue, staffId: 'stf-a', offset: 0, limit: 50 });
  }
  times.pages = msSince(start);

  mark('search');
  start = process.hrtime.bigint();
  for (let i = 0; i < 10; i++) {
    for (const search of SEARCHES)
      store.threads.page({ queue: 'all', staffId: 'stf-a', search, offset: 0, limit: 50 });
  }
  times.search = msSince(start);
  return times;
}

/* ---------------- opening the engines ---------------- */

function openEncrypted(dir: string, keyHex: string): Store {
  const { db, file } = openDatabase(dir, keyHex);
  return new Store(db, file);
}

/** Plain better-sqlite3 with the same pragmas and migrations as openDatabase, minus the cipher. */
function openPlain(dir: string): Store {
  const file = path.join(dir, 'plain.db');
  const db = new Plain(file);
  for (const p of STORE_PRAGMAS) db.pragma(p);
  const same = db as unknown as Db;
  migrate(same);
  return new Store(same, file);
}

/** The SQL of every migration, captured by running them against a recorder. */
function migrationSql(): string[] {
  const sql: string[] = [];
  const recorder = {
    exec: (s: string) => sql.push(s),
    pragma: (s: string, o?: { simple?: boolean }) => (o?.simple ? 0 : sql.push(`PRAGMA ${s}`)),
    transaction: (fn: () => void) => () => fn(),
  };
  migrate(recorder as unknown as Db);
  return sql;
}

/* ---------------- recording and replaying the Store's statements ---------------- */

type Method = 'run' | 'get' | 'all' | 'iterate';
type TraceOp =
  | { kind: 'phase'; phase: Phase }
  | { kind: 'tx'; sql: string }
  | { kind: 'stmt'; id: number; method: Method; args: unknown[]; rows?: number };

interface Trace {
  sql: string[];
  ops: TraceOp[];
}

/** A Database whose statements record every call (and every transaction boundary) into `trace`. */
function recording(db: Db, trace: Trace): Db {
  let depth = 0;
  const wrap = (stmt: Statement, id: number): Statement => {
    const proxy: Statement = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'run' || prop === 'get' || prop === 'all') {
          return (...args: unknown[]) => {
            trace.ops.push({ kind: 'stmt', id, method: prop, args });
            return (target[prop] as (...a: unknown[]) => unknown)(...args);
          };
        }
        if (prop === 'iterate') {
          return function* (...args: unknown[]) {
            const op: TraceOp = { kind: 'stmt', id, method: 'iterate', args, rows: 0 };
            trace.ops.push(op);
            for (const row of target.iterate(...args)) {
              op.rows!++;
              yield row;
            }
          };
        }
        if (prop === 'pluck' || prop === 'raw' || prop === 'expand' || prop === 'safeIntegers') {
          return (...args: unknown[]) => {
            (target[prop] as (...a: unknown[]) => unknown)(...args);
            return proxy;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          trace.sql.push(sql);
          return wrap(target.prepare(sql), trace.sql.length - 1);
        };
      }
      if (prop === 'transaction') {
        return (fn: (...a: unknown[]) => unknown) =>
          (...args: unknown[]) => {
            const name = `s${depth}`;
            trace.ops.push({ kind: 'tx', sql: depth === 0 ? 'BEGIN' : `SAVEPOINT ${name}` });
            depth++;
            try {
              return fn(...args);
            } finally {
              depth--;
              trace.ops.push({ kind: 'tx', sql: depth === 0 ? 'COMMIT' : `RELEASE ${name}` });
            }
          };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Replay on a better-sqlite3-family connection (ours, encrypted). */
function replaySync(db: Db, trace: Trace): PhaseTimes {
  const stmts = trace.sql.map((s) => db.prepare(s));
  const times = {} as PhaseTimes;
  let phase: Phase | null = null;
  let start = process.hrtime.bigint();
  for (const op of trace.ops) {
    if (op.kind === 'phase') {
      if (phase) times[phase] = msSince(start);
      phase = op.phase;
      start = process.hrtime.bigint();
    } else if (op.kind === 'tx') {
      db.exec(op.sql);
    } else {
      const stmt = stmts[op.id]!;
      if (op.method === 'iterate') {
        let left = op.rows ?? 0;
        if (left === 0) continue;
        for (const _row of stmt.iterate(...op.args)) if (--left === 0) break;
      } else if (op.method === 'run') stmt.run(...op.args);
      else if (op.method === 'get') stmt.get(...op.args);
      else stmt.all(...op.args);
    }
  }
  if (phase) times[phase] = msSince(start);
  return times;
}

interface NodeStatement {
  run(params: unknown, cb: (err: Error | null) => void): void;
  get(params: unknown, cb: (err: Error | null, row: unknown) => void): void;
  all(params: unknown, cb: (err: Error | null, rows: unknown[]) => void): void;
  reset(cb: (err: Error | null) => void): void;
  finalize(cb?: (err: Error | null) => void): void;
}

/** better-sqlite3 arguments as node-sqlite3 parameters: named ones with their '@' prefix, only those used. */
function nodeParams(sql: string, args: unknown[]): unknown {
  if (args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !Buffer.isBuffer(args[0])) {
    const source = args[0] as Record<string, unknown>;
    const names = new Set([...sql.matchAll(/@([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    const out: Record<string, unknown> = {};
    for (const name of names) out[`@${name}`] = source[name];
    return out;
  }
  return args;
}

const done =
  (resolve: () => void, reject: (e: Error) => void) =>
  (err: Error | null): void =>
    err ? reject(err) : resolve();

/** Replay on @journeyapps/sqlcipher: writes queued and awaited at COMMIT, reads awaited one at a time. */
async function replayNode(db: InstanceType<typeof sqlcipher.Database>, trace: Trace): Promise<PhaseTimes> {
  const stmts = trace.sql.map((s) => db.prepare(s) as unknown as NodeStatement);
  const params = trace.ops.map((op) => (op.kind === 'stmt' ? nodeParams(trace.sql[op.id]!, op.args) : null));
  const times = {} as PhaseTimes;
  let phase: Phase | null = null;
  let start = process.hrtime.bigint();
  let queued: Promise<void>[] = [];
  const settle = async () => {
    await Promise.all(queued);
    queued = [];
  };
  for (let i = 0; i < trace.ops.length; i++) {
    const op = trace.ops[i]!;
    if (op.kind === 'phase') {
      await settle();
      if (phase) times[phase] = msSince(start);
      phase = op.phase;
      start = process.hrtime.bigint();
      continue;
    }
    if (op.kind === 'tx') {
      const p = new Promise<void>((resolve, reject) => db.run(op.sql, done(resolve, reject)));
      queued.push(p);
      if (op.sql === 'COMMIT') await settle();
      continue;
    }
    const stmt = stmts[op.id]!;
    const args = params[i];
    if (op.method === 'run') {
      queued.push(new Promise<void>((resolve, reject) => stmt.run(args, done(resolve, reject))));
    } else if (op.method === 'iterate') {
      // Rows one by one until as many as the Store consumed, then reset (node-sqlite3's way to stop early).
      await settle();
      for (let r = 0; r < (op.rows ?? 0); r++) {
        await new Promise<void>((resolve, reject) => stmt.get(r === 0 ? args : [], done(resolve, reject)));
      }
      await new Promise<void>((resolve, reject) => stmt.reset(done(resolve, reject)));
    } else {
      await settle();
      await new Promise<void>((resolve, reject) =>
        op.method === 'get' ? stmt.get(args, done(resolve, reject)) : stmt.all(args, done(resolve, reject)),
      );
    }
  }
  await settle();
  if (phase) times[phase] = msSince(start);
  await Promise.all(stmts.map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
  return times;
}

function openNode(file: string, keyHex: string): Promise<InstanceType<typeof sqlcipher.Database>> {
  return new Promise((resolve, reject) => {
    const db = new sqlcipher.Database(file, (err) => {
      if (err) return reject(err);
      // Statements run in order, one at a time (node-sqlite3 otherwise runs queued statements in parallel).
      (db as unknown as { serialize(): void }).serialize();
      const setup = [
        `PRAGMA key = "x'${keyHex}'"`,
        ...STORE_PRAGMAS.map((p) => `PRAGMA ${p}`),
        'BEGIN',
        ...migrationSql(),
        'COMMIT',
      ].join(';\n');
      db.exec(setup, (e) => (e ? reject(e) : resolve(db)));
    });
  });
}

const closeNode = (db: InstanceType<typeof sqlcipher.Database>) =>
  new Promise<void>((resolve, reject) => db.close((e) => (e ? reject(e) : resolve())));

/* ---------------- the measurement ---------------- */

const total = (t: PhaseTimes) => PHASES.reduce((sum, p) => sum + t[p], 0);
const medianOf = (runs: PhaseTimes[], p: Phase | 'total') =>
  summarize(runs.map((r) => (p === 'total' ? total(r) : r[p]))).median;

export async function measureStore(opts: BenchOptions): Promise<Result[]> {
  const n = opts.reps.workloadMessages;
  const reads = Math.min(20_000, n);
  const data = dataset(n);
  const encrypted: PhaseTimes[] = [];
  const plain: PhaseTimes[] = [];
  // Alternate the engines so background noise falls on both alike; the first round warms up.
  for (let i = 0; i <= opts.reps.workloadRuns; i++) {
    const a = openEncrypted(tempDir('enc'), crypto.randomBytes(32).toString('hex'));
    const ta = workload(a, data, reads);
    a.close();
    const b = openPlain(tempDir('plain'));
    const tb = workload(b, data, reads);
    b.close();
    if (i > 0) {
      encrypted.push(ta);
      plain.push(tb);
    }
  }

  // The trace: our Store's statements for the same workload, recorded once.
  const trace: Trace = { sql: [], ops: [] };
  const recDir = tempDir('trace');
  const rec = openDatabase(recDir, crypto.randomBytes(32).toString('hex'));
  const recStore = new Store(recording(rec.db, trace), rec.file);
  workload(recStore, data, reads, (phase) => trace.ops.push({ kind: 'phase', phase }));
  recStore.close();

  const oursReplay: PhaseTimes[] = [];
  const nodeReplay: PhaseTimes[] = [];
  for (let i = 0; i <= opts.reps.workloadRuns; i++) {
    const key = crypto.randomBytes(32).toString('hex');
    const ours = openEncrypted(tempDir('replay-ours'), key);
    const to = replaySync(ours.db, trace);
    ours.close();
    const node = await openNode(path.join(tempDir('replay-node'), 'sqlcipher.db'), key);
    const tn = await replayNode(node, trace);
    await closeNode(node);
    if (i > 0) {
      oursReplay.push(to);
      nodeReplay.push(tn);
    }
  }

  const runs = encrypted.length;
  const results: Result[] = [];
  const ratio = (a: PhaseTimes[], b: PhaseTimes[], p: Phase | 'total') => medianOf(a, p) / medianOf(b, p);
  results.push({
    group: 'store',
    name: `encrypted store vs plain better-sqlite3, whole workload (${n.toLocaleString('en')} messages)`,
    unit: 'x',
    median: ratio(encrypted, plain, 'total'),
    p95: null,
    target: { on: 'median', op: '<=', value: 1.3 },
    runs,
    note: `medians ${medianOf(encrypted, 'total').toFixed(0)} ms vs ${medianOf(plain, 'total').toFixed(0)} ms`,
  });
  for (const p of PHASES) {
    results.push({
      group: 'store',
      name: `encrypted vs plain: ${PHASE_LABEL[p]}`,
      unit: 'x',
      median: ratio(encrypted, plain, p),
      p95: null,
      target: null,
      runs,
      note: `${medianOf(encrypted, p).toFixed(1)} ms vs ${medianOf(plain, p).toFixed(1)} ms`,
    });
  }
  results.push({
    group: 'store',
    name: `@journeyapps/sqlcipher vs our store, same statement trace (${trace.ops.length.toLocaleString('en')} ops)`,
    unit: 'x',
    median: ratio(nodeReplay, oursReplay, 'total'),
    p95: null,
    target: { on: 'median', op: '>=', value: 1 },
    runs: nodeReplay.length,
    note: `medians ${medianOf(nodeReplay, 'total').toFixed(0)} ms vs ${medianOf(oursReplay, 'total').toFixed(0)} ms (> 1: ours faster)`,
  });
  for (const p of PHASES) {
    results.push({
      group: 'store',
      name: `@journeyapps/sqlcipher vs ours: ${PHASE_LABEL[p]}`,
      unit: 'x',
      median: ratio(nodeReplay, oursReplay, p),
      p95: null,
      target: null,
      runs: nodeReplay.length,
      note: `${medianOf(nodeReplay, p).toFixed(1)} ms vs ${medianOf(oursReplay, p).toFixed(1)} ms`,
    });
  }
  return results;
}
