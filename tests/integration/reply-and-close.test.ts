/**
 * Issue 14, deliverable 5: reply-and-close in one action, through the router of a real core against the real
 * backend on loopback. The reply and the status change are queued in one transaction and reach the server
 * together; a refused or failing call queues neither.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const clinic = useSyncedConsoles(['clinician1'], { console: { autoStart: false } });
let portal: TestPortal;
let desk: TestConsole;

beforeAll(() => {
  portal = clinic.portal;
  [desk] = clinic.consoles;
});

const firstOpenThread = async (): Promise<string> =>
  (await desk.ok<ThreadPage>('inbox.list', { queue: 'all', offset: 0, limit: 1 })).threads[0]!.id;

describe('thread.replyAndClose', () => {
  it('sends the reply and closes the thread, on this PC at once and on the server after one sync', async () => {
    const threadId = await firstOpenThread();
    const before = desk.core.store.outbox.count();
    const { messageId } = await desk.ok<{ messageId: string }>('thread.replyAndClose', {
      threadId,
      body: 'Your results are fine; no further action needed.',
    });
    expect(desk.core.store.outbox.count() - before).toBeGreaterThanOrEqual(2);
    expect(desk.core.store.threads.byId(threadId)).toMatchObject({ status: 'done' });

    await desk.ok('sync.now');
    expect(desk.core.store.outbox.count()).toBe(0);
    const server = portal.server.store;
    expect(await server.thread(threadId)).toMatchObject({ status: 'done' });
    const sent = (await server.messagesOfThread(threadId)).filter((m) => m.id === messageId);
    expect(sent).toEqual([
      expect.objectContaining({ body: 'Your results are fine; no further action needed.' }),
    ]);
  });

  it('queues nothing when refused: an unknown thread, an empty body, or a locked console', async () => {
    const before = desk.core.store.outbox.count();
    const missing = await desk.call('thread.replyAndClose', { threadId: 'no-such-thread', body: 'Hello' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const threadId = await firstOpenThread();
    const empty = await desk.call('thread.replyAndClose', { threadId, body: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await desk.ok('auth.lock');
    const locked = await desk.call('thread.replyAndClose', { threadId, body: 'Hello' });
    expect(locked).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    // Only audit rows (the refused attempts are recorded) may have been queued: no thread change.
    const queued = desk.core.store.db
      .prepare(`SELECT count(*) AS n FROM outbox WHERE entity != 'audit'`)
      .get() as { n: number };
    expect(queued.n).toBe(0);
    expect(desk.core.store.outbox.count()).toBeGreaterThanOrEqual(before);
    expect(desk.core.store.threads.byId(threadId)).toMatchObject({
      status: expect.not.stringMatching('done'),
    });
  });
});
