/**
 * Session 11 review (s11review): attacks on the read caches' rollback rule (TableChanges.keptVersion, StoreCache,
 * InboxService's first pages and seenSince, ThreadsRepo.facts): savepoints rolled back by hand, a nested
 * transaction rolled back and caught, a transaction that throws after reading a page, a write between two reads in
 * one turn, a pull batch between a mark and the next read, a throwing seen-read hook, two inboxes closed in either
 * order. Each must leave the next read equal to a fresh read of the store. Real encrypted store.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectRolledBack, inSavepointRolledBack, newThreadBatch } from '../../tests/helpers/cache-checks';
import { patientFixture, staffFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import { applyPullBatch } from '../sync/apply-changes';
import { type InboxListInput, InboxService } from './inbox-service';
import { SeenMarks } from './seen-marks';
import { threadSummaryOf } from './views';

const me = staffFixture();
const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const all: InboxListInput = { queue: 'all', offset: 0, limit: 50 };
const queues: InboxListInput[] = [
  all,
  { queue: 'mine', offset: 0, limit: 50 },
  { queue: 'unassigned', offset: 0, limit: 50 },
  { queue: 'urgent', offset: 0, limit: 50 },
];

let t: TestStore;
let inbox: InboxService;
const clock = { now: () => NOW };

const fresh = (input: InboxListInput) => {
  const { rows, total } = t.store.threads.page({ ...input, staffId: me.id });
  return { threads: rows.map(threadSummaryOf), total };
};
const expectNoStalePage = (i: InboxService = inbox) => {
  for (const q of queues) expect(i.list(me, q)).toEqual(fresh(q));
};
const unread = (id: string, i: InboxService = inbox) =>
  i.list(me, all).threads.find((x) => x.id === id)!.unread;
/** Expects each thread's unread state on the first page of 'all' to be the one given (thread id: unread). */
const expectUnread = (want: Record<string, boolean>) => {
  for (const [id, isUnread] of Object.entries(want)) expect(unread(id), id).toBe(isUnread);
};
const ids = (i: InboxService = inbox) => i.list(me, all).threads.map((x) => x.id);

beforeEach(() => {
  t = makeTestStore('clinic-cache-attacks-');
  inbox = new InboxService(t.store, clock, () => undefined);
  t.store.staff.upsert(me);
  t.store.patients.upsert(patientFixture());
  for (let i = 0; i < 4; i++)
    t.store.threads.upsert(
      threadFixture({ id: `thr-${i}`, lastMessageAt: `2026-11-2${i}T09:00:00.000Z`, status: 'new' }),
    );
});
afterEach(() => t.dispose());

describe('read caches against rollbacks the store did not begin itself', () => {
  it('a savepoint rolled back by hand inside Store.transaction leaves no page with its write', () => {
    expectNoStalePage();
    t.store.transaction(() => {
      inSavepointRolledBack(t.store, 'attack', () => {
        t.store.threads.upsert(threadFixture({ id: 'thr-ghost', status: 'new' }));
        expect(ids()).toContain('thr-ghost');
      });
      expect(ids()).not.toContain('thr-ghost');
    });
    expect(ids()).not.toContain('thr-ghost');
    expectNoStalePage();
  });

  it('a savepoint begun by hand outside any transaction (it opens one) and rolled back leaves nothing kept', () => {
    expectNoStalePage();
    inSavepointRolledBack(t.store, 'outer', () => {
      t.store.threads.upsert(threadFixture({ id: 'thr-ghost', status: 'new' }));
      expect(ids()).toContain('thr-ghost');
      expect(t.store.threads.facts('thr-ghost')).not.toBeNull();
    });
    expect(ids()).not.toContain('thr-ghost');
    expect(t.store.threads.facts('thr-ghost')).toBeNull();
    expectNoStalePage();
  });

  it('a nested transaction rolled back and caught by the outer one, which commits, leaves no stale page', () => {
    expectNoStalePage();
    t.store.transaction(() => {
      expectRolledBack(
        t.store,
        () => {
          t.store.threads.upsert(threadFixture({ id: 'thr-ghost', status: 'new' }));
          inbox.markSeen('thr-1');
          expect(ids()).toContain('thr-ghost');
          expect(unread('thr-1')).toBe(false);
          throw new Error('inner rolls back');
        },
        'inner rolls back',
      );
      // The outer transaction goes on and commits a mark of another thread.
      inbox.markSeen('thr-2');
      expect(ids()).not.toContain('thr-ghost');
    });
    expect(ids()).not.toContain('thr-ghost');
    expectUnread({ 'thr-1': true, 'thr-2': false });
    expectNoStalePage();
  });

  it('marks chained across a savepoint: the first rolled back by hand, the second committed', () => {
    expectNoStalePage();
    t.store.transaction(() => {
      inbox.markSeen('thr-0');
      inSavepointRolledBack(t.store, 's', () => {
        inbox.markSeen('thr-1');
        expect(unread('thr-1')).toBe(false);
      });
      inbox.markSeen('thr-2');
    });
    expectUnread({ 'thr-0': false, 'thr-1': true, 'thr-2': false });
    expectNoStalePage();
  });

  it('marks chained inside a savepoint that is rolled back after the last mark: no page patched by them is kept', () => {
    expectNoStalePage();
    t.store.transaction(() => {
      inSavepointRolledBack(t.store, 's', () => {
        inbox.markSeen('thr-0');
        inbox.markSeen('thr-1');
        inbox.markSeen('thr-2');
      });
    });
    for (const id of ['thr-0', 'thr-1', 'thr-2']) expect(unread(id)).toBe(true);
    expectNoStalePage();
  });

  it('a transaction that throws after reading a page (read before any write) keeps only committed rows', () => {
    expectNoStalePage();
    const before = inbox.list(me, all);
    expectRolledBack(t.store, () => {
      expect(inbox.list(me, all)).toBe(before);
      t.store.threads.upsert(threadFixture({ id: 'thr-ghost', status: 'new' }));
      expect(ids()).toContain('thr-ghost');
      throw new Error('roll back');
    });
    expect(ids()).not.toContain('thr-ghost');
    expectNoStalePage();
  });

  it('a write between two reads in one turn of the event loop is seen by the second (facts and pages)', () => {
    const before = t.store.threads.facts('thr-1')!.patientId;
    expect(t.store.threads.facts('thr-1')!.patientId).toBe(before);
    const page = inbox.list(me, all);
    t.store.db
      .prepare(`UPDATE threads SET patient_id = 'pat-other', status = 'done' WHERE id = 'thr-1'`)
      .run();
    expect(t.store.threads.facts('thr-1')!.patientId).toBe('pat-other');
    expect(inbox.list(me, all)).not.toBe(page);
    expectNoStalePage();
  });

  it('a pull batch applied between a seen mark and the next read makes the pages be read again', () => {
    expectNoStalePage();
    t.store.transaction(() => inbox.markSeen('thr-1'));
    applyPullBatch(t.store, newThreadBatch('thr-new'));
    expect(ids()).toContain('thr-new');
    expect(unread('thr-1')).toBe(false);
    expectNoStalePage();
  });

  it('a pull batch applied inside the transaction of the marks, rolled back with them, leaves nothing kept', () => {
    expectNoStalePage();
    expectRolledBack(t.store, () => {
      inbox.markSeen('thr-1');
      applyPullBatch(t.store, newThreadBatch('thr-new'));
      inbox.markSeen('thr-2');
      expect(ids()).toContain('thr-new');
      throw new Error('roll back');
    });
    expect(ids()).not.toContain('thr-new');
    expect(unread('thr-1')).toBe(true);
    expect(unread('thr-2')).toBe(true);
    expectNoStalePage();
  });
});

describe('seen-read hooks and two inboxes', () => {
  it('a hook that throws fails the read instead of answering without the hooks after it', () => {
    const other = new InboxService(t.store, clock, () => undefined);
    expectNoStalePage();
    const remove = t.store.threads.onBeforeSeenRead(() => {
      throw new Error('hook fails');
    });
    // The second inbox's hook (added before) ran; the throwing one stops the read: nothing stale is answered.
    other.seenMarks.noted('thr-1', '2026-11-23T12:00:00.000Z');
    expect(() => t.store.threads.unreadCounts(me.id)).toThrow('hook fails');
    remove();
    remove();
    expect(unread('thr-1')).toBe(false);
    expectNoStalePage();
    other.close();
  });

  it('closing the second inbox first keeps the first one applying its pending marks, and the reverse too', () => {
    const second = new InboxService(t.store, clock, () => undefined);
    expectNoStalePage();
    expectNoStalePage(second);
    inbox.seenMarks.noted('thr-1', '2026-11-23T12:00:00.000Z');
    second.close();
    second.close();
    expect(unread('thr-1', inbox)).toBe(false);
    expectNoStalePage();
    const third = new InboxService(t.store, clock, () => undefined);
    third.seenMarks.noted('thr-2', '2026-11-23T12:00:00.000Z');
    inbox.close();
    // The first inbox's pages are gone; the third one's pending mark is applied before the store's reads.
    expect(t.store.threads.page({ ...all, staffId: me.id }).rows.find((r) => r.id === 'thr-2')).toBeDefined();
    expect(unread('thr-2', third)).toBe(false);
    expectNoStalePage(third);
    third.close();
  });

  it('a mark that fails after another was written (its savepoint rolled back, reported) leaves no page patched by the first', () => {
    expectNoStalePage();
    const reports: string[] = [];
    const marks = new SeenMarks(
      t.store,
      (threadId, at) => inbox.markSeen(threadId, at),
      () => undefined,
      (m) => reports.push(m),
    );
    const write = t.store.threads.markSeen.bind(t.store.threads);
    const fail = vi.spyOn(t.store.threads, 'markSeen').mockImplementation((threadId, at) => {
      if (threadId === 'thr-2') throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
      return write(threadId, at);
    });
    marks.noted('thr-1', '2026-11-23T12:00:00.000Z');
    marks.noted('thr-2', '2026-11-23T12:00:00.000Z');
    // Inside a call's transaction (the router's), then outside one.
    t.store.transaction(() => {
      marks.applyPendingOrReport();
      expect(unread('thr-1')).toBe(true);
    });
    marks.applyPendingOrReport();
    expect(reports).toEqual([
      'Seen marks not written yet (SQLITE_FULL); they stay pending.',
      'Seen marks not written yet (SQLITE_FULL); they stay pending.',
    ]);
    expect(unread('thr-1')).toBe(true);
    expectNoStalePage();
    fail.mockRestore();
    marks.applyPendingOrReport();
    expect(unread('thr-1')).toBe(false);
    expect(unread('thr-2')).toBe(false);
    expectNoStalePage();
  });

  it('a hook that removes itself while the hooks run does not make the next one be skipped', () => {
    let armed = false;
    const remove = t.store.threads.onBeforeSeenRead(() => {
      if (armed) remove();
    });
    const second = new InboxService(t.store, clock, () => undefined);
    expectNoStalePage(second);
    second.seenMarks.noted('thr-1', '2026-11-23T12:00:00.000Z');
    // The store's own read of unread state (no inbox list first, which applies its own marks): every hook ran.
    armed = true;
    t.store.threads.unreadCounts(me.id);
    expect(second.seenMarks.pendingCount()).toBe(0);
    expect(unread('thr-1', second)).toBe(false);
    second.close();
  });
});
