/**
 * StoreCache (issue 16; session 11): a value built after a write of the transaction then open is handed out but
 * not kept, so a rollback (which leaves the write counters as they are) never leaves it served. Real store.
 */
import { describe, expect, it } from 'vitest';
import { expectRolledBack } from '../../tests/helpers/cache-checks';
import { threadFixture } from '../../tests/helpers/fixtures';
import { useStoreWithThread } from '../audit/test-store';
import { StoreCache } from './store-cache';

const t = useStoreWithThread();

describe('StoreCache and transactions', () => {
  const threadIds = () =>
    new StoreCache(t.store, () =>
      t.store.db.prepare<[], string>('SELECT id FROM threads ORDER BY id').pluck().all(),
    );

  it('does not serve a value built inside a transaction begun by hand that rolled back', () => {
    const cache = threadIds();
    expect(cache.get()).toEqual(['thr-1']);
    t.store.db.exec('BEGIN');
    t.store.threads.upsert(threadFixture({ id: 'thr-2' }));
    expect(cache.get()).toEqual(['thr-1', 'thr-2']);
    t.store.db.exec('ROLLBACK');
    expect(cache.get()).toEqual(['thr-1']);
  });

  it('does not keep a value adopted after a write of a transaction that rolled back', () => {
    const cache = threadIds();
    expect(cache.get()).toEqual(['thr-1']);
    expectRolledBack(t.store, () => {
      t.store.threads.upsert(threadFixture({ id: 'thr-2' }));
      cache.adopt(['thr-1', 'thr-2']);
      throw new Error('roll back');
    });
    expect(cache.peek()).toBeNull();
    expect(cache.get()).toEqual(['thr-1']);
  });

  it('keeps a value built inside a transaction before its first write, and read again after that write', () => {
    const cache = threadIds();
    t.store.transaction(() => {
      const before = cache.get();
      expect(cache.get()).toBe(before);
      t.store.threads.upsert(threadFixture({ id: 'thr-2' }));
      expect(cache.get()).toEqual(['thr-1', 'thr-2']);
    });
    const after = cache.get();
    expect(after).toEqual(['thr-1', 'thr-2']);
    expect(cache.get()).toBe(after);
  });
});
