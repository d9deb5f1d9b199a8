/** Real encrypted stores for sync tests: a fresh data folder and a random raw key (the keychain is tested elsewhere). */
import crypto from 'node:crypto';
import { afterEach } from 'vitest';
import { openDatabase } from '../../src-main/store/open';
import { Store } from '../../src-main/store/store';
import { type LocalMutationInput, recordLocalMutation } from '../../src-main/sync/local-mutations';
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

/**
 * A fresh test store per test, for the tests of the calling `describe` (or file): call it there; the function it
 * returns makes the store on its first call in a test (makeTestStore(prefix)) and gives the same one back after;
 * the store is disposed after each test.
 */
export function useTestStore(prefix?: string): () => TestStore {
  let current: TestStore | null = null;
  afterEach(() => {
    current?.dispose();
    current = null;
  });
  return () => (current ??= makeTestStore(prefix));
}

/**
 * A change this desk made to thread `thr-1` (held at version 1) as `staff-1`, applied optimistically and waiting in
 * the outbox (`recordLocalMutation` at wall-clock time), as the router's handlers queue one: a pull then keeps the
 * thread's local image. Returns the mutation id (UUIDv7). Errors: recordLocalMutation's (LocalMutationError).
 */
export function queueThreadChange(store: Store, mutation: LocalMutationInput['mutation']): string {
  return recordLocalMutation(
    store,
    { now: () => Date.now() },
    { entity: 'thread', entityId: 'thr-1', baseVersion: 1, staffId: 'staff-1', mutation },
  );
}

/**
 * Write one patient row straight into `store`, as a pull would (for bulk-load tests: a record the load has written;
 * MRN `MRN-<id>`).
 */
export function insertPatientRow(store: Store, id: string): void {
  store.db
    .prepare(
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
       VALUES (?, ?, 'Test', 'Person', '1970-01-01', NULL, 1)`,
    )
    .run(id, `MRN-${id}`);
}
