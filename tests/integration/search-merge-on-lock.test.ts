/**
 * Review 7 U7, session 7: the merge that takes a deleted message's terms out of the search index's segments
 * rewrites the whole index (about 1 s of CPU at 200k messages), so it no longer runs inside the sync that deleted
 * the message, where the console would stall; the core runs it once its session stops being active (lock,
 * sign-out), while nobody waits. Seen through the store's note (`settings` 'search.mergePending', written in the
 * deleting transaction) and the index's segment data. Real backend, SQLCipher store, keychain and router.
 */
import { describe, expect, it } from 'vitest';
import { demoStaff } from '../../server/demo/credentials';
import { applyPullBatch } from '../../src-main/sync/apply-changes';
import { useSyncedConsole } from '../helpers/synced-consoles';

const desk = useSyncedConsole('clinician1', { console: { autoStart: false } });

/** One turn of the event loop: the core schedules the merge with setImmediate after the lock is shown. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the search index merge after a deleted message', () => {
  it('waits while the session is active and runs on lock', async () => {
    const clinic = desk.console;
    const store = clinic.core.store;
    const note = () =>
      store.db.prepare(`SELECT value FROM settings WHERE key = 'search.mergePending'`).pluck().get() ?? null;
    const segments = () => store.db.prepare('SELECT count(*) FROM messages_fts_data').pluck().get() as number;
    store.threads.refreshSearch(1);
    expect(clinic.core.store.threads.mergeSearchIfPending()).toBe(false);
    const id = store.db.prepare('SELECT id FROM messages ORDER BY id LIMIT 1').pluck().get() as string;

    applyPullBatch(store, {
      changes: [{ entity: 'message', id, data: null }],
      cursor: '999999',
      hasMore: false,
      remaining: 0,
    });
    store.threads.refreshSearch(1);
    const beforeLock = segments();
    await nextTurn();
    expect(note()).toBe('1');
    // Only the deleted row's tombstone so far: the index was not rewritten while the clinician works.
    expect(segments()).toBe(beforeLock);

    await clinic.ok('auth.lock');
    await nextTurn();
    expect(note()).toBeNull();
    expect(segments()).not.toBe(beforeLock);

    // Unlocking does not merge again (nothing deleted since).
    await clinic.ok('auth.unlock', { password: demoStaff('clinician1').password });
    await clinic.ok('auth.lock');
    await nextTurn();
    expect(note()).toBeNull();
  });
});
