import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { storeErrors } from '../store/errors';
import { STORE_FILE } from '../store/paths';
import { KeychainUnavailableError, type KeyStore } from './key-store';

/** A 256-bit store key as 64 hex characters. */
export type StoreKey = string;
const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** One keychain entry per data folder, so several consoles (or tests) on one OS account never share a key. */
export function keyAccountFor(dataDir: string): string {
  const digest = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return `store-key:${digest}`;
}

/**
 * The store key for dataDir: read from the keychain, or created on first run (no store file yet).
 * A store that exists without its key is an error, never a reason to make a new store.
 */
export async function loadOrCreateStoreKey(keyStore: KeyStore, dataDir: string): Promise<StoreKey> {
  const account = keyAccountFor(dataDir);
  const file = path.join(dataDir, STORE_FILE);
  let existing: string | null;
  try {
    existing = await keyStore.get(account);
  } catch (cause) {
    if (cause instanceof KeychainUnavailableError)
      throw storeErrors.keychainUnavailable(cause.cause ?? cause);
    throw cause;
  }
  const storeExists = fs.existsSync(file);
  if (existing !== null) {
    if (!KEY_PATTERN.test(existing)) throw storeErrors.wrongKey(file);
    return existing;
  }
  if (storeExists) throw storeErrors.keyMissing(file);
  const key = crypto.randomBytes(32).toString('hex');
  try {
    await keyStore.set(account, key);
  } catch (cause) {
    throw storeErrors.keychainUnavailable(cause);
  }
  return key;
}
