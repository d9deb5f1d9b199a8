/**
 * Session 9 (s9rss; issue 16 §2, RSS < 300 MB during the initial sync): the bulk load's rebuild at the end runs with
 * the load's 16 MB page cache, not the store's 64 MB (filled again during the search index's build, that cache was
 * the sync's RSS peak), and the store's own cache is back once the load is finished, also when the rebuild fails.
 * Session 15: but for the index builds, which run with the store's 64 MB, each table's indexes one after the other (its
 * pages are read once for all its indexes instead of once for each).
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

  it("builds the indexes with the store's 64 MB, each table's indexes one after the other", () => {
    t = makeTestStore('clinic-bulk-cache-');
    const store = t.store;
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    const builds: { table: string; cache: number }[] = [];
    const exec = store.db.exec.bind(store.db);
    vi.spyOn(store.db, 'exec').mockImplementation((sql: string) => {
      const index = /^\s*CREATE\s+INDEX\s+\S+\s+ON\s+"?(\w+)/i.exec(sql);
      if (index) builds.push({ table: index[1]!, cache: cacheOf(t!) });
      return exec(sql);
    });
    bulk.finish();
    // The secondary indexes of the tables a pull fills (FILLED_TABLES), dropped for the load, by hand.
    expect(new Set(builds.map((b) => b.table))).toEqual(
      new Set(['appointments', 'attachments', 'audit_remote', 'patients', 'threads']),
    );
    expect(builds.filter((b) => b.table === 'threads')).toHaveLength(10);
    expect(builds.every((b) => b.cache === -65536)).toBe(true);
    const runs = builds.map((b) => b.table).filter((table, i, all) => i === 0 || all[i - 1] !== table);
    expect(runs).toHaveLength(new Set(runs).size);
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
