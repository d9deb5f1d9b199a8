/**
 * Issue 16 §2: a brand-new store is filled by its first sync in bulk-load mode (src-main/store/bulk-load.ts).
 * - The result is the store a normal sync writes: the same rows, schema, queue counts and pages, search results
 *   and patient lookups (compared with a console synced with bulkLoad: false from the same server).
 * - A sync that fails mid-load keeps what it loaded, rebuilt and back in WAL; the next sync finishes the job.
 * - A console killed (SIGKILL) mid-load starts clean at the next open (its pre-sync state back, no error) and
 *   its next sync completes.
 * Real backend on 127.0.0.1, real encrypted stores, a real child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QUEUES } from '../../src-shared/views';
import { BulkLoad, PREBULK_SUFFIX } from '../../src-main/store/bulk-load';
import type { Store } from '../../src-main/store/store';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { SyncEngine } from '../../src-main/sync/engine';
import { TestCredentials, type TestServer, startTestServer, waitFor } from '../helpers/sync-harness';
import { type TestStore, makeTestStore, openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const FIXTURE = path.join(import.meta.dirname ?? __dirname, 'fixtures/bulk-load-console.ts');

/** Tables compared row for row (sync bookkeeping and the FTS shadow tables aside: compared through searches). */
const TABLES = [
  'staff',
  'providers',
  'patients',
  'patient_terms',
  'threads',
  'messages',
  'attachments',
  'appointments',
  'audit_remote',
  'locations',
  'visit_types',
  'pools',
  'devices',
];

const rowsOf = (store: Store, table: string): unknown[] =>
  store.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).raw(true).all();

/** Everything a person can see of the synced data, read the way the console reads it. */
function views(store: Store, staffId: string, words: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) out[t] = rowsOf(store, t);
  // Maintained counts: a normal sync may leave rows whose count went back to 0; both mean "none".
  out.thread_counts = store.db
    .prepare('SELECT * FROM thread_counts WHERE n > 0 ORDER BY 1, 2, 3, 4, 5')
    .all();
  // The search vocabulary and the index's words per column (search keys aside: see below). Session 7: a bulk
  // load's index folds plain ASCII bodies in SQL and takes their vocabulary words from the batches.
  out.search_vocab = store.db.prepare('SELECT term FROM search_vocab ORDER BY term').pluck().all();
  store.db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_words USING fts5vocab(main, messages_fts, 'col')`,
  );
  out.fts_words = store.db
    .prepare('SELECT term, col, doc, cnt FROM temp.fts_words ORDER BY 1, 2')
    .raw(true)
    .all();
  out.schema = store.db
    .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name`)
    .all();
  for (const queue of QUEUES) {
    const page = store.threads.page({ queue, staffId, offset: 0, limit: 50 });
    out[`page ${queue}`] = { total: page.total, ids: page.rows.map((r) => r.id) };
  }
  out.unread = store.threads.unreadCounts(staffId);
  out.pools = [...store.threads.poolCounts()];
  for (const word of words) {
    const found = store.threads.page({ queue: 'all', staffId, search: word, offset: 0, limit: 10_000 });
    // Threads whose last message is in the same second may be listed in either order (search keys are handed
    // out per refresh): compare the set, and the order of seconds.
    out[`search ${word}`] = {
      total: found.total,
      ids: found.rows.map((r) => r.id).sort(),
      seconds: found.rows.map((r) => r.last_message_at.slice(0, 19)),
    };
  }
  const patients = store.db
    .prepare<[], { given_name: string; family_name: string; birth_date: string; mrn: string }>(
      'SELECT given_name, family_name, birth_date, mrn FROM patients ORDER BY id LIMIT 5',
    )
    .all();
  for (const p of patients)
    for (const q of [p.family_name, `${p.given_name} ${p.family_name}`, p.birth_date, p.mrn])
      out[`lookup ${q}`] = store.patients.search(q, 20, Date.UTC(2026, 10, 23)).map((r) => r.id);
  return out;
}

/** Frequent words of the synced messages, and prefixes of two of them. */
function wordsOf(store: Store): string[] {
  const counts = new Map<string, number>();
  for (const body of store.db.prepare('SELECT body FROM messages').pluck().all() as string[])
    for (const w of body.toLowerCase().match(/[a-z]{4,}/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  return [...top.slice(0, 8), top[0]!.slice(0, 3), top[3]!.slice(0, 3)];
}

describe('bulk-load mode for a new store (issue 16)', () => {
  let server: TestServer;
  const stores: TestStore[] = [];
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.3 });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of stores) s.dispose();
    await server.close();
  });

  const newStore = (): Store => {
    const s = makeTestStore('clinic-bulk-');
    stores.push(s);
    return s.store;
  };

  async function sync(
    store: Store,
    creds: TestCredentials,
    options: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {},
  ): Promise<{ sawCopy: boolean }> {
    const engine = new SyncEngine({
      store,
      serverUrl: server.url,
      credentials: creds,
      live: false,
      pullBatchSize: 50,
      ...options,
    });
    let sawCopy = false;
    engine.onStatus((s) => {
      if (s.progress && fs.existsSync(`${store.file}${PREBULK_SUFFIX}`)) sawCopy = true;
    });
    try {
      await engine.syncNow();
    } finally {
      await engine.stop();
    }
    return { sawCopy };
  }

  it('writes the same store as a normal sync: rows, schema, counts, pages, searches, lookups', async () => {
    const creds = await TestCredentials.signIn(server, 'clinician1', 'bulk desk');
    const bulk = newStore();
    const normal = newStore();
    expect((await sync(bulk, creds)).sawCopy).toBe(true);
    expect((await sync(normal, creds, { bulkLoad: false })).sawCopy).toBe(false);

    expect(normal.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBeGreaterThan(500);
    const words = wordsOf(normal);
    const a = views(bulk, creds.staffId, words);
    const b = views(normal, creds.staffId, words);
    for (const key of Object.keys(b)) expect(a[key], key).toEqual(b[key]);
    // The searches found something (a comparison of two empty results proves nothing).
    expect((b[`search ${words[0]}`] as { total: number }).total).toBeGreaterThan(0);
    expect(bulk.syncState.get(CURSOR_KEY)).toBe(normal.syncState.get(CURSOR_KEY));

    // Back to the normal regime: WAL, counters, no pre-load copy; later syncs are normal ones.
    expect(bulk.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(bulk.integrityCheck()).toBe('ok');
    expect(fs.existsSync(`${bulk.file}${PREBULK_SUFFIX}`)).toBe(false);
    const v = bulk.changes.version(['threads']);
    bulk.db.prepare('UPDATE threads SET subject = subject WHERE rowid = 1').run();
    expect(bulk.changes.version(['threads'])).toBe(v + 1);
    expect((await sync(bulk, creds)).sawCopy).toBe(false);
  });

  it('is only used for a store that was never synced', async () => {
    const creds = await TestCredentials.signIn(server, 'clinician1', 'second bulk desk');
    const store = newStore();
    await sync(store, creds);
    expect(BulkLoad.beginIfNew(store, CURSOR_KEY)).toBeNull();
    // Rows but no cursor (an older store whose cursor a migration reset): a normal sync.
    store.db.prepare('DELETE FROM sync_state WHERE key = ?').run(CURSOR_KEY);
    expect(BulkLoad.beginIfNew(store, CURSOR_KEY)).toBeNull();
    expect((await sync(store, creds)).sawCopy).toBe(false);

    // A first pull that fits in one answer is applied as any other (no copy, no rebuild to pay for).
    const begin = vi.spyOn(BulkLoad, 'beginIfNew');
    try {
      const small = newStore();
      await sync(small, creds, { pullBatchSize: 5000 });
      expect(small.db.prepare('SELECT count(*) FROM threads').pluck().get()).toBeGreaterThan(0);
      expect(begin).not.toHaveBeenCalled();
    } finally {
      begin.mockRestore();
    }

    // A new PC's own audit events (its sign-in) waiting to be pushed are no pulled rows: bulk load all the same.
    const fresh = newStore();
    fresh.db
      .prepare(
        `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
           fields, actor_kind, prev_hash, hash) VALUES ('e1', '2026-11-23T08:00:00.000Z', 's1', 'clinician', 'd',
           'sign-in', 'session', NULL, 'success', '[]', 'staff', 'p', 'h')`,
      )
      .run();
    const load = BulkLoad.beginIfNew(fresh, CURSOR_KEY);
    expect(load).not.toBeNull();
    load!.finish();
    expect(fresh.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('keeps what a failed load wrote, rebuilt and in WAL; the next sync completes it', async () => {
    const creds = await TestCredentials.signIn(server, 'clinician1', 'flaky bulk desk');
    let pulls = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (String(input).includes('/sync/pull') && ++pulls === 4) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const store = newStore();
    await expect(sync(store, creds, { fetchImpl: flaky })).rejects.toThrow();
    expect(fs.existsSync(`${store.file}${PREBULK_SUFFIX}`)).toBe(false);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const partial = store.db.prepare('SELECT count(*) FROM threads').pluck().get() as number;
    expect(partial).toBeGreaterThan(0);
    // What was loaded is searchable and counted already.
    const total = (queue: 'all' | 'closed') =>
      store.threads.page({ queue, staffId: creds.staffId, offset: 0, limit: 1 }).total;
    expect(total('all') + total('closed')).toBe(partial);
    expect(store.db.prepare('SELECT count(*) FROM search_keys').pluck().get()).toBe(partial);

    await sync(store, creds);
    const normal = newStore();
    await sync(normal, creds, { bulkLoad: false });
    const words = wordsOf(normal);
    const a = views(store, creds.staffId, words);
    const b = views(normal, creds.staffId, words);
    for (const key of Object.keys(b)) if (key !== 'schema') expect(a[key], key).toEqual(b[key]);
  });

  it('a console killed mid-load starts clean at the next open, and its next sync completes', async () => {
    const creds = await TestCredentials.signIn(server, 'clinician1', 'crashing bulk desk');
    const data = tempDir('clinic-bulk-crash-');
    const key = randomKeyHex();
    try {
      // The new console's state before its first sync: a setting and one of its own audit events.
      const before = openStoreAt(data.dir, key);
      before.settings.set('serverUrl', server.url);
      before.db
        .prepare(
          `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
             fields, actor_kind, prev_hash, hash) VALUES ('e1', '2026-11-23T08:00:00.000Z', NULL, NULL, 'd',
             'sign-in', 'session', NULL, 'success', '[]', 'system', 'p', 'h')`,
        )
        .run();
      before.close();

      child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
        cwd: path.resolve(import.meta.dirname ?? __dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          BULK_DATA_DIR: data.dir,
          BULK_STORE_KEY: key,
          BULK_SERVER_URL: server.url,
          BULK_DEVICE_ID: creds.deviceId()!,
          BULK_DEVICE_SECRET: creds.deviceSecret()!,
          BULK_STAFF_ID: creds.staffId,
          BULK_ACCESS_TOKEN: creds.tokens.access,
          BULK_REFRESH_TOKEN: creds.tokens.refresh,
        },
      });
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      let out = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      // Killed once it has applied a few batches in bulk-load mode.
      await waitFor(
        'the console to be mid-load',
        () => {
          if (child!.exitCode !== null) throw new Error(`console exited early: ${stderr.slice(0, 500)}`);
          if (out.includes('synced')) throw new Error('the load finished before the kill');
          return (out.match(/^loading /gm) ?? []).length >= 3;
        },
        { timeoutMs: 60_000 },
      );
      child.kill('SIGKILL');
      await exited;
      expect(child.signalCode).toBe('SIGKILL');
      expect(out).not.toContain('synced');
      const file = path.join(data.dir, 'clinic.db');
      expect(fs.existsSync(`${file}${PREBULK_SUFFIX}`)).toBe(true);

      // Next open: no error, the state from before the first sync, nothing of the half load.
      const store = openStoreAt(data.dir, key);
      try {
        expect(fs.existsSync(`${file}${PREBULK_SUFFIX}`)).toBe(false);
        expect(store.integrityCheck()).toBe('ok');
        expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(store.syncState.get(CURSOR_KEY)).toBeNull();
        expect(store.db.prepare('SELECT count(*) FROM threads').pluck().get()).toBe(0);
        expect(store.settings.get('serverUrl')).toBe(server.url);
        expect(store.db.prepare('SELECT id FROM audit_events').pluck().all()).toEqual(['e1']);

        // The first sync starts again and completes, as on any new console.
        await sync(store, creds);
        const normal = newStore();
        await sync(normal, creds, { bulkLoad: false });
        for (const t of ['patients', 'threads', 'messages', 'appointments', 'patient_terms'])
          expect(rowsOf(store, t), t).toEqual(rowsOf(normal, t));
      } finally {
        store.close();
      }
    } finally {
      data.cleanup();
    }
  });
});
