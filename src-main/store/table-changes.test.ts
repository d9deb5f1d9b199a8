/**
 * Issue 16: read caches are invalidated by a write to any table of the store, including tables a later migration
 * adds (another feature's pools, sort orders…), and never by the audit log or sync bookkeeping. Real store.
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/tmp';
import { openDatabase } from './open';
import { Store } from './store';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

function open(extraSql?: string): Store {
  const tmp = tempDir();
  const { db, file } = openDatabase(tmp.dir, crypto.randomBytes(32).toString('hex'));
  if (extraSql) db.exec(extraSql);
  const store = new Store(db, file);
  cleanup = () => {
    store.close();
    tmp.cleanup();
  };
  return store;
}

describe('table write counters', () => {
  it('count inserts, updates and deletes of a table a later migration adds', () => {
    const store = open('CREATE TABLE triage_pools (id TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT');
    const v0 = store.changes.version();
    store.db.prepare(`INSERT INTO triage_pools VALUES ('p1', 'Nurses')`).run();
    const v1 = store.changes.version();
    expect(v1).toBeGreaterThan(v0);
    store.db.prepare(`UPDATE triage_pools SET name = 'Triage nurses'`).run();
    const v2 = store.changes.version();
    expect(v2).toBeGreaterThan(v1);
    store.db.prepare(`DELETE FROM triage_pools`).run();
    expect(store.changes.version()).toBeGreaterThan(v2);
    expect(store.changes.version(['triage_pools'])).toBe(3);
    expect(store.changes.version(['staff'])).toBe(0);
  });

  it('do not move for the audit log, the push queue or sync bookkeeping', () => {
    const store = open();
    const v0 = store.changes.version();
    store.syncState.set('cursor', '42');
    store.db
      .prepare(
        `INSERT INTO audit_events (id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields,
           actor_kind, prev_hash, hash) VALUES ('a', 't', NULL, NULL, 'd', 'read', 'queue', NULL, 'success', '[]',
           'system', 'p', 'h')`,
      )
      .run();
    expect(store.changes.version()).toBe(v0);
  });

  it('are shared by every Store on one connection', () => {
    const store = open();
    const again = new Store(store.db, store.file);
    store.settings.set('k', 'v');
    expect(again.changes.version()).toBe(store.changes.version());
    expect(again.changes).toBe(store.changes);
  });
});

describe('table write counters paused for a bulk load (issue 16)', () => {
  it('serve no cache while paused, and count every table once on resume', () => {
    const store = open();
    const before = store.changes.version(['threads']);
    store.changes.pause();
    // Writes go uncounted while paused, so no version may repeat: a cache never hits.
    const seen = new Set([store.changes.version(), store.changes.version(['staff'])]);
    store.settings.set('k', 'v');
    seen.add(store.changes.version());
    seen.add(store.changes.version());
    expect(seen.size).toBe(4);
    expect([...seen].includes(before)).toBe(false);
    store.changes.resume();
    expect(store.changes.version(['threads'])).toBe(before + 1);
    expect(store.changes.version(['staff'])).toBe(1);
    // Triggers are back: a write counts again.
    store.settings.set('k', 'w');
    expect(store.changes.version(['settings'])).toBe(2);
  });

  it('nest, and suspend() runs with the triggers inside a transaction', () => {
    const store = open();
    store.changes.pause();
    store.changes.pause();
    store.changes.resume();
    store.settings.set('k', 'v');
    store.changes.resume();
    expect(store.changes.version(['settings'])).toBe(1);
    // A rollback would undo the removal of the triggers: inside a transaction they stay.
    store.transaction(() => {
      expect(() => store.changes.pause()).toThrow(/transaction/);
      store.changes.suspend(() => store.settings.set('k', 'w'));
    });
    expect(store.changes.version(['settings'])).toBe(2);
    store.changes.suspend(() => store.settings.set('k', 'x'));
    expect(store.changes.version(['settings'])).toBe(3);
  });
});

// Session 11: one rule for every read cache (StoreCache, ThreadsRepo.facts): nothing read after a write of the
// transaction now open is kept, since its rollback does not change the version.
describe('keptVersion (may a value read now be kept?)', () => {
  const write = (store: Store, table: 'settings' | 'sync_state', key: string) =>
    store.db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, 'x')`).run(key);

  it('is the version outside a transaction, and inside one until it writes a watched table', () => {
    const store = open();
    write(store, 'settings', 'a');
    expect(store.changes.keptVersion()).toBe(store.changes.version());
    store.transaction(() => {
      expect(store.changes.keptVersion()).toBe(store.changes.version());
      // Sync bookkeeping is not watched: what a cache reads has not changed.
      write(store, 'sync_state', 'b');
      expect(store.changes.keptVersion()).toBe(store.changes.version());
      write(store, 'settings', 'c');
      expect(store.changes.keptVersion()).toBeNull();
      expect(store.changes.keptVersion(['staff'])).toBeNull();
    });
    // Committed: kept again, outside a transaction and inside the next one.
    expect(store.changes.keptVersion()).toBe(store.changes.version());
    write(store, 'settings', 'd');
    store.transaction(() => expect(store.changes.keptVersion()).toBe(store.changes.version()));
  });

  it('is null after a write inside a transaction begun by hand, and again the version after its rollback', () => {
    const store = open();
    store.db.exec('BEGIN');
    write(store, 'settings', 'a');
    expect(store.changes.keptVersion()).toBeNull();
    store.db.exec('ROLLBACK');
    expect(store.changes.keptVersion()).toBe(store.changes.version());
    // A savepoint rolled back inside a transaction that then commits: still nothing kept until it ends.
    store.transaction(() => {
      expect(() =>
        store.transaction(() => {
          write(store, 'settings', 'b');
          throw new Error('roll back');
        }),
      ).toThrow('roll back');
      expect(store.changes.keptVersion()).toBeNull();
    });
    expect(store.changes.keptVersion()).toBe(store.changes.version());
  });

  it('is null while the counters are paused', () => {
    const store = open();
    store.changes.suspend(() => expect(store.changes.keptVersion()).toBeNull());
    expect(store.changes.keptVersion()).toBe(store.changes.version());
  });
});
