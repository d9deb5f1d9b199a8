/**
 * Where the initial sync's apply time goes, without the network (issue 16): `record` pulls every batch of a
 * demo backend at --scale once and keeps the raw answers; `replay` applies them into a new, empty store in this
 * process and prints CPU time (process.cpuUsage, user + system) per stage. Run each under the keyring:
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-apply.ts record <dir> <scale>
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-apply.ts replay <dir>
 *
 * Replay is one process doing one fixed piece of work, so runs of two variants can be interleaved on a busy
 * machine and compared by CPU time (and by the apply/validate ratio: validation is the same work in every run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src-main/store/store';
import { BulkLoad } from '../src-main/store/bulk-load';
import { CURSOR_KEY, applyPullBatch, validateAnswer } from '../src-main/sync/apply-changes';
import { SyncClient } from '../src-main/sync/client';
import { PullResponseCompiled } from '../src-main/sync/pull-decode';
import { pullExtras, pullExtrasOf } from '../src-main/sync/pull-extras';
import { pullRows, splitPullPage } from '../src-main/sync/pull-rows';
import { BenchCredentials, cleanupAll, keyStore, startBackend, tempDir } from './env';

const [mode, dir, scaleArg] = process.argv.slice(2);
if (!dir || (mode !== 'record' && mode !== 'replay')) {
  process.stderr.write('usage: profile-apply.ts record <dir> <scale> | replay <dir>\n');
  process.exit(2);
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

if (mode === 'record') {
  // PORTAL_DIR: a backend folder kept between runs (seeded once; see bench/profile-sync.ts).
  const backend = await startBackend(Number(scaleArg ?? 5), process.env.PORTAL_DIR);
  try {
    const credentials = await BenchCredentials.signIn(backend, 'clinician1');
    const client = new SyncClient({
      baseUrl: backend.url,
      credentials,
      fetchImpl: fetch,
      requestTimeoutMs: 60_000,
    });
    fs.mkdirSync(dir, { recursive: true });
    let after = '0';
    for (let i = 0; ; i++) {
      const res = await client.request({
        method: 'GET',
        path: `/sync/pull?after=${after}&limit=${process.env.PULL_LIMIT ?? 1000}`,
        signal: new AbortController().signal,
      });
      const text = await res.text();
      fs.writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}.json`), text);
      const batch = JSON.parse(text) as { cursor: string; hasMore: boolean };
      after = batch.cursor;
      if (!batch.hasMore) break;
    }
  } finally {
    await backend.close();
    await cleanupAll();
  }
} else {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const dataDir = tempDir('apply');
  const store = await openStore(dataDir, keyStore);
  // Experiments: PROFILE_OFF=counters,search,terms,fold,sqlfold,triage,suspend turns a part off (or, for suspend, pauses
  // the write counters per batch) to see what it costs.
  const off = new Set((process.env.PROFILE_OFF ?? '').split(',').filter(Boolean));
  if (off.has('counters')) {
    const names = store.db
      .prepare<[], string>(
        `SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'clinic_changed_%'`,
      )
      .pluck()
      .all();
    for (const n of names) store.db.exec(`DROP TRIGGER temp.${n}`);
  }
  if (off.has('search')) store.threads.refreshSearch = () => undefined;
  if (off.has('terms')) {
    const stmt = store.db
      .prepare(`INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
       VALUES (@id, @mrn, @givenName, @familyName, @birthDate, @phone, @version)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version`);
    store.patients.upsert = (r) => void stmt.run(r);
  }
  if (off.has('fold')) {
    store.db.function('search_words', { deterministic: true }, (b: unknown) => b as string);
    store.db.function('search_grams', { deterministic: true }, () => '');
  }
  // sqlfold: the bulk load's last search refresh folds every body in JavaScript (as before session 7).
  if (off.has('sqlfold')) store.threads.refreshSearchAfterBulkLoad = () => store.threads.refreshSearch(1);
  if (off.has('triage'))
    for (const i of ['threads_q_triage', 'threads_q_pool_triage', 'threads_due_open'])
      store.db.exec(`DROP INDEX ${i}`);
  const stages = { parse: 0, validate: 0, split: 0, clone: 0, apply: 0, finish: 0 };
  // PROFILE_ROWS=1: pages split into JSON rows as the worker splits them (pull-rows.ts); PROFILE_CLONE=1: the
  // pages as objects, as before session 9, with the worker's extras and the structured clone, for comparison.
  const rowsMode = process.env.PROFILE_ROWS === '1';
  const cloneMode = process.env.PROFILE_CLONE === '1';
  // PROFILE_BULK=1: the engine's bulk-load mode for a new store (src-main/store/bulk-load.ts).
  const bulk = process.env.PROFILE_BULK === '1' ? BulkLoad.beginIfNew(store, CURSOR_KEY) : null;
  let records = 0;
  const wall0 = process.hrtime.bigint();
  const all0 = process.cpuUsage();
  for (const [i, file] of files.entries()) {
    // Read page by page (not all held at once), so the peak RSS printed is the apply's and the finish's.
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    let t = process.cpuUsage();
    const json = JSON.parse(text) as unknown;
    stages.parse += cpuMs(process.cpuUsage(t));
    t = process.cpuUsage();
    // The schema the worker validates with (pull-decode.ts: zod's compiled fast path).
    let batch = validateAnswer(PullResponseCompiled, json, 'pull answer');
    records += batch.changes.length;
    stages.validate += cpuMs(process.cpuUsage(t));
    if (rowsMode) {
      // PROFILE_ROWS=1: what the worker does after validating (pull-rows.ts), then the structured clone the
      // main thread pays for what crosses (session 9, s9sync): the rows' strings, or the page's objects.
      t = process.cpuUsage();
      const extras = pullExtrasOf(batch);
      const split = splitPullPage(batch);
      stages.split += cpuMs(process.cpuUsage(t));
      t = process.cpuUsage();
      batch = structuredClone(split ? split.rest : batch);
      if (split) pullRows.set(batch, structuredClone(split.rows));
      pullExtras.set(batch, extras);
      stages.clone += cpuMs(process.cpuUsage(t));
    } else if (cloneMode) {
      t = process.cpuUsage();
      const extras = pullExtrasOf(batch);
      stages.split += cpuMs(process.cpuUsage(t));
      t = process.cpuUsage();
      batch = structuredClone(batch);
      pullExtras.set(batch, extras);
      stages.clone += cpuMs(process.cpuUsage(t));
    }
    t = process.cpuUsage();
    const apply = () =>
      applyPullBatch(store, batch, {
        nowIso: i === files.length - 1 ? new Date().toISOString() : undefined,
        bulk,
      });
    if (off.has('suspend')) store.changes.suspend(apply);
    else apply();
    stages.apply += cpuMs(process.cpuUsage(t));
  }
  // The bulk load's finish, by part (CPU ms): each statement it runs with exec (indexes, search_dirty), the patient
  // lookup terms and the search index.
  const finishParts: Record<string, number> = {};
  const timed = <A extends unknown[], R>(name: string, fn: (...a: A) => R) =>
    function (this: unknown, ...a: A): R {
      const t = process.cpuUsage();
      try {
        return fn.apply(this, a);
      } finally {
        finishParts[name] = (finishParts[name] ?? 0) + cpuMs(process.cpuUsage(t));
      }
    };
  const exec = store.db.exec.bind(store.db);
  store.db.exec = (sql: string) => timed(sql.trim().split(/\s+/).slice(0, 4).join(' '), () => exec(sql))();
  store.patients.rebuildTerms = timed('patient terms', store.patients.rebuildTerms.bind(store.patients));
  store.threads.refreshSearchAfterBulkLoad = timed(
    'search index',
    store.threads.refreshSearchAfterBulkLoad.bind(store.threads),
  );
  // RSS (MB, Linux): the peak while applying, then the peak of the finish alone (the high-water mark reset first).
  const vm = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) /
    1024;
  const rss = { applyPeak: vm('VmHWM'), beforeFinish: vm('VmRSS'), finishPeak: 0 };
  fs.writeFileSync('/proc/self/clear_refs', '5');
  // PROFILE_FTS="pgsz=4050,automerge=0": FTS5 options set on the search index before the finish (experiments).
  for (const option of (process.env.PROFILE_FTS ?? '').split(',').filter(Boolean)) {
    const [name, value] = option.split('=');
    store.db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('${name}', ${Number(value)})`);
  }
  const f0 = process.cpuUsage();
  bulk?.finish();
  stages.finish = cpuMs(process.cpuUsage(f0));
  rss.finishPeak = vm('VmHWM');
  const total = cpuMs(process.cpuUsage(all0));
  const wall = Number(process.hrtime.bigint() - wall0) / 1e6;
  // PROFILE_DUMP=1: a digest of every table the sync fills or derives (rows in key order), to check that two
  // variants give identical rows, counts and search index.
  const digest: Record<string, string> = {};
  if (process.env.PROFILE_DUMP === '1') {
    const { createHash } = await import('node:crypto');
    for (const table of [
      'patients',
      'threads',
      'messages',
      'attachments',
      'appointments',
      'audit_remote',
      'patient_terms',
      'thread_counts',
      'overdue_counts',
      'search_keys',
      'search_vocab',
      'messages_fts_data',
      'messages_fts_idx',
    ]) {
      const hash = createHash('sha256');
      const columns = store.db
        .prepare(`SELECT count(*) FROM pragma_table_info('${table}')`)
        .pluck()
        .get() as number;
      const order = Array.from({ length: columns }, (_, i) => i + 1).join(', ');
      for (const row of store.db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).raw().iterate())
        hash.update(JSON.stringify(row, (_, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
      digest[table] = hash.digest('hex').slice(0, 12);
    }
  }
  store.close();
  await keyStore
    .delete((await import('../src-main/keys/store-key')).keyAccountFor(dataDir))
    .catch(() => false);
  await cleanupAll();
  process.stdout.write(
    JSON.stringify({
      records,
      cpuMs: Math.round(total),
      wallMs: Math.round(wall),
      perCpuSecond: Math.round((records / total) * 1000),
      stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(v)])),
      finish: Object.fromEntries(
        Object.entries(finishParts)
          .filter(([, v]) => v >= 5)
          .map(([k, v]) => [k, Math.round(v)]),
      ),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssMb: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.round(v)])),
      load: os.loadavg()[0],
      ...(Object.keys(digest).length > 0 ? { digest } : {}),
    }) + '\n',
  );
}
