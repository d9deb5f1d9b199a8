/** Test support: a real SQLCipher store in a temp folder, a settable clock, and a raw "attacker" connection. */
import crypto from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, expect } from 'vitest';
import { patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { tempDir } from '../../tests/helpers/tmp';
import type { Clock } from '../base/adapters';
import { openDatabase } from '../store/open';
import { Store } from '../store/store';
import { AuditLog } from './audit-log';

export const DEVICE_ID = 'dev-front-1';
export const DEVICE_NAME = 'Front desk 1';

export interface TestStore {
  store: Store;
  audit: AuditLog;
  clock: Clock & { t: number; advance(ms: number): void };
  keyHex: string;
  /** A second connection to the same file with the key, for tampering below the API. */
  raw(): Db;
  /** Close the store and open it again from the file (replaces `store` and `audit`). */
  reopen(): void;
  cleanup(): void;
}

export function openTestStore(): TestStore {
  const { dir, cleanup } = tempDir('clinic-audit-');
  const keyHex = crypto.randomBytes(32).toString('hex');
  const { db, file } = openDatabase(dir, keyHex);
  const store = new Store(db, file);
  store.devices.upsert(DEVICE_ID, DEVICE_NAME, true);
  const clock = {
    t: Date.UTC(2026, 10, 23, 9, 0, 0),
    now() {
      return this.t;
    },
    advance(ms: number) {
      this.t += ms;
    },
  };
  const opened: Db[] = [];
  const t: TestStore = {
    store,
    audit: new AuditLog(store, clock, () => DEVICE_ID),
    clock,
    keyHex,
    raw() {
      const conn = new Database(file, { fileMustExist: true });
      conn.pragma(`cipher='sqlcipher'`);
      conn.pragma('legacy=4');
      conn.pragma(`key="x'${keyHex}'"`);
      opened.push(conn);
      return conn;
    },
    reopen() {
      t.store.close();
      const again = openDatabase(dir, keyHex);
      t.store = new Store(again.db, again.file);
      t.audit = new AuditLog(t.store, clock, () => DEVICE_ID);
    },
    cleanup() {
      for (const c of opened) if (c.open) c.close();
      t.store.close();
      cleanup();
    },
  };
  return t;
}

/**
 * A test store per test: registers a `beforeEach` that opens one (`openTestStore`) and an `afterEach` that cleans it
 * up. Returns a stand-in that reads and writes the current test's store (call at the top of a file).
 */
export function useTestStore(): TestStore {
  let current: TestStore | undefined;
  beforeEach(() => {
    current = openTestStore();
  });
  afterEach(() => current?.cleanup());
  return new Proxy({} as TestStore, {
    get: (_target, key) => Reflect.get(current!, key) as unknown,
    set: (_target, key, value) => Reflect.set(current!, key, value),
  });
}

/**
 * A test store per test holding one thread to check access and thread facts on: patient pat-1, pools 'pool-admin'
 * (administrative) and 'pool-clin' (clinical), thread thr-1 of pat-1 in 'pool-admin' (DESIGN §6: the pool's kind
 * decides who reads the body). `more(t)` adds rows in the same transaction. Registers its `beforeEach`/`afterEach`
 * like `useTestStore`, whose stand-in it returns.
 */
export function useStoreWithThread(more: (t: TestStore) => void = () => undefined): TestStore {
  const t = useTestStore();
  const pool = (id: string, kind: 'clinical' | 'administrative') =>
    t.store.db
      .prepare(`INSERT INTO pools (id, name, kind, topics, sla, version) VALUES (?, ?, ?, '[]', '{}', 1)`)
      .run(id, id, kind);
  beforeEach(() => {
    t.store.transaction(() => {
      t.store.patients.upsert(patientFixture({ id: 'pat-1' }));
      more(t);
      pool('pool-admin', 'administrative');
      pool('pool-clin', 'clinical');
      t.store.threads.upsert(threadFixture({ id: 'thr-1', patientId: 'pat-1', poolId: 'pool-admin' }));
    });
  });
  return t;
}

/**
 * Checks the audit chain of `t`'s store: each event's prevHash is the hash of the event before it in seq order, and
 * verify() passes (`withCount`: and reports as many events as the log holds). DESIGN §10 (tamper-evident audit).
 */
export function expectChainLinked(t: TestStore, withCount = false): void {
  const rows = t.store.db.prepare('SELECT prev_hash, hash FROM audit_events ORDER BY seq').all() as {
    prev_hash: string;
    hash: string;
  }[];
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
  expect(t.audit.verify()).toMatchObject(withCount ? { ok: true, count: rows.length } : { ok: true });
}

/**
 * An AuditLog on `t`'s store whose per-record index flushes (ENTITY_INDEX_BATCH) run only when the test says:
 * each scheduled flush is handed to `later` (default: dropped, so every event stays in the unindexed tail until
 * the test calls `flushEntityIndex`).
 */
export function logFlushedByTest(
  t: TestStore,
  later: (task: () => void) => void = () => undefined,
): AuditLog {
  return new AuditLog(t.store, t.clock, () => DEVICE_ID, later);
}

/** An audit event of an old store, written with raw SQL by an upgrade test. */
export interface OldAuditEvent {
  seq: number;
  id: string;
  entityId: string | null;
  /** Default 'thread'. */
  entityType?: 'thread' | 'patient';
  /** UTC instant, ISO 8601; default 2026-11-01T09:00:00.000Z. */
  at?: string;
  /** Default 'p' and 'h': the upgrade does not verify the chain. */
  prevHash?: string;
  hash?: string;
  /** Default null (column of migration 009). */
  purposeOfEvent?: 'BTG' | null;
}

export interface OldAuditStore {
  /**
   * Create the store migrated only up to migration `upTo` and write `events` (staff stf-1, clinician, device
   * dev-1, a successful read, no fields), then `more(db)` with the same connection, and close it.
   */
  write(upTo: number, events: readonly OldAuditEvent[], more?: (db: Db) => void): void;
  /** Open it as the console does (every migration after `upTo` runs); close the Store after. */
  open(): Store;
}

/**
 * Upgrade tests of the audit log's migrations: registers a `beforeEach` that makes a temp folder and an
 * `afterEach` that removes it; `write` an old store there, then `open` it.
 */
export function useOldAuditStore(): OldAuditStore {
  const key = 'ab'.repeat(32);
  let dir = '';
  let cleanup = () => {};
  beforeEach(() => ({ dir, cleanup } = tempDir('clinic-audit-upgrade-')));
  afterEach(() => cleanup());
  return {
    write(upTo, events, more) {
      const old = openDatabase(dir, key, { upTo });
      try {
        const insert = old.db.prepare(
          `INSERT INTO audit_events (seq, id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome,
             fields, actor_kind, prev_hash, hash, purpose_of_event) VALUES (@seq, @id, @at, 'stf-1', 'clinician',
             'dev-1', 'read', @entityType, @entityId, 'success', '[]', 'staff', @prevHash, @hash, @purposeOfEvent)`,
        );
        for (const e of events)
          insert.run({
            at: '2026-11-01T09:00:00.000Z',
            entityType: 'thread',
            prevHash: 'p',
            hash: 'h',
            purposeOfEvent: null,
            ...e,
          });
        more?.(old.db);
      } finally {
        old.db.close();
      }
    },
    open() {
      const { db, file } = openDatabase(dir, key);
      return new Store(db, file);
    },
  };
}
