/**
 * Shared set-up and checks of the read-cache tests (issue 16; session 11): the inbox's first pages, StoreCache and
 * their rollback rule (src-main/inbox/first-page-cache.test.ts, src-main/inbox/cache-rollback-attacks.test.ts,
 * src-main/store/store-cache.test.ts). Hoisted from the three files in session 12 (duplicates report); every
 * assertion stays in the test that calls it. Real store only.
 */
import { expect, vi } from 'vitest';
import type { PullResponse } from '../../src-shared/sync';
import type { Store } from '../../src-main/store/store';
import { threadFixture } from './fixtures';

/**
 * Runs `body` in `store.transaction` and expects it to throw `message` (the transaction then rolls back). `body`
 * must throw; a body that returns fails the test.
 */
export function expectRolledBack(store: Store, body: () => void, message = 'roll back'): void {
  expect(() => store.transaction(body)).toThrow(message);
}

/**
 * Runs `body` between `SAVEPOINT name` and `ROLLBACK TO name; RELEASE name`, issued by hand on the store's
 * database (not by Store.transaction): what an attack on the caches' rollback rule does.
 */
export function inSavepointRolledBack(store: Store, name: string, body: () => void): void {
  store.db.exec(`SAVEPOINT ${name}`);
  body();
  store.db.exec(`ROLLBACK TO ${name}`);
  store.db.exec(`RELEASE ${name}`);
}

/**
 * Runs `read` (e.g. every queue's first page listed) and expects it not to read a page from the store
 * (`store.threads.page` not called; `why` is the assertion's message). The spy is removed afterwards.
 */
export function expectNoPageRead(store: Store, read: () => void, why: string): void {
  const reads = vi.spyOn(store.threads, 'page');
  try {
    read();
    expect(reads, why).not.toHaveBeenCalled();
  } finally {
    reads.mockRestore();
  }
}

/** A pull batch (one page, the last) holding only a new thread `id` at version 1, at cursor `cursor`. */
export function newThreadBatch(id: string, cursor = '10'): PullResponse {
  return {
    changes: [{ entity: 'thread', id, data: threadFixture({ id, version: 1 }) }],
    cursor,
    hasMore: false,
    remaining: 0,
  };
}
