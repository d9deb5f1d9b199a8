/**
 * Every way opening the store can fail: a clear error naming the fix, and the data folder unchanged byte for byte.
 * Real keychain (gnome-keyring) and real SQLCipher; the "keychain unavailable" case runs a child process with no
 * D-Bus session, so the keychain is really unreachable.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeytarKeyStore } from '../../src-main/keys/keytar-store';
import { keyAccountFor } from '../../src-main/keys/store-key';
import { StoreError } from '../../src-main/store/errors';
import { KEY_CHECK_FILE, STORE_FILE } from '../../src-main/store/paths';
import { openStore } from '../../src-main/store/store';
import { patientFixture } from '../helpers/fixtures';
import { snapshotDir, tempDir } from '../helpers/tmp';

const keyStore = new KeytarKeyStore();

async function expectStoreError(dir: string, code: StoreError['code'], message: RegExp): Promise<void> {
  const before = snapshotDir(dir);
  const error = await openStore(dir, keyStore).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  expect((error as StoreError).message).toMatch(message);
  expect(snapshotDir(dir)).toEqual(before);
}

describe('store open errors', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await keyStore.delete(keyAccountFor(dir));
    cleanup();
  });

  async function makeStore(): Promise<void> {
    const store = await openStore(dir, keyStore);
    store.patients.upsert(patientFixture());
    store.close();
  }

  it('keychain unavailable: names the keychain and changes nothing', async () => {
    await makeStore();
    const before = snapshotDir(dir);
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    delete env.STORE_KEY_HEX; // the fixture's raw-key mode would bypass the keychain
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures/open-store.ts'), dir],
      { env, encoding: 'utf8' },
    );
    const result = JSON.parse(out.trim().split('\n').pop()!) as {
      ok: boolean;
      code?: string;
      message?: string;
    };
    expect(result).toMatchObject({ ok: false, code: 'KEYCHAIN_UNAVAILABLE' });
    expect(result.message).toMatch(/keychain is not available.*gnome-keyring/);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('store exists but its key is not in the keychain', async () => {
    await makeStore();
    await keyStore.delete(keyAccountFor(dir));
    await expectStoreError(
      dir,
      'KEY_MISSING',
      /exists but its key is not in the OS keychain.*not been changed/,
    );
    // And no key was quietly created for it.
    expect(await keyStore.get(keyAccountFor(dir))).toBeNull();
  });

  it('wrong key, told by the key check', async () => {
    await makeStore();
    await keyStore.set(keyAccountFor(dir), 'cd'.repeat(32));
    await expectStoreError(dir, 'WRONG_KEY', /does not open the store/);
  });

  it('wrong key without the key-check sidecar: proven by SQLCipher itself', async () => {
    await makeStore();
    fs.rmSync(path.join(dir, KEY_CHECK_FILE));
    await keyStore.set(keyAccountFor(dir), 'cd'.repeat(32));
    await expectStoreError(dir, 'WRONG_KEY', /does not open the store/);
  });

  it('damaged file with the right key', async () => {
    await makeStore();
    const file = path.join(dir, STORE_FILE);
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 100, 600); // inside page 1, past the salt
    fs.writeFileSync(file, bytes);
    await expectStoreError(dir, 'NOT_A_DATABASE', /is not a Clinic Console store or is damaged/);
  });

  it.each([
    ['an empty file', () => Buffer.alloc(0), /empty/],
    [
      'a text file',
      () => Buffer.from('not a database at all\n'.repeat(10)),
      /whole number of database pages/,
    ],
    ['random pages', () => Buffer.alloc(8192, 7), null],
  ])('not a database: %s', async (_name, bytes, detail) => {
    await keyStore.set(keyAccountFor(dir), 'ab'.repeat(32));
    fs.writeFileSync(path.join(dir, STORE_FILE), bytes());
    // Random pages cannot be told from a wrong key without a key check: WRONG_KEY is the honest answer there.
    if (detail) await expectStoreError(dir, 'NOT_A_DATABASE', detail);
    else await expectStoreError(dir, 'WRONG_KEY', /does not open the store/);
  });

  it('not a database: an unencrypted SQLite file', async () => {
    const plain = new Database(path.join(dir, STORE_FILE));
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    await keyStore.set(keyAccountFor(dir), 'ab'.repeat(32));
    await expectStoreError(dir, 'NOT_A_DATABASE', /unencrypted SQLite file/);
  });
});
