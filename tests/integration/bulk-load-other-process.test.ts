/**
 * Session 15 (review of the session's bulk-load change, found by a helper): the loader's lock must hold against
 * another *process*. POSIX advisory locks belong to the process and any close() of a descriptor of the file drops
 * all of them; the bulk load's start copied the store with fs.copyFileSync, which opened and closed the store file,
 * so from its first batch on the load ran unlocked. Another console process on the same data folder then took the
 * pre-load copy for the mark of a crashed load and put it back over the running load (the half-filled store
 * deleted). tests/integration/bulk-load-second-open.test.ts checks a second connection in this process, which
 * SQLite's in-process bookkeeping refuses either way. Real encrypted store, real second process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BulkLoad, PREBULK_SUFFIX } from '../../src-main/store/bulk-load';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { insertPatientRow, makeTestStore, type TestStore } from '../helpers/sync-store';

const OPEN_STORE = path.join(import.meta.dirname ?? __dirname, 'fixtures/open-store.ts');
let t: TestStore | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  t?.dispose();
});

/** Open the store from another process, as a second console would; its one-line JSON answer. */
async function openFromAnotherProcess(dir: string, key: string): Promise<{ ok: boolean; code?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', OPEN_STORE, dir], {
    cwd: path.resolve(import.meta.dirname ?? __dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STORE_KEY_HEX: key },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  expect(child.exitCode, err.slice(0, 500)).toBe(0);
  return JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; code?: string };
}

describe('a bulk load and another process opening the same store', () => {
  it('refuses the other process while the load runs, and lets it open once the load is finished', async () => {
    t = makeTestStore('clinic-bulk-other-');
    const store = t.store;
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    expect(bulk).not.toBeNull();
    insertPatientRow(store, 'pat-other');

    expect(await openFromAnotherProcess(t.dir, t.key)).toMatchObject({ ok: false, code: 'IN_USE' });
    // The load and its marker are as they were: nothing was put back over them.
    expect(fs.existsSync(`${store.file}${PREBULK_SUFFIX}`)).toBe(true);
    expect(store.db.prepare(`SELECT count(*) FROM patients WHERE id = 'pat-other'`).pluck().get()).toBe(1);

    bulk.finish();
    expect(fs.existsSync(`${store.file}${PREBULK_SUFFIX}`)).toBe(false);
    expect(await openFromAnotherProcess(t.dir, t.key)).toEqual({ ok: true });
    expect(store.db.prepare(`SELECT count(*) FROM patients WHERE id = 'pat-other'`).pluck().get()).toBe(1);
  });

  it('closes no descriptor of the store file while the pre-load copy exists', () => {
    t = makeTestStore('clinic-bulk-other-');
    const store = t.store;
    const inode = fs.statSync(store.file).ino;
    const copy = `${store.file}${PREBULK_SUFFIX}`;
    const early: number[] = [];
    const check = (fd: number) => {
      if (fs.existsSync(copy) && fs.fstatSync(fd).ino === inode) early.push(fd);
    };
    const closeSync = fs.closeSync.bind(fs);
    vi.spyOn(fs, 'closeSync').mockImplementation((fd: number) => (check(fd), closeSync(fd)));
    const close = fs.close.bind(fs);
    vi.spyOn(fs, 'close').mockImplementation(((fd: number, cb: (e: Error | null) => void) => {
      check(fd);
      close(fd, cb);
    }) as typeof fs.close);
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    insertPatientRow(store, 'pat-other');
    bulk.noteCommitted();
    bulk.finish();
    expect(fs.existsSync(copy)).toBe(false);
    expect(early).toEqual([]);
  });
});
