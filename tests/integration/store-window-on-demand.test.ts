/**
 * A record outside the store window is fetched on demand (DESIGN.md §4, issue 12), through the real router:
 * an admin narrows the window, the next sync evicts an old closed thread, and opening it (`thread.get`, as the
 * patient panel or a search result does) fetches it from the server, shows it whole, and audits the read like
 * any other. Offline, the same call says the thread is not on this PC. Real console core (keychain, SQLCipher),
 * real backend on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadDetail } from '../../src-shared/views';
import {
  closeConsoleAndPortal,
  startSignedInConsole,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  ({ portal, desk } = await startSignedInConsole('admin1'));
});
afterAll(() => closeConsoleAndPortal(desk, portal));

describe('a thread outside the store window', () => {
  it('is evicted when the window narrows, then opens again from the server, audited', async () => {
    const old = desk.core.store.db
      .prepare(`SELECT id FROM threads WHERE status = 'done' ORDER BY last_message_at LIMIT 1`)
      .get() as { id: string };
    const messages = desk.core.store.messages.forThread(old.id).length;
    expect(messages).toBeGreaterThan(0);
    // The admin keeps closed threads one day only: the next sync applies it.
    await desk.ok('settings.update', { closedThreadDays: 1 });
    await desk.ok('sync.now');
    expect(desk.core.store.threads.byId(old.id)).toBeNull();
    expect(desk.core.store.messages.forThread(old.id)).toEqual([]);

    const readsBefore = desk.core.store.audit
      .localForEntity('thread', old.id, 1000)
      .filter((e) => e.action === 'read').length;
    const detail = await desk.ok<ThreadDetail>('thread.get', { threadId: old.id });
    expect(detail.thread.id).toBe(old.id);
    expect(detail.messages).toHaveLength(messages);
    const reads = desk.core.store.audit
      .localForEntity('thread', old.id, 1000)
      .filter((e) => e.action === 'read' && e.outcome === 'success');
    expect(reads.length).toBe(readsBefore + 1);

    // Offline, a thread neither here nor reachable is "not on this PC".
    await desk.ok('settings.update', { closedThreadDays: 2 });
    await desk.ok('sync.now'); // evicted again (the window changed)
    expect(desk.core.store.threads.byId(old.id)).toBeNull();
    await portal.stop();
    const offline = await desk.call('thread.get', { threadId: old.id });
    expect(offline).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await portal.restart();
  });
});
