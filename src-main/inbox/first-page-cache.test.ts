/**
 * Issue 16: the inbox keeps each queue's first page in memory (InboxService.list). It must never serve a stale
 * page: after a local write, a sync apply, an eviction, a "seen" mark or any other write to the tables a page
 * is read from, the next page equals a fresh read of the store. Real encrypted store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../src-shared/sync';
import { expectNoPageRead, expectRolledBack } from '../../tests/helpers/cache-checks';
import { messageFixture, patientFixture, staffFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import { applyPullBatch } from '../sync/apply-changes';
import { evictOutsideWindow } from '../sync/store-window';
import { FIRST_PAGE_MAX_AGE_MS, type InboxListInput, InboxService } from './inbox-service';
import { threadSummaryOf } from './views';

const me = staffFixture();
const NOW = Date.parse('2026-11-23T12:00:00.000Z');

let t: TestStore;
let clock: { t: number; now(): number };
let inbox: InboxService;

const queues: InboxListInput[] = [
  { queue: 'all', offset: 0, limit: 50 },
  { queue: 'mine', offset: 0, limit: 50 },
  { queue: 'unassigned', offset: 0, limit: 50 },
  { queue: 'urgent', offset: 0, limit: 50 },
  { queue: 'closed', offset: 0, limit: 50 },
];
/** What the store holds now, read without any cache. */
const fresh = (input: InboxListInput) => {
  const { rows, total } = t.store.threads.page({ ...input, staffId: me.id });
  return { threads: rows.map(threadSummaryOf), total };
};
const expectNoStalePage = () => {
  for (const q of queues) expect(inbox.list(me, q)).toEqual(fresh(q));
};
/** The ids of the threads shown seen on the first page of the first queue. */
const seenIds = () =>
  inbox
    .list(me, queues[0]!)
    .threads.filter((x) => !x.unread)
    .map((x) => x.id);
/** Marks these threads seen in one transaction, then lists every queue's first page. */
const markSeenAndList = (...threadIds: string[]) => {
  t.store.transaction(() => {
    for (const id of threadIds) inbox.markSeen(id);
  });
  for (const q of queues) inbox.list(me, q);
};

beforeEach(() => {
  t = makeTestStore('clinic-first-page-');
  clock = { t: NOW, now: () => clock.t };
  inbox = new InboxService(t.store, clock, () => undefined);
  t.store.staff.upsert(me);
  t.store.patients.upsert(patientFixture());
  for (let i = 0; i < 5; i++) {
    t.store.threads.upsert(
      threadFixture({ id: `thr-${i}`, lastMessageAt: `2026-11-2${i}T09:00:00.000Z`, status: 'new' }),
    );
  }
  t.store.threads.upsert(
    threadFixture({ id: 'thr-old', status: 'done', lastMessageAt: '2025-01-01T09:00:00.000Z' }),
  );
});
afterEach(() => t.dispose());

describe('the inbox first-page cache', () => {
  it('serves a repeated first page from memory (so the checks below are about a real cache)', () => {
    const a = inbox.list(me, queues[0]!);
    expect(inbox.list(me, queues[0]!)).toBe(a);
    // Other pages and searches are never cached.
    const second = { queue: 'all', offset: 2, limit: 2 } as const;
    expect(inbox.list(me, second)).not.toBe(inbox.list(me, second));
    // Another staff member's page is another entry.
    expect(inbox.list({ ...me, id: 'stf-other' }, queues[1]!)).not.toBe(inbox.list(me, queues[1]!));
  });

  it('is never stale after a local write (claim, priority, status, reply)', () => {
    expectNoStalePage();
    inbox.claim(me, 'thr-1');
    expectNoStalePage();
    expect(inbox.list(me, queues[1]!).threads.map((x) => x.id)).toEqual(['thr-1']);
    inbox.setPriority(me, 'thr-2', 'urgent');
    expectNoStalePage();
    expect(inbox.list(me, queues[3]!).threads.map((x) => x.id)).toEqual(['thr-2']);
    inbox.setStatus(me, 'thr-3', 'done');
    expectNoStalePage();
    inbox.reply(me, 'thr-4', 'On my way');
    expectNoStalePage();
  });

  it('is never stale after a sync apply (new thread, changed thread, new message, a staff rename)', () => {
    expectNoStalePage();
    const batch: PullResponse = {
      changes: [
        { entity: 'thread', id: 'thr-new', data: threadFixture({ id: 'thr-new', version: 1 }) },
        {
          entity: 'thread',
          id: 'thr-0',
          data: threadFixture({ id: 'thr-0', assigneeId: me.id, priority: 'stat', version: 5 }),
        },
        {
          entity: 'message',
          id: 'msg-9',
          data: messageFixture({ id: 'msg-9', threadId: 'thr-2', sentAt: '2026-11-23T11:00:00.000Z' }),
        },
      ],
      cursor: '10',
      hasMore: false,
      remaining: 0,
    };
    applyPullBatch(t.store, batch);
    expectNoStalePage();
    expect(inbox.list(me, queues[0]!).threads.map((x) => x.id)).toContain('thr-new');
    expect(inbox.list(me, queues[1]!).threads.map((x) => x.id)).toEqual(['thr-0']);
  });

  it('is never stale after an eviction or a "seen" mark', () => {
    expectNoStalePage();
    expect(inbox.list(me, queues[4]!).threads.map((x) => x.id)).toEqual(['thr-old']);
    const evicted = evictOutsideWindow(t.store, NOW, {
      closedThreadDays: 30,
      scheduleBackDays: 30,
      scheduleAheadDays: 30,
    });
    expect(evicted.threads).toBe(1);
    expectNoStalePage();
    expect(inbox.list(me, queues[4]!).threads).toEqual([]);
    const before = inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!;
    expect(before.unread).toBe(true);
    t.store.transaction(() => inbox.markSeen('thr-1'));
    expectNoStalePage();
    expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!.unread).toBe(false);
  });

  // Session 5, 16r (issue 16 §4): after a "seen" mark the pages are brought up to date in memory, not read again.
  it('after a "seen" mark serves the pages updated in memory, equal to a fresh read, without a store read', () => {
    expectNoStalePage();
    expectNoPageRead(
      t.store,
      () => {
        t.store.transaction(() => inbox.markSeen('thr-1'));
        for (const q of queues) inbox.list(me, q);
      },
      'no page read from the store after only a seen mark',
    );
    expectNoStalePage();
    expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!.unread).toBe(false);
    // Two marks in a row without a page read between, then a third thread already seen (nothing written).
    t.store.transaction(() => inbox.markSeen('thr-2'));
    t.store.transaction(() => inbox.markSeen('thr-3'));
    t.store.transaction(() => inbox.markSeen('thr-3'));
    expectNoStalePage();
    expect(seenIds()).toEqual(expect.arrayContaining(['thr-1', 'thr-2', 'thr-3']));
  });

  // Session 11: the pending marks are applied in one transaction (seen-marks.ts); the second mark's pages are
  // patched inside it, after the first mark's write, and must still reach the next read without a store read.
  it('after several "seen" marks in one transaction serves the pages updated in memory, without a store read', () => {
    expectNoStalePage();
    expectNoPageRead(
      t.store,
      () => markSeenAndList('thr-1', 'thr-2'),
      'no page read from the store after only seen marks',
    );
    expectNoStalePage();
    expect(seenIds()).toEqual(expect.arrayContaining(['thr-1', 'thr-2']));
  });

  // Session 11 (bench --only router): a mark that writes nothing (the thread was seen already) after one that did,
  // in the same transaction, lost the pages patched for the first; every queue was then read from the store.
  it('after a "seen" mark and one that writes nothing, in one transaction, serves the pages without a store read', () => {
    expectNoStalePage();
    t.store.transaction(() => inbox.markSeen('thr-3'));
    expectNoStalePage();
    expectNoPageRead(
      t.store,
      () => markSeenAndList('thr-1', 'thr-3'),
      'no page read from the store after only seen marks',
    );
    expectNoStalePage();
  });

  it('reads the pages again when a "seen" mark is rolled back', () => {
    expectNoStalePage();
    expectRolledBack(
      t.store,
      () => {
        inbox.markSeen('thr-1');
        // e.g. the read's audit event could not be written: the router's transaction rolls back the mark too
        throw new Error('audit write failed');
      },
      'audit write failed',
    );
    expectNoStalePage();
    expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!.unread).toBe(true);
  });

  // Session 11 (left from session 10): a page read inside a transaction after its own write shows that write;
  // a rollback does not bump the write counters, so such a page must not be kept.
  it('does not serve a first page built inside a transaction that rolled back', () => {
    expectNoStalePage();
    expectRolledBack(t.store, () => {
      t.store.threads.upsert(threadFixture({ id: 'thr-rolled-back', status: 'new' }));
      expect(inbox.list(me, queues[0]!).threads.map((x) => x.id)).toContain('thr-rolled-back');
      throw new Error('roll back');
    });
    expect(inbox.list(me, queues[0]!).threads.map((x) => x.id)).not.toContain('thr-rolled-back');
    expectNoStalePage();
  });

  it('does not keep pages brought up to date in memory inside a transaction that rolled back', () => {
    expectNoStalePage();
    expectRolledBack(t.store, () => {
      inbox.markSeen('thr-1');
      expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!.unread).toBe(false);
      throw new Error('roll back');
    });
    expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-1')!.unread).toBe(true);
    expectNoStalePage();
  });

  it('keeps a first page read inside a transaction that wrote nothing before it (the router reads in one)', () => {
    // A claim committed first: a transaction's writes must not stop later transactions' pages from being kept.
    inbox.claim(me, 'thr-1');
    const a = t.store.transaction(() => inbox.list(me, queues[0]!));
    expect(t.store.transaction(() => inbox.list(me, queues[0]!))).toBe(a);
    expect(inbox.list(me, queues[0]!)).toBe(a);
  });

  it('reads the pages again when anything else is written after a "seen" mark', () => {
    expectNoStalePage();
    t.store.transaction(() => inbox.markSeen('thr-1'));
    inbox.claim(me, 'thr-2');
    expectNoStalePage();
    t.store.transaction(() => inbox.markSeen('thr-3'));
    t.store.transaction(() => t.store.threads.markSeen('thr-4', new Date(NOW).toISOString()));
    expectNoStalePage();
  });

  it('keeps a thread unread when the PC clock is behind its newest message at the "seen" mark', () => {
    expectNoStalePage();
    // The newest message is stamped by the server an hour ahead of this PC's clock.
    t.store.threads.upsert(
      threadFixture({
        id: 'thr-ahead',
        status: 'new',
        lastMessageAt: new Date(NOW + 3_600_000).toISOString(),
      }),
    );
    expectNoStalePage();
    t.store.transaction(() => inbox.markSeen('thr-ahead'));
    expectNoStalePage();
    expect(inbox.list(me, queues[0]!).threads.find((x) => x.id === 'thr-ahead')!.unread).toBe(true);
  });

  it('is never stale after a role change or a rename of the assignee arriving by sync', () => {
    inbox.claim(me, 'thr-1');
    expectNoStalePage();
    expect(inbox.list(me, queues[1]!).threads[0]!.assigneeName).toBe('Dr Me');
    applyPullBatch(t.store, {
      changes: [
        {
          entity: 'staff',
          id: me.id,
          data: { ...me, displayName: 'Dr Me-Renamed', role: 'admin', version: 2 },
        },
      ],
      cursor: '11',
      hasMore: false,
      remaining: 0,
    });
    expectNoStalePage();
    expect(inbox.list(me, queues[1]!).threads[0]!.assigneeName).toBe('Dr Me-Renamed');
  });

  it('is read again after FIRST_PAGE_MAX_AGE_MS even without a write (clock-dependent order)', () => {
    const a = inbox.list(me, queues[0]!);
    clock.t += FIRST_PAGE_MAX_AGE_MS;
    expect(inbox.list(me, queues[0]!)).not.toBe(a);
    // A clock that jumps back does not keep an old page either.
    const b = inbox.list(me, queues[0]!);
    clock.t -= 60_000;
    expect(inbox.list(me, queues[0]!)).not.toBe(b);
  });
});
