/**
 * Found by review 7 (R12, failed before the fix; the kind of R6, in flight): a read that waits for an on-demand
 * fetch was checked again after the wait for the lock and the session (src-main/ipc/router.ts), not for the role
 * or record access. A clinician opens a clinical thread that is not on this PC (fetched from the backend); the
 * answer is late, and meanwhile a pull brings their demotion to receptionist: the thread was handed out all the same.
 * Real backend, store, keychain and router; the late answer is the real one, held in the sync engine's transport.
 * Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// A clinician signed in and synced once; the engine runs only when a test asks (one test per file).
const desk = useSyncedConsoles(['clinician1'] as const, { console: { autoStart: false } });

describe('a demotion pulled while a clinical thread is being fetched', () => {
  it('does not hand the thread out', async () => {
    const [clinic] = desk.consoles;
    const page = await clinic.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      poolId: 'clinical',
      offset: 0,
      limit: 5,
    });
    const threadId = page.threads[0]!.id;
    const store = clinic.core.store;
    // Not on this PC any more (as a thread outside the store window): thread.get fetches it on demand.
    store.transaction(() => store.threads.delete(threadId));
    // The sync engine's own transport (its record fetch): the real answer, held until the demotion is pulled.
    const transport = (
      clinic.core.sync() as unknown as {
        client: { transport: { fetch: (p: string, i?: RequestInit) => Promise<Response> } };
      }
    ).client.transport;
    const original = transport.fetch.bind(transport);
    let held = false;
    transport.fetch = async (p, init = {}) => {
      const res = await original(p, init);
      if (held || !p.startsWith('/sync/record')) return res;
      held = true;
      transport.fetch = original;
      const me = store.staff.byUsername('clinician1')!;
      // As a pull from the backend applies it.
      store.transaction(() => store.staff.upsert({ ...me, role: 'receptionist', version: me.version + 1 }));
      return res;
    };
    const result = await clinic.call('thread.get', { threadId });
    expect(held).toBe(true);
    expect(result.ok).toBe(false);
  });
});
