/** Inbox queries on a real encrypted store: queues, unread counts and full-text search with snippets. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { makeTestStore } from '../../../tests/helpers/sync-store';
import type { Store } from '../store';
import { ftsQueryOf } from './threads';

let store: Store;
let dispose: () => void;

beforeEach(() => {
  ({ store, dispose } = makeTestStore('clinic-store-'));
  store.transaction(() => {
    store.patients.upsert(patientFixture());
    store.threads.upsert(threadFixture({ id: 't-open', lastMessageAt: '2026-11-20T10:00:00.000Z' }));
    store.threads.upsert(
      threadFixture({
        id: 't-mine',
        assigneeId: 'me',
        priority: 'stat',
        lastMessageAt: '2026-11-21T10:00:00.000Z',
      }),
    );
    store.threads.upsert(
      threadFixture({ id: 't-done', status: 'done', lastMessageAt: '2026-11-22T10:00:00.000Z' }),
    );
    store.messages.upsert(
      messageFixture({ id: 'm1', threadId: 't-open', body: 'My knee hurts after running' }),
    );
    store.messages.upsert(
      messageFixture({ id: 'm2', threadId: 't-mine', body: 'Refill for my inhaler please' }),
    );
    store.messages.upsert(messageFixture({ id: 'm3', threadId: 't-mine', body: 'Also the knee brace' }));
  });
});
afterEach(() => dispose());

const ids = (q: Parameters<Store['threads']['page']>[0]) => store.threads.page(q).rows.map((r) => r.id);
const base = { staffId: 'me', offset: 0, limit: 50 } as const;

describe('ThreadsRepo', () => {
  it('puts each thread in the right queues, newest activity first', () => {
    expect(ids({ ...base, queue: 'all' })).toEqual(['t-mine', 't-open']);
    expect(ids({ ...base, queue: 'unassigned' })).toEqual(['t-open']);
    expect(ids({ ...base, queue: 'mine' })).toEqual(['t-mine']);
    expect(ids({ ...base, queue: 'urgent' })).toEqual(['t-mine']);
    expect(ids({ ...base, queue: 'closed' })).toEqual(['t-done']);
    expect(store.threads.page({ ...base, queue: 'all', limit: 1 }).total).toBe(2);
  });

  it('searches message text and shows the best match as a snippet', () => {
    const page = store.threads.page({ ...base, queue: 'all', search: 'knee' });
    expect(page.rows.map((r) => r.id).sort()).toEqual(['t-mine', 't-open']);
    expect(page.total).toBe(2);
    for (const row of page.rows) expect(row.snippet).toMatch(/\uE000knee\uE001/i);
    expect(store.threads.page({ ...base, queue: 'mine', search: 'inha' }).rows.map((r) => r.id)).toEqual([
      't-mine',
    ]);
    expect(store.threads.page({ ...base, queue: 'all', search: 'xylophone' }).total).toBe(0);
  });

  it('treats search text as words, never as FTS syntax', () => {
    expect(ftsQueryOf('knee" OR *')).toBe('{body} : ("knee"* AND "or")');
    expect(ftsQueryOf('头痛" x {grams}')).toBe('{body} : ("grams"*) AND {grams} : ("头痛")');
    expect(ftsQueryOf('  ')).toBeNull();
    expect(store.threads.page({ ...base, queue: 'all', search: ')"(*' }).total).toBe(0);
  });

  it('counts unread threads per queue until the console opens them', () => {
    expect(store.threads.unreadCounts('me')).toEqual({
      unassigned: 1,
      mine: 1,
      urgent: 1,
      all: 2,
      closed: 1,
    });
    store.threads.markSeen('t-open', '2026-11-23T00:00:00.000Z');
    expect(store.threads.unreadCounts('me')).toMatchObject({ unassigned: 0, all: 1 });
  });
});

describe('withheld bodies (issue 16: the per-sync check reads the small withheld_threads table, not every thread)', () => {
  it('lists withheld threads from their own table, and a deleted thread takes its mark with it', () => {
    store.threads.markBodiesWithheld('t-mine');
    store.threads.markBodiesWithheld('t-open');
    expect(store.threads.withheldIds(10)).toEqual(['t-mine', 't-open']);
    store.threads.clearBodiesWithheld('t-mine');
    expect(store.threads.withheldIds(10)).toEqual(['t-open']);
    const plan = store.db
      .prepare('EXPLAIN QUERY PLAN SELECT thread_id FROM withheld_threads ORDER BY thread_id LIMIT ?')
      .all(10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).not.toMatch(/TEMP B-TREE|\bthreads\b/);
    store.db.prepare('DELETE FROM threads WHERE id = ?').run('t-open');
    expect(store.threads.withheldIds(10)).toEqual([]);
  });
});

// Session 5, 16r (issue 16 §4): the take-back of escalations walks two index ranges instead of every overdue thread.
describe('SLA escalation and its take-back when the clock goes back', () => {
  const overdue = (id: string) =>
    store.db.prepare('SELECT overdue FROM threads WHERE id = ?').pluck().get(id) as number;
  it('escalates past the due time, takes back a not-yet-due or no-longer-due thread, keeps the others', () => {
    store.transaction(() => {
      store.threads.upsert(threadFixture({ id: 't-due-9', dueAt: '2026-11-23T09:00:00.000Z' }));
      store.threads.upsert(threadFixture({ id: 't-due-11', dueAt: '2026-11-23T11:00:00.000Z' }));
      store.threads.upsert(threadFixture({ id: 't-due-13', dueAt: '2026-11-23T13:00:00.000Z' }));
    });
    expect(store.threads.escalateOverdue('2026-11-23T12:00:00.000Z').sort()).toEqual(['t-due-11', 't-due-9']);
    expect([overdue('t-due-9'), overdue('t-due-11'), overdue('t-due-13')]).toEqual([1, 1, 0]);
    // The clock goes back to 10:00: only the 11:00 thread is not due yet.
    expect(store.threads.escalateOverdue('2026-11-23T10:00:00.000Z')).toEqual([]);
    expect([overdue('t-due-9'), overdue('t-due-11'), overdue('t-due-13')]).toEqual([1, 0, 0]);
    // The 9:00 thread's due time is taken away by the server (a re-routed thread without an SLA): not overdue.
    store.threads.upsert(threadFixture({ id: 't-due-9', dueAt: null, version: 2 }));
    store.db.prepare(`UPDATE threads SET overdue = 1 WHERE id = 't-due-9'`).run();
    expect(store.threads.escalateOverdue('2026-11-23T10:00:00.000Z')).toEqual([]);
    expect(overdue('t-due-9')).toBe(0);
  });
});

// Session 5, 16r (issue 16 §4): a triage queue's total comes from the maintained counts; it must equal a count of
// the queue's threads for every queue and filter, overdue threads of a lower priority in the urgent queue included.
describe('triage queue totals', () => {
  it('equal a count of the threads each queue and filter lists', () => {
    const priorities = ['routine', 'urgent', 'asap', 'stat'] as const;
    const statuses = ['new', 'in_progress', 'done'] as const;
    store.transaction(() => {
      for (let i = 0; i < 60; i++) {
        store.threads.upsert(
          threadFixture({
            id: `t-${i}`,
            priority: priorities[i % 4]!,
            status: statuses[i % 3]!,
            assigneeId: i % 5 === 0 ? null : i % 5 === 1 ? 'me' : 'other',
            providerId: i % 2 === 0 ? 'prv-1' : null,
            dueAt: `2026-11-2${i % 10}T09:00:00.000Z`,
            lastMessageAt: `2026-11-${10 + (i % 20)}T10:00:00.000Z`,
          }),
        );
      }
    });
    // Escalated: open threads due before the 25th, of every priority.
    expect(store.threads.escalateOverdue('2026-11-25T00:00:00.000Z').length).toBeGreaterThan(5);
    const all = (q: Parameters<Store['threads']['page']>[0]) =>
      store.threads.page({ ...q, offset: 0, limit: 1000 }).rows.length;
    for (const queue of ['all', 'mine', 'unassigned', 'urgent', 'closed'] as const)
      for (const filter of [
        {},
        { providerId: 'prv-1' },
        { priority: 'routine' as const },
        { priority: 'stat' as const },
        { status: 'in_progress' as const },
        { since: '2026-11-20T00:00:00.000Z' },
      ]) {
        const q = { ...base, queue, ...filter };
        expect(store.threads.page(q).total, `${queue} ${JSON.stringify(filter)}`).toBe(all(q));
      }
  });
});
