/** Test support: a real SQLCipher store in a temp folder, a settable clock, and a raw "attacker" connection. */
import crypto from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
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
