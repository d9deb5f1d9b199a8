/**
 * 4. Encrypted store vs plain better-sqlite3 (same schema, same migrations, same pragmas, same Store code), and
 * 5. our store vs @journeyapps/sqlcipher, each as one ratio per kind of operation (issue 16), at the stated size
 * (`--scale` 100: 200,000 messages), so the store no longer fits in SQLite's page cache:
 * - bulk insert: threads and messages in transactions of 2,000 with the search index refreshed per batch (as the
 *   sync applies them);
 * - cached page: a queue's first page of 50, repeated (its pages are in SQLite's cache);
 * - cold point read: one message and its thread by id after SQLite's page cache was emptied (PRAGMA
 *   shrink_memory), so each page read comes from the file (the OS cache) and, encrypted, is decrypted;
 * - one-row commit: an autocommit upsert of one small row.
 * @journeyapps/sqlcipher is used as its users write it: serialized mode, prepared statements, inserts queued in
 * a transaction and awaited at COMMIT, independent point reads issued together and awaited once, `all` for a page
 * and `each` for a scan; the same SQL on the same kind of encrypted file (SQLCipher 4).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import Plain from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
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

/**
 * The same schema for @journeyapps/sqlcipher: our store creates and migrates the encrypted file (a genuine
 * SQLCipher 4 database, DESIGN §4), and the library opens it with the key. Replaying the migrations' SQL instead
 * broke as soon as a migration read rows (005 does), so the file is made by the code that makes every store.
 */
function openNode(dir: string, keyHex: string): Promise<InstanceType<typeof sqlcipher.Database>> {
  const made = openDatabase(dir, keyHex);
  const file = made.file;
  made.db.close();
  return new Promise((resolve, reject) => {
    const db = new sqlcipher.Database(file, (err) => {
      if (err) return reject(err);
      // Statements run in order, one at a time (node-sqlite3 otherwise runs queued statements in parallel).
      (db as unknown as { serialize(): void }).serialize();
      const setup = [`PRAGMA key = "x'${keyHex}'"`, ...STORE_PRAGMAS.map((p) => `PRAGMA ${p}`)].join(';\n');
      db.exec(setup, (e) => (e ? reject(e) : resolve(db)));
    });
  });
}

const closeNode = (db: InstanceType<typeof sqlcipher.Database>) =>
  new Promise<void>((resolve, reject) => db.close((e) => (e ? reject(e) : resolve())));

/* ---------------- encrypted vs plain, per operation ---------------- */

const QUEUES: Queue[] = ['unassigned', 'mine', 'urgent', 'all', 'closed'];

interface OpTimes {
  /** ms for the whole bulk insert */
  insert: number;
  page: number[];
  coldRead: number[];
  commit: number[];
}

function bulkInsert(store: Store, data: Dataset): number {
  const start = process.hrtime.bigint();
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
  let m = 0;
  let pending: (() => void)[] = [];
  const commit = () => {
    const work = pending;
    store.transaction(() => {
      for (const w of work) w();
      store.threads.refreshSearch();
    });
    pending = [];
  };
  for (const t of data.threads) {
    pending.push(() => store.threads.upsert(t));
    while (m < data.messages.length && data.messages[m]!.threadId === t.id) {
      const msg = data.messages[m++]!;
      pending.push(() => store.messages.upsert(msg));
    }
    if (pending.length >= 2000) commit();
  }
  if (pending.length) commit();
  return msSince(start);
}

function storeOps(store: Store, data: Dataset, runs: number): OpTimes {
  const insert = bulkInsert(store, data);
  const random = prng(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const page: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const queue = QUEUES[i % QUEUES.length]!;
    const t = process.hrtime.bigint();
    store.threads.page({ queue, staffId: 'stf-a', offset: 0, limit: 50 });
    if (i >= 20) page.push(msSince(t));
  }
  const message = store.db.prepare('SELECT * FROM messages WHERE id = ?');
  const coldRead: number[] = [];
  for (let i = 0; i < runs; i++) {
    store.db.pragma('shrink_memory');
    const msg = pick(data.messages);
    const t = process.hrtime.bigint();
    message.get(msg.id);
    store.threads.byId(msg.threadId);
    coldRead.push(msSince(t));
  }
  const commit: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const t = process.hrtime.bigint();
    store.syncState.set('bench.commit', String(i));
    if (i >= 20) commit.push(msSince(t));
  }
  return { insert, page, coldRead, commit };
}

/* ---------------- our store vs @journeyapps/sqlcipher, per operation ---------------- */

type NodeDb = InstanceType<typeof sqlcipher.Database>;
type NodeStmt = ReturnType<NodeDb['prepare']>;

const LIB_SCHEMA = `CREATE TABLE IF NOT EXISTS bench_messages (id TEXT PRIMARY KEY, thread_id TEXT NOT NULL,
  body TEXT NOT NULL, sent_at TEXT NOT NULL) STRICT;
  CREATE INDEX IF NOT EXISTS bench_messages_thread ON bench_messages (thread_id, sent_at)`;
const LIB_INSERT = 'INSERT INTO bench_messages (id, thread_id, body, sent_at) VALUES (?, ?, ?, ?)';
const LIB_BY_ID = 'SELECT * FROM bench_messages WHERE id = ?';
const LIB_THREAD = 'SELECT * FROM bench_messages WHERE thread_id = ? ORDER BY sent_at';
const LIB_SCAN = 'SELECT id, body FROM bench_messages';
const LIB_COMMIT = `INSERT INTO sync_state (key, value) VALUES ('bench.commit', ?)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

interface LibTimes {
  insert: number;
  reads: number;
  page: number;
  scan: number;
  commit: number;
}
const LIB_OPS: { key: keyof LibTimes; label: string }[] = [
  { key: 'insert', label: 'bulk insert (transactions of 2,000)' },
  { key: 'reads', label: '1,000 independent point reads by id' },
  { key: 'page', label: "a thread's messages (all)" },
  { key: 'scan', label: 'scan of every message (each / iterate)' },
  { key: 'commit', label: 'one-row commit' },
];

function oursLib(db: Db, data: Dataset, ids: string[], threadIds: string[]): LibTimes {
  db.exec(LIB_SCHEMA);
  const insert = db.prepare(LIB_INSERT);
  let t = process.hrtime.bigint();
  const tx = db.transaction((rows: MessageRecord[]) => {
    for (const m of rows) insert.run(m.id, m.threadId, m.body, m.sentAt);
  });
  for (let i = 0; i < data.messages.length; i += 2000) tx(data.messages.slice(i, i + 2000));
  const times = { insert: msSince(t) } as LibTimes;
  const byId = db.prepare(LIB_BY_ID);
  t = process.hrtime.bigint();
  for (const id of ids) byId.get(id);
  times.reads = msSince(t);
  const thread = db.prepare(LIB_THREAD);
  t = process.hrtime.bigint();
  for (const id of threadIds) thread.all(id);
  times.page = msSince(t) / threadIds.length;
  const scan = db.prepare(LIB_SCAN);
  t = process.hrtime.bigint();
  let n = 0;
  for (const _ of scan.iterate()) n++;
  times.scan = msSince(t);
  if (n !== data.messages.length) throw new Error('scan count');
  const commit = db.prepare(LIB_COMMIT);
  t = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) commit.run(String(i));
  times.commit = msSince(t) / 200;
  return times;
}

const cb = <T>(fn: (done: (err: Error | null, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

async function theirsLib(db: NodeDb, data: Dataset, ids: string[], threadIds: string[]): Promise<LibTimes> {
  await cb<void>((d) => db.exec(LIB_SCHEMA, d));
  const prepare = (sql: string) =>
    cb<NodeStmt>((d) => {
      const s: NodeStmt = db.prepare(sql, (err) => d(err, s));
    });
  const insert = await prepare(LIB_INSERT);
  let t = process.hrtime.bigint();
  for (let i = 0; i < data.messages.length; i += 2000) {
    db.run('BEGIN');
    for (const m of data.messages.slice(i, i + 2000)) insert.run(m.id, m.threadId, m.body, m.sentAt);
    await cb<void>((d) => db.run('COMMIT', d));
  }
  const times = { insert: msSince(t) } as LibTimes;
  const byId = await prepare(LIB_BY_ID);
  t = process.hrtime.bigint();
  await Promise.all(ids.map((id) => cb<unknown>((d) => byId.get(id, d))));
  times.reads = msSince(t);
  const thread = await prepare(LIB_THREAD);
  t = process.hrtime.bigint();
  for (const id of threadIds) await cb<unknown[]>((d) => thread.all(id, d));
  times.page = msSince(t) / threadIds.length;
  t = process.hrtime.bigint();
  let n = 0;
  await cb<number>((d) =>
    db.each(
      LIB_SCAN,
      () => void n++,
      (err, count) => d(err, count),
    ),
  );
  times.scan = msSince(t);
  if (n !== data.messages.length) throw new Error('scan count');
  const commit = await prepare(LIB_COMMIT);
  t = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) await cb<void>((d) => commit.run(String(i), d));
  times.commit = msSince(t) / 200;
  await Promise.all([insert, byId, thread, commit].map((s) => cb<void>((d) => s.finalize(() => d(null)))));
  return times;
}

/* ---------------- the measurement ---------------- */

export async function measureStore(opts: BenchOptions): Promise<Result[]> {
  // --scale 100: the stated 200,000 messages.
  const n = Math.max(2_000, Math.round(opts.scale * 2_000));
  const data = dataset(n);
  const runs = opts.quick ? 100 : 500;
  const encrypted: OpTimes[] = [];
  const plain: OpTimes[] = [];
  // Alternate the engines so background noise falls on both alike.
  for (let i = 0; i < opts.reps.workloadRuns; i++) {
    const a = openEncrypted(tempDir('enc'), crypto.randomBytes(32).toString('hex'));
    encrypted.push(storeOps(a, data, runs));
    a.close();
    const b = openPlain(tempDir('plain'));
    plain.push(storeOps(b, data, runs));
    b.close();
  }
  const med = (xs: number[]) => summarize(xs).median;
  const pooled = (r: OpTimes[], k: 'page' | 'coldRead' | 'commit') => summarize(r.flatMap((x) => x[k]));
  const results: Result[] = [];
  const size = `${n.toLocaleString('en')} messages`;
  const insE = med(encrypted.map((r) => r.insert));
  const insP = med(plain.map((r) => r.insert));
  results.push({
    group: 'store',
    name: `encrypted ÷ plain: bulk insert (${size})`,
    unit: 'x',
    median: insE / insP,
    p95: null,
    target: null,
    runs: encrypted.length,
    note: `${insE.toFixed(0)} ms vs ${insP.toFixed(0)} ms`,
  });
  for (const [k, label] of [
    ['page', 'cached queue first page of 50'],
    ['coldRead', 'point read (message + thread by id), cold page cache'],
    ['commit', 'one-row commit'],
  ] as const) {
    const e = pooled(encrypted, k);
    const p = pooled(plain, k);
    results.push({
      group: 'store',
      name: `encrypted ÷ plain: ${label}`,
      unit: 'x',
      median: e.median / p.median,
      p95: null,
      target: null,
      runs: e.n,
      note: `median ${e.median.toFixed(3)} vs ${p.median.toFixed(3)} ms, p95 ${e.p95.toFixed(3)} vs ${p.p95.toFixed(3)} ms`,
    });
  }

  // Our store vs @journeyapps/sqlcipher: the same SQL on an encrypted file each, same key scheme and pragmas.
  const random = prng(9);
  const ids = Array.from({ length: 1000 }, () => data.messages[Math.floor(random() * n)]!.id);
  const threadIds = Array.from(
    { length: 200 },
    () => data.threads[Math.floor(random() * data.threads.length)]!.id,
  );
  const ours: LibTimes[] = [];
  const theirs: LibTimes[] = [];
  for (let i = 0; i < opts.reps.workloadRuns; i++) {
    const key = crypto.randomBytes(32).toString('hex');
    const o = openEncrypted(tempDir('lib-ours'), key);
    ours.push(oursLib(o.db, data, ids, threadIds));
    o.close();
    const node = await openNode(tempDir('lib-node'), key);
    theirs.push(await theirsLib(node, data, ids, threadIds));
    await closeNode(node);
  }
  for (const { key, label } of LIB_OPS) {
    const a = med(theirs.map((r) => r[key]));
    const b = med(ours.map((r) => r[key]));
    results.push({
      group: 'store',
      name: `@journeyapps/sqlcipher ÷ ours: ${label}`,
      unit: 'x',
      median: a / b,
      p95: null,
      target: { on: 'median', op: '>=', value: 1 },
      runs: ours.length,
      note: `${a.toFixed(3)} ms vs ${b.toFixed(3)} ms (> 1: ours faster)`,
    });
  }
  return results;
}
