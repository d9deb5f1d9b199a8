/**
 * The store on disk is a genuine SQLCipher 4 database: the reference library opens it with the key and refuses it
 * without, and no known plaintext appears in any byte of the data folder. Real keychain (gnome-keyring), real SQLCipher.
 */
import sqlcipher from '@journeyapps/sqlcipher';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeytarKeyStore } from '../../src-main/keys/keytar-store';
import { keyAccountFor } from '../../src-main/keys/store-key';
import { STORE_FILE } from '../../src-main/store/paths';
import { openStore, type Store } from '../../src-main/store/store';
import { KNOWN_PLAINTEXT, messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { rawBytesOf, tempDir } from '../helpers/tmp';

const keyStore = new KeytarKeyStore();

function queryWithReference(file: string, keyHex: string | null): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlcipher.Database(file);
    db.serialize(() => {
      if (keyHex) db.run(`PRAGMA key = "x'${keyHex}'"`);
      db.all('SELECT family_name FROM patients', (err, rows) => {
        db.close();
        if (err) reject(err);
        else resolve(rows);
      });
    });
  });
}

function cipherVersion(file: string, keyHex: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const db = new sqlcipher.Database(file);
    db.serialize(() => {
      db.run(`PRAGMA key = "x'${keyHex}'"`);
      db.get('PRAGMA cipher_version', (err, row) => {
        db.close();
        if (err) reject(err);
        else resolve((row as { cipher_version: string }).cipher_version);
      });
    });
  });
}

describe('encrypted store', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store | undefined;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    store?.close();
    store = undefined;
    await keyStore.delete(keyAccountFor(dir));
    cleanup();
  });

  function writePhi(s: Store): void {
    s.transaction(() => {
      s.patients.upsert(patientFixture());
      s.threads.upsert(threadFixture());
      s.messages.upsert(messageFixture());
    });
  }

  it('opens with @journeyapps/sqlcipher (SQLCipher 4.x) given the key, and fails without it', async () => {
    store = await openStore(dir, keyStore);
    writePhi(store);
    store.close();
    const key = await keyStore.get(keyAccountFor(dir));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, STORE_FILE);
    expect(await cipherVersion(file, key!)).toMatch(/^4\./);
    expect(await queryWithReference(file, key!)).toEqual([{ family_name: KNOWN_PLAINTEXT.familyName }]);
    await expect(queryWithReference(file, null)).rejects.toThrow(/file is not a database/);
    await expect(queryWithReference(file, 'ab'.repeat(32))).rejects.toThrow(/file is not a database/);
  });

  it('leaves no known plaintext in any byte of the data folder, WAL and SHM included', async () => {
    store = await openStore(dir, keyStore);
    writePhi(store);
    const needles = Object.values(KNOWN_PLAINTEXT).flatMap((text) => [
      Buffer.from(text, 'utf8'),
      Buffer.from(text, 'utf16le'),
    ]);
    // While open: the change sits in the WAL.
    let bytes = rawBytesOf(dir);
    expect(bytes.length).toBeGreaterThan(4096);
    for (const needle of needles) expect(bytes.includes(needle)).toBe(false);
    // The reading side can see it, so the search above would have found clear text had there been any.
    expect(store.patients.byId('pat-1')?.familyName).toBe(KNOWN_PLAINTEXT.familyName);
    store.close();
    bytes = rawBytesOf(dir);
    for (const needle of needles) expect(bytes.includes(needle)).toBe(false);
  });

  it('creates the key once, finds it again and reopens the same data', async () => {
    store = await openStore(dir, keyStore);
    writePhi(store);
    store.close();
    const first = await keyStore.get(keyAccountFor(dir));
    store = await openStore(dir, keyStore);
    expect(await keyStore.get(keyAccountFor(dir))).toBe(first);
    expect(store.messages.forThread('thr-1').map((m) => m.body)).toEqual([KNOWN_PLAINTEXT.messageSentence]);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
