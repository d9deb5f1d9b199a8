/** Real encrypted stores for sync tests: a fresh data folder and a random raw key (the keychain is tested elsewhere). */
import crypto from 'node:crypto';
import { openDatabase } from '../../src-main/store/open';
import { Store } from '../../src-main/store/store';
import { tempDir } from './tmp';

export interface TestStore {
  store: Store;
  dir: string;
  key: string;
  /** Close the store and remove its folder. */
  dispose: () => void;
}

export const randomKeyHex = (): string => crypto.randomBytes(32).toString('hex');

export function openStoreAt(dir: string, key: string): Store {
  const { db, file } = openDatabase(dir, key);
  return new Store(db, file);
}

export function makeTestStore(prefix = 'clinic-sync-'): TestStore {
  const { dir, cleanup } = tempDir(prefix);
  const key = randomKeyHex();
  const store = openStoreAt(dir, key);
  return {
    store,
    dir,
    key,
    dispose: () => {
      store.close();
      cleanup();
    },
  };
}
