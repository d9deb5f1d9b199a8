/**
 * Session 6: the backend's SQLite store commits durably (synchronous = FULL: the WAL is fsynced before a commit
 * returns), so a push it answered "applied" survives a power cut; the console moves its push pointer past such a
 * push and keeps no other copy of the audit events in it (DESIGN §5, §7). Read through the store's own
 * connection, after it opened and migrated an existing file too (a reopen must not fall back to NORMAL).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store';
import { tempDir } from '../../tests/helpers/tmp';

const { dir, cleanup } = tempDir('portal-durable-');
afterAll(() => cleanup());

describe('the backend SQLite store', () => {
  it('fsyncs every commit (synchronous = FULL), on a new file and on reopening it', async () => {
    const first = new SqliteStore(dir);
    expect(first.synchronousLevel()).toBe(2);
    await first.close();
    const again = new SqliteStore(dir);
    expect(again.synchronousLevel()).toBe(2);
    await again.close();
  });
});
