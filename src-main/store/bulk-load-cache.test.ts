/**
 * Session 9 (s9rss; issue 16 §2, RSS < 300 MB during the initial sync): the bulk load's rebuild at the end runs with
 * the load's 16 MB page cache, not the store's 64 MB (filled again during the search index's build, that cache was
 * the sync's RSS peak), and the store's own cache is back once the load is finished, also when the rebuild fails.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CURSOR_KEY } from '../sync/apply-changes';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import { BulkLoad } from './bulk-load';

const cacheOf = (t: TestStore): number => t.store.db.pragma('cache_size', { simple: true }) as number;

describe('the bulk load page cache (issue 16 §2, RSS)', () => {
  let t: TestStore | null = null;
  afterEach(() => {
    vi.restoreAllMocks();
    t?.dispose();
    t = null;
  });

  it('rebuilds with 16 MB of page cache, then gives the store its 64 MB back', () => {
    t = makeTestStore('clinic-bulk-cache-');
    const store = t.store;
    expect(cacheOf(t)).toBe(-65536); // STORE_PRAGMAS: 64 MB
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY);
    expect(bulk).not.toBeNull();
    expect(cacheOf(t)).toBe(-16384);
    // The cache in effect while the rebuild builds the search index (the finish's last and largest step).
    const during: number[] = [];
    const refresh = store.threads.refreshSearch.bind(store.threads);
    vi.spyOn(store.threads, 'refreshSearch').mockImplementation((atLeast?: number) => {
      during.push(cacheOf(t!));
      refresh(atLeast);
    });
    bulk!.finish();
    expect(during).toEqual([-16384]);
    expect(cacheOf(t)).toBe(-65536);
  });

  it('gives the store its cache back when the rebuild fails', () => {
    t = makeTestStore('clinic-bulk-cache-');
    const store = t.store;
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    vi.spyOn(store.threads, 'refreshSearch').mockImplementation(() => {
      throw new Error('injected failure in the rebuild');
    });
    expect(() => bulk.finish()).toThrow('injected failure in the rebuild');
    expect(cacheOf(t)).toBe(-65536);
  });
});
