/**
 * Found by review 7 (R14, failed before the fix): the same list read repeated within 10 minutes adds no
 * per-record events (RecentListReads: "each look-up is in the trail, its refreshes are not", DESIGN §7). The memory
 * outlived the session: a person who signed out and in again and looked the same list up left no per-record event
 * of that new look-up. Real backend, store, keychain and router. Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// A clinician signed in and synced once; the engine runs only when a test asks (one test per file).
const desk = useSyncedConsoles(['clinician1'] as const, { console: { autoStart: false } });

describe('a list looked up again in a new session', () => {
  it('records a read on each thread it returns', async () => {
    const [clinic] = desk.consoles;
    const query = { queue: 'all', offset: 0, limit: 5 };
    const page = await clinic.ok<ThreadPage>('inbox.list', query);
    const threadId = page.threads[0]!.id;
    const reads = () =>
      clinic.core.store.db
        .prepare(
          `SELECT count(*) FROM audit_events WHERE action = 'read' AND entity_type = 'thread' AND entity_id = ?
             AND fields LIKE '%inbox.list%'`,
        )
        .pluck()
        .get(threadId);
    expect(reads()).toBe(1);
    await clinic.ok('auth.signOut');
    desk.portal.clock.advance(31_000);
    expect((await clinic.signIn('clinician1')).ok).toBe(true);
    await clinic.ok<ThreadPage>('inbox.list', query);
    expect(reads()).toBe(2);
  });
});
