/**
 * Found by review 7 (R6, failed before the fix): an active session kept the role it signed in with. An admin demotes a clinician to receptionist on
 * the backend; the console pulls the staff record (the role change is even audited on this PC), yet the signed-in
 * person still opens clinical threads from the local store — bodies the server would no longer serve them — until
 * they sign out, which at a desk that never idles out may be the end of the shift (DESIGN §6: roles; §5: the
 * server repeats the role checks, but a local read never reaches it). Real backend, store, keychain and router.
 * Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo, ThreadPage } from '../../src-shared/views';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// A clinician signed in and synced once; the engine runs only when a test asks (one test per file).
const desk = useSyncedConsoles(['clinician1'] as const, { console: { autoStart: false } });

describe('a role change pulled during an active session', () => {
  it('applies to the next call: a demoted clinician no longer opens a clinical thread', async () => {
    const [clinic] = desk.consoles;
    const page = await clinic.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      poolId: 'clinical',
      offset: 0,
      limit: 5,
    });
    const threadId = page.threads[0]!.id;
    expect((await clinic.call('thread.get', { threadId })).ok).toBe(true);
    const store = clinic.core.store;
    const me = store.staff.byUsername('clinician1')!;
    // As a pull from the backend applies it.
    store.transaction(() => store.staff.upsert({ ...me, role: 'receptionist', version: me.version + 1 }));
    const after = await clinic.call('thread.get', { threadId });
    expect(after.ok).toBe(false);
    expect(after.ok ? null : after.error.code).toBe('FORBIDDEN');
    // The session says so too (the renderer's views follow it), and the same person stays signed in.
    const info = await clinic.ok<SessionInfo>('session.status', {});
    expect(info.state).toBe('active');
    expect(info.staff?.role).toBe('receptionist');
  });
});
