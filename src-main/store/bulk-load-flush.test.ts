/**
 * Session 15 (issue 16 §2): a bulk load flushes what each batch committed in the background (BulkLoad.noteCommitted:
 * an fdatasync on libuv's thread pool), one flush at a time, so the flush at the end of the load waits for less; and
 * its descriptor is closed once the load is finished, also when a flush is still running then; a flush that fails
 * keeps the pre-load copy. Real encrypted stores; `fs.fdatasync` and `fs.close` are watched, not replaced (the real
 * calls run), but for the failing flush, which needs a failing disk.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Change, PullResponse } from '../../src-shared/sync';
import { patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore, openStoreAt } from '../../tests/helpers/sync-store';
import { CURSOR_KEY, applyPullBatch } from '../sync/apply-changes';
import { BulkLoad, PREBULK_SUFFIX } from './bulk-load';

let t: TestStore | null = null;
afterEach(() => {
  vi.restoreAllMocks();
  t?.dispose();
  t = null;
});

/** Pull page `n` of a long pull: one patient and one thread (ids unique to the page). */
function page(n: number, hasMore = true): PullResponse {
  const changes: Change[] = [
    { entity: 'patient', id: `p${n}`, data: patientFixture({ id: `p${n}` }) },
    { entity: 'thread', id: `t${n}`, data: threadFixture({ id: `t${n}`, patientId: `p${n}` }) },
  ];
  return { changes, cursor: String(2 * n + 2), hasMore, remaining: hasMore ? 10 : 0 };
}

/** Watch fs.fdatasync (the real call runs); `done()` resolves when the flushes started so far have all ended. */
function watchFlushes() {
  const ended: Promise<void>[] = [];
  const real = fs.fdatasync.bind(fs);
  const spy = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: (e: Error | null) => void) => {
    ended.push(new Promise<void>((resolve) => real(fd, (e) => (cb(e), resolve()))));
  }) as typeof fs.fdatasync);
  return { spy, done: () => Promise.all(ended) };
}

// Background flushes run on Linux only (BulkLoad.beginIfNew: measured there; macOS's fdatasync is a full flush).
describe.runIf(process.platform === 'linux')(
  'a bulk load flushes its batches in the background (issue 16 §2)',
  () => {
    it('keeps the pre-load copy when a background flush failed, so the next start loads again', async () => {
      t = makeTestStore('clinic-bulk-flush-');
      const store = t.store;
      // A write-back error cannot be caused for real here (it needs a failing disk): the flush reports one (EIO).
      let flushed!: Promise<void>;
      vi.spyOn(fs, 'fdatasync').mockImplementation(((_fd: number, cb: (e: Error | null) => void) => {
        flushed = Promise.resolve().then(() =>
          cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })),
        );
      }) as typeof fs.fdatasync);
      const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
      applyPullBatch(store, page(0), { bulk });
      await flushed;
      applyPullBatch(store, page(1, false), { bulk });
      expect(() => bulk.finish()).toThrow('EIO');
      expect(fs.existsSync(`${store.file}${PREBULK_SUFFIX}`)).toBe(true);
      // The console goes on until it stops: what is done on the PC meanwhile is still kept in the copy.
      store.db.prepare(`INSERT INTO settings (key, value) VALUES ('after.failed.finish', '1')`).run();
      // The next start puts the pre-load store back: nothing pulled is left, the first sync runs again.
      store.close();
      const again = openStoreAt(t.dir, t.key);
      t = { ...t, store: again, dispose: () => again.close() };
      expect(again.db.prepare('SELECT count(*) FROM threads').pluck().get()).toBe(0);
      expect(
        again.db.prepare(`SELECT value FROM settings WHERE key = 'after.failed.finish'`).pluck().get(),
      ).toBe('1');
      expect(fs.existsSync(`${again.file}${PREBULK_SUFFIX}`)).toBe(false);
    });

    it('starts one flush per committed batch while none is running, on the store file', async () => {
      t = makeTestStore('clinic-bulk-flush-');
      const flushes = watchFlushes();
      const bulk = BulkLoad.beginIfNew(t.store, CURSOR_KEY)!;
      expect(bulk).not.toBeNull();
      applyPullBatch(t.store, page(0), { bulk });
      expect(flushes.spy).toHaveBeenCalledTimes(1);
      const fd = flushes.spy.mock.calls[0]![0] as number;
      expect(fs.fstatSync(fd).ino).toBe(fs.statSync(t.store.file).ino);
      // The next batch is applied while the first flush runs: no second flush on top of it.
      applyPullBatch(t.store, page(1), { bulk });
      expect(flushes.spy).toHaveBeenCalledTimes(1);
      await flushes.done();
      applyPullBatch(t.store, page(2), { bulk });
      expect(flushes.spy).toHaveBeenCalledTimes(2);
      await flushes.done();
      const closes = vi.spyOn(fs, 'close');
      applyPullBatch(t.store, page(3, false), { bulk });
      await flushes.done();
      // No flush running at the end: the descriptor is closed by finish itself.
      bulk.finish();
      expect(closes.mock.calls.some(([c]) => c === fd)).toBe(true);
      expect(t.store.db.prepare('SELECT count(*) FROM threads').pluck().get()).toBe(4);
    });

    it('closes its descriptor once the load is finished, after a flush still running then has ended', async () => {
      t = makeTestStore('clinic-bulk-flush-');
      const flushes = watchFlushes();
      const closes = vi.spyOn(fs, 'close');
      const bulk = BulkLoad.beginIfNew(t.store, CURSOR_KEY)!;
      applyPullBatch(t.store, page(0, false), { bulk });
      const fd = flushes.spy.mock.calls[0]![0] as number;
      bulk.finish();
      // Not closed under the running flush (another open could be given the same number meanwhile).
      expect(closes.mock.calls.some(([c]) => c === fd)).toBe(false);
      await flushes.done();
      expect(closes.mock.calls.some(([c]) => c === fd)).toBe(true);
      // No flush starts after the end.
      bulk.noteCommitted();
      expect(flushes.spy).toHaveBeenCalledTimes(1);
    });
  },
);
