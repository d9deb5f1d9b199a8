/**
 * Adversarial review (session 4) of issue 14a §2 on the console: SLA escalation (an open thread past its due time
 * gets the overdue badge and joins the urgent queue) with a clock that jumps, and the urgent queue's count. Each
 * test failed on main d4f825f (review 4, session 4) and guards its fix.
 * Real portal backend, real store and keychain, real router; the PC's clock is the portal's plus an offset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueCounts, ThreadPage } from '../../src-shared/views';
import {
  startConsole,
  startPortal,
  type TestConsole,
  type TestPortal,
  OffsetClock,
} from '../helpers/console-harness';

let portal: TestPortal;
let pc: OffsetClock;
let desk: TestConsole;
/** An open, unread, routine thread of the Front desk pool due in more than a day. */
let thread: { id: string; due_at: string };

beforeAll(async () => {
  portal = await startPortal();
  pc = new OffsetClock(portal.clock);
  desk = await startConsole(portal, { autoStart: false, clock: pc });
  expect((await desk.signIn('reception1')).ok).toBe(true);
  await desk.ok('sync.now');
  thread = desk.core.store.db
    .prepare(
      `SELECT id, due_at FROM threads
       WHERE pool_id = 'front-desk' AND priority = 'routine' AND status != 'done' AND seen_at IS NULL
         AND due_at > ? AND overdue = 0
       ORDER BY due_at DESC, id LIMIT 1`,
    )
    .get(new Date(pc.now() + 24 * 3600_000).toISOString()) as { id: string; due_at: string };
  expect(thread).toBeDefined();
}, 120_000);
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

const urgentIds = async () =>
  (
    await desk.ok<ThreadPage>('inbox.list', { queue: 'urgent', offset: 0, limit: 200, poolId: 'front-desk' })
  ).threads.map((t) => t.id);

describe('SLA escalation on the console (review of issue 14a)', () => {
  it('counts the escalated (overdue) threads the urgent queue lists in its unread count', async () => {
    // The PC clock moves past the thread's due time: it is escalated and listed in the urgent queue.
    pc.offsetMs = Date.parse(thread.due_at) - portal.clock.now() + 60_000;
    desk.idle.touch();
    expect(await urgentIds()).toContain(thread.id);
    const counts = await desk.ok<QueueCounts>('inbox.counts');
    const unreadUrgent = desk.core.store.db
      .prepare(
        `SELECT count(*) FROM threads WHERE status != 'done' AND (seen_at IS NULL OR seen_at < last_message_at)
           AND (priority IN ('urgent', 'asap', 'stat') OR overdue = 1)`,
      )
      .pluck()
      .get() as number;
    expect(counts.urgent, 'unread threads in the urgent queue (escalated ones included)').toBe(unreadUrgent);
  });

  it('takes an escalation back when the PC clock returns before the due time', async () => {
    // An NTP correction (or a person fixing the date) sets the PC clock back to the real time: the thread is due
    // in more than a day again, yet it keeps its overdue badge and its place in the urgent queue.
    pc.offsetMs = 0;
    desk.idle.touch();
    expect(Date.parse(thread.due_at)).toBeGreaterThan(pc.now() + 24 * 3600_000);
    expect(await urgentIds()).not.toContain(thread.id);
  });
});
