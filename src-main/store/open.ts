import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3-multiple-ciphers';
import { recoverInterruptedBulkLoad, restoreKeptRows } from './bulk-load';
import { DURABLE_SYNCHRONOUS } from './durability';
import { StoreError, storeErrors } from './errors';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations';
import { KEY_CHECK_FILE, STORE_FILE } from './paths';

const PLAIN_SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const KEY_CHECK_LABEL = 'clinic-console store key check v1';

function keyCheckOf(keyHex: string): string {
  return crypto.createHmac('sha256', Buffer.from(keyHex, 'hex')).update(KEY_CHECK_LABEL).digest('hex');
}

/**
 * Connection settings applied after the key. A 64 MB page cache (SQLite's default here is 16 MB) keeps the
 * inbox's indexes and the search index decrypted in memory at 100k+ threads: with 16 MB, searches and page
 * queries at that size spent most of their time re-reading and decrypting evicted pages (DESIGN.md §10).
 * The benchmark applies the same list to its plain-SQLite and @journeyapps/sqlcipher comparisons.
 */
export const STORE_PRAGMAS: readonly string[] = [
  'journal_mode = WAL',
  // Every commit fsyncs the WAL before it returns (the audit trail is durable before data is returned); only a
  // pull batch's apply opts out, in durability.ts, which says why that is safe.
  DURABLE_SYNCHRONOUS,
  'foreign_keys = ON',
  'busy_timeout = 5000',
  'cache_size = -65536',
  // Checkpoint the WAL into the database every ~40 MB instead of every ~4 MB. Each checkpoint decrypts and
  // re-encrypts every page it copies; a bulk sync rewrites the same index pages batch after batch, so fewer,
  // larger checkpoints copy each page once instead of many times (initial sync commits: 10 s -> 6 s at 565k rows).
  'wal_autocheckpoint = 10000',
  // Freed pages are overwritten (DESIGN §4; review 7 U7: a merged search index's old segments). This build's
  // default already; set so that no build default decides it.
  'secure_delete = ON',
  // Temporary files in memory (session 9, s9rss). SQLite3 Multiple Ciphers encrypts the store, its WAL and journals,
  // but not temporary files: with this build's default (SQLITE_TEMP_STORE=1, files) a sort larger than the page
  // cache, a statement journal past 64 KiB or a temporary table was written in clear to /var/tmp/etilqs_* (deleted
  // at once, its blocks left on the disk: DESIGN §2, a stolen or discarded disk). Seen in every initial sync (the
  // bulk load's statement journals, pages of the store in clear). In memory, a sort is not bounded by the page cache
  // (SQLite spills sorts only to files): the bulk load's index builds at scale 100 fit the 64 MB cache anyway.
  'temp_store = MEMORY',
];

/** Apply the SQLCipher 4 scheme with a raw 256-bit key (DESIGN.md §4); must be the first statements. */
function applyCipher(db: Db, keyHex: string): void {
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${keyHex}'"`);
}

/** Look at an existing file before SQLite does, so a foreign or damaged file is named, not "re-created". */
function inspectExisting(file: string): void {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw storeErrors.notADatabase(file, 'not a regular file');
  if (stat.size === 0) throw storeErrors.notADatabase(file, 'the file is empty');
  if (stat.size < 1024 || stat.size % 512 !== 0) {
    throw storeErrors.notADatabase(file, 'its size is not a whole number of database pages');
  }
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.equals(PLAIN_SQLITE_HEADER))
    throw storeErrors.notADatabase(file, 'it is an unencrypted SQLite file');
}

export interface OpenedDatabase {
  db: Db;
  file: string;
  created: boolean;
  migratedFrom: number;
}

/**
 * Open (or create) `<dataDir>/clinic.db` with the key. Every failure leaves an existing file untouched:
 * checks run before any write, and the database is opened read-only until the key is proven.
 */
export function openDatabase(
  dataDir: string,
  keyHex: string,
  options: { upTo?: number } = {},
): OpenedDatabase {
  const file = path.join(dataDir, STORE_FILE);
  const checkFile = path.join(dataDir, KEY_CHECK_FILE);
  // A first sync's bulk load that never finished: back to the store as it was before it (issue 16).
  recoverInterruptedBulkLoad(file, keyHex);
  const created = !fs.existsSync(file);

  if (created) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } else {
    inspectExisting(file);
    const expected = fs.existsSync(checkFile) ? fs.readFileSync(checkFile, 'utf8').trim() : null;
    if (expected !== null && expected !== keyCheckOf(keyHex)) throw storeErrors.wrongKey(file);
    // Prove the key read-only first, so a failed open touches no byte of the store.
    const sidecars = [`${file}-wal`, `${file}-shm`].filter((f) => !fs.existsSync(f));
    const probe = new Database(file, { readonly: true, fileMustExist: true });
    try {
      applyCipher(probe, keyHex);
      probe.prepare('SELECT count(*) FROM sqlite_master').get();
      const found = schemaVersion(probe);
      if (found > LATEST_VERSION) throw storeErrors.newerSchema(file, found, LATEST_VERSION);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      // With a matching key check, the key is right and the file is damaged; without one we cannot tell.
      if (expected !== null)
        throw storeErrors.notADatabase(file, 'it cannot be decrypted with the right key');
      throw storeErrors.wrongKey(file);
    } finally {
      probe.close();
      // A read-only connection to a WAL store leaves empty -wal/-shm files it cannot delete; they were ours.
      for (const f of sidecars) fs.rmSync(f, { force: true });
    }
  }

  const db = new Database(file, { fileMustExist: !created });
  try {
    applyCipher(db, keyHex);
    for (const setting of STORE_PRAGMAS) db.pragma(setting);
    if (created || !fs.existsSync(checkFile)) {
      fs.writeFileSync(checkFile, keyCheckOf(keyHex) + '\n', { mode: 0o600 });
    }
    // What this PC recorded during an interrupted bulk load, kept in the copy (bulk-load.ts): put back. Checked
    // at every open (two schema lookups), so a restore cut short before this commits is finished next time.
    restoreKeptRows(db);
    const migratedFrom = schemaVersion(db);
    migrate(db, options.upTo);
    return { db, file, created, migratedFrom };
  } catch (cause) {
    db.close();
    throw cause;
  }
}
