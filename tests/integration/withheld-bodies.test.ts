/**
 * Adversarial review (session 4) of the second-round merge fix "withheld bodies fetched once a clinician signs
 * in" (706298d). A receptionist's pull names the threads whose messages it left out (`withheld`), and the console
 * marks them with an UPDATE on the thread row (apply-changes.ts). A pull serves each record once, at its latest
 * change: a thread updated after its messages (assigned, re-prioritised, closed: every real clinic) comes in a
 * LATER batch than its messages, so at the time its messages are withheld the thread row is not on the PC yet and
 * the mark is lost. A clinician on that PC later opens the thread and sees no message at all.
 * Failed on main d4f825f (review 4, session 4); guards the fix.
 * Real portal backend (demo clinic, about 5,700 changes: two pull batches of 5,000), real stores, real router.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { ThreadDetail } from '../../src-shared/views';
import { startConsole, type TestConsole } from '../helpers/console-harness';
import { useSyncedFrontDesk } from '../helpers/synced-front-desk';

let doc: TestConsole;
let touched: string[];

// A new front-desk PC whose first sync runs for the receptionist (bodies of clinical pools withheld), opened once
// the clinician's own PC has worked (beforeDesk).
const front = useSyncedFrontDesk({
  beforeDesk: async (portal) => {
    // The clinician's own PC: she re-prioritises the 40 oldest clinical threads (their messages are early in the
    // server's change log; each thread's latest change is now at its end).
    doc = await startConsole(portal, { autoStart: false });
    expect((await doc.signIn('clinician1')).ok).toBe(true);
    await doc.ok('sync.now');
    touched = doc.core.store.db
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id
       WHERE p.kind = 'clinical' AND EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)
       ORDER BY t.created_at, t.id LIMIT 40`,
      )
      .pluck()
      .all() as string[];
    for (const threadId of touched) await doc.ok('thread.setPriority', { threadId, priority: 'urgent' });
    await doc.ok('sync.now');
    expect(doc.core.store.outbox.peek(10)).toEqual([]);
  },
});
// Runs before the front desk's afterAll (vitest's hook order "stack"): the portal closes last.
afterAll(async () => {
  await doc?.close();
});

describe('withheld clinical bodies on a shared PC (review of 706298d)', () => {
  it('every clinical thread whose messages were withheld is marked for fetching, even when the thread came in a later batch', () => {
    const lost = front.desk.core.store.db
      .prepare(
        `SELECT count(*) FROM threads t JOIN pools p ON p.id = t.pool_id
         WHERE p.kind = 'clinical' AND NOT EXISTS (SELECT 1 FROM withheld_threads w WHERE w.thread_id = t.id)
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)`,
      )
      .pluck()
      .get() as number;
    expect(lost, 'clinical threads with no message and no withheld mark').toBe(0);
  });

  it('a clinician signing in on that PC sees the messages of a thread re-prioritised after them', async () => {
    expect((await front.desk.signIn('clinician1')).ok).toBe(true);
    // Session 7, s7srv: the marked threads come 100 a request (POST /sync/records), not one request each.
    const marked = front.desk.core.store.db
      .prepare('SELECT count(*) FROM withheld_threads')
      .pluck()
      .get() as number;
    expect(marked).toBeGreaterThan(100);
    const asked: string[] = [];
    const onRequest = (req: IncomingMessage) => asked.push(`${req.method} ${req.url?.split('?')[0]}`);
    front.portal.server.app.server.on('request', onRequest);
    await front.desk.ok('sync.now'); // fetches what is marked withheld
    front.portal.server.app.server.off('request', onRequest);
    expect(asked.filter((r) => r === 'GET /sync/record')).toEqual([]);
    expect(asked.filter((r) => r === 'POST /sync/records')).toHaveLength(Math.ceil(marked / 100));
    expect(front.desk.core.store.db.prepare('SELECT count(*) FROM withheld_threads').pluck().get()).toBe(0);
    const empty: string[] = [];
    for (const threadId of touched) {
      const detail = await front.desk.ok<ThreadDetail>('thread.get', { threadId });
      if (detail.messages.length === 0) empty.push(threadId);
    }
    expect(empty, 'threads shown to the clinician with no message at all').toEqual([]);
  });
});
