/**
 * Session 10 review, finding R10-1 (LOW; failed before the fix): the record access check read the thread's pool kind
 * through ThreadsRepo.facts, which is kept for the rest of the turn of the event loop and invalidated only by writes
 * on this connection. A commit by another connection to the same file within that turn was not seen: a receptionist
 * was let through to a thread that was, by then, in a clinical pool (DESIGN §6). The check, a security decision,
 * reads the row itself (src-main/triage/access.ts). Real SQLCipher store, a second real connection to the file.
 */
import { describe, expect, it } from 'vitest';
import { useStoreWithThread } from '../audit/test-store';
import type { StaffRecord } from '../../src-shared/domain';
import { createRecordAccess } from './access';

const t = useStoreWithThread();

const receptionist = { id: 'stf-r', role: 'receptionist' } as StaffRecord;

describe('review s10: record access and the thread facts kept for a turn', () => {
  it('refuses a receptionist a thread another connection moved into a clinical pool in the same turn', () => {
    const access = createRecordAccess(t.store, () => false);
    expect(access('thread.get', { threadId: 'thr-1' }, receptionist)).toMatchObject({ ok: true });
    // Another connection to the same file (a second console process on the folder, a repair tool) commits.
    t.raw().prepare(`UPDATE threads SET pool_id = 'pool-clin' WHERE id = 'thr-1'`).run();
    expect(access('thread.get', { threadId: 'thr-1' }, receptionist)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('refuses it in the next turn', async () => {
    const access = createRecordAccess(t.store, () => false);
    expect(access('thread.get', { threadId: 'thr-1' }, receptionist)).toMatchObject({ ok: true });
    t.raw().prepare(`UPDATE threads SET pool_id = 'pool-clin' WHERE id = 'thr-1'`).run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(access('thread.get', { threadId: 'thr-1' }, receptionist)).toMatchObject({ ok: false });
  });
});
