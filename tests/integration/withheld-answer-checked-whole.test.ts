/**
 * Review 9, unconfirmed suspicion 6 (s8rec), confirmed: a POST /sync/records answer is kept only when all of it is
 * right. Before, keepRecord threw on a record of another entity mid-answer after the records before it were
 * kept and their withheld marks cleared; and a thread's `related` records were written without a check that they
 * belong to that thread (a message of another thread overwrote that thread's message). A server answering
 * garbage (canned by the fault proxy, from the real backend's records) now ends the fetch with a protocol error,
 * nothing of the answer kept, every mark left. Real backend on loopback, real console store; expectations by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordResponse } from '../../src-shared/sync';
import { httpResponse } from '../helpers/sync-fault-proxy';
import { useSyncedFrontDesk } from '../helpers/synced-front-desk';

const front = useSyncedFrontDesk({ faultProxy: true });
beforeAll(async () => {
  expect((await front.desk.signIn('clinician1')).ok).toBe(true);
});

const isBatch = (head: string) => head.startsWith('POST /sync/records ');
const marks = () =>
  front.desk.core.store.db.prepare('SELECT count(*) FROM withheld_threads').pluck().get() as number;
const marked = (id: string) =>
  front.desk.core.store.db
    .prepare('SELECT count(*) FROM withheld_threads WHERE thread_id = ?')
    .pluck()
    .get(id) === 1;

/** The backend's own answer for thread `id` (its messages and attachments), as POST /sync/records serves it. */
async function served(id: string): Promise<RecordResponse> {
  const store = front.portal.server.store;
  const change = await store.loadChange('thread', id);
  const related: RecordResponse['related'] = [];
  for (const m of await store.messagesOfThread(id)) related.push({ entity: 'message', id: m.id, data: m });
  for (const a of await store.attachmentsOfThread(id))
    related.push(await store.loadChange('attachment', a.id));
  return { change, related } as RecordResponse;
}

/** Answer the next batch with `records`, then run a sync: it must fail, keeping nothing. */
async function answerOnce(records: unknown[]): Promise<void> {
  const before = front.proxy.injected.respond;
  front.proxy.set({
    mode: 'respond',
    match: isBatch,
    times: 1,
    response: httpResponse(200, JSON.stringify({ records, refused: [] })),
  });
  const result = await front.desk.call('sync.now', {});
  expect(front.proxy.injected.respond).toBe(before + 1);
  expect(result.ok ? 'ok' : result.error.code).not.toBe('ok');
}

describe('a withheld-bodies answer is kept only when all of it is right (review 9, suspicion 6)', () => {
  it('a record of another entity after a right one: the right one is not kept either', async () => {
    const [first, second] = front.desk.core.store.threads.withheldIds(2);
    const total = marks();
    const good = await served(first!);
    expect(good.related.length).toBeGreaterThan(0);
    const appointment = await front.portal.server.store.loadChange(
      'appointment',
      front.desk.core.store.db.prepare('SELECT id FROM appointments LIMIT 1').pluck().get() as string,
    );
    await answerOnce([good, { change: { ...appointment, id: second }, related: [] }]);
    expect(marked(first!)).toBe(true);
    expect(marks()).toBe(total);
    const messageIds = good.related.filter((r) => r.entity === 'message').map((r) => r.id);
    const kept = front.desk.core.store.db
      .prepare(`SELECT count(*) FROM messages WHERE id IN (${messageIds.map(() => '?').join(',')})`)
      .pluck()
      .get(...messageIds);
    expect(kept).toBe(0);
  });

  it('a message of another thread among a thread’s related records: refused whole, the other thread untouched', async () => {
    const db = front.desk.core.store.db;
    const [first] = front.desk.core.store.threads.withheldIds(1);
    const total = marks();
    // A thread the desk holds whole (an administrative one) and one of its messages, rewritten by the answer.
    const victim = db
      .prepare(
        'SELECT m.id FROM messages m WHERE m.thread_id NOT IN (SELECT thread_id FROM withheld_threads) LIMIT 1',
      )
      .pluck()
      .get() as string;
    const body = () => db.prepare('SELECT body FROM messages WHERE id = ?').pluck().get(victim);
    const held = body();
    const message = await front.portal.server.store.loadChange('message', victim);
    const data = message.data as { body: string; version: number };
    const lie = { ...message, data: { ...data, body: 'Not this thread’s', version: data.version + 1 } };
    const good = await served(first!);
    await answerOnce([{ ...good, related: [...good.related, lie] }]);
    expect(body()).toBe(held);
    expect(marked(first!)).toBe(true);
    expect(marks()).toBe(total);
  });

  it('the backend’s own answers are kept and clear every mark', async () => {
    await front.desk.ok('sync.now');
    expect(marks()).toBe(0);
  });
});
