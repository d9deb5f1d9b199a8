/**
 * The urgent queue's unread badge (`inbox.counts` → ThreadsRepo.unreadCounts) counts escalated routine threads from
 * the one row console migration 018 keeps, instead of counting them on every call (closing note 5: ~50 ms at
 * 100k threads). The count must stay exact across everything that moves a thread in or out of it: time passing
 * over an SLA (an injected clock, forwards and set back), a priority change and a close (local changes through
 * the outbox), opening the thread, a pull of a server change and of a deletion. Expected values are worked out
 * by hand below each step; each step is also checked against the count the old code ran (the oracle).
 * Real encrypted store, real escalation sweep (TriageService), real local-change and pull-apply code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../../src-shared/domain';
import type { QueueCounts } from '../../src-shared/views';
import type { Clock } from '../../src-main/base/adapters';
import { openDatabase } from '../../src-main/store/open';
import { Store } from '../../src-main/store/store';
import { applyPullBatch } from '../../src-main/sync/apply-changes';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { TriageService } from '../../src-main/triage/triage-service';
import { OffsetClock, startConsole, startPortal } from '../helpers/console-harness';
import { patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

class SetClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

const at = (hhmm: string) => `2026-11-23T${hhmm}:00.000Z`;

/** The count as the code before migration 018 ran it on every call (the oracle), plus the urgent priorities. */
function oracleUrgent(store: Store): number {
  return store.db
    .prepare(
      `SELECT count(*) FROM threads WHERE status != 'done' AND (seen_at IS NULL OR seen_at < last_message_at)
         AND (priority IN ('urgent', 'asap', 'stat') OR overdue = 1)`,
    )
    .pluck()
    .get() as number;
}

let store: Store;
let dispose: () => void;
let clock: SetClock;
let triage: TriageService;

const urgent = (): number => {
  const n = store.threads.unreadCounts('me').urgent;
  expect(n, 'the badge agrees with a full count').toBe(oracleUrgent(store));
  return n;
};
const overdue = (id: string): number =>
  store.db.prepare('SELECT overdue FROM threads WHERE id = ?').pluck().get(id) as number;
const thread = (id: string, over: Partial<ThreadRecord> = {}): ThreadRecord =>
  threadFixture({ id, lastMessageAt: '2026-11-20T09:00:00.000Z', ...over });
const local = (id: string, mutation: Parameters<typeof recordLocalMutation>[2]['mutation']) =>
  recordLocalMutation(store, clock, {
    entity: 'thread',
    entityId: id,
    baseVersion: store.threads.byId(id)!.version,
    staffId: 'me',
    mutation,
  });
const pull = (changes: { id: string; data: ThreadRecord | null }[], cursor: string) =>
  applyPullBatch(store, {
    changes: changes.map((c) => ({ entity: 'thread' as const, ...c })),
    cursor,
    hasMore: false,
    remaining: 0,
  });

beforeEach(() => {
  ({ store, dispose } = makeTestStore('clinic-counts-'));
  clock = new SetClock(Date.parse(at('08:00')));
  triage = new TriageService(store, clock, () => undefined);
  store.transaction(() => {
    store.patients.upsert(patientFixture());
    // Every thread unread (never opened) unless said otherwise; all created before 08:00 on 23 November.
    store.threads.upsert(thread('A', { dueAt: at('10:00') })); // routine
    store.threads.upsert(thread('B', { dueAt: at('12:00'), status: 'in_progress' })); // routine
    store.threads.upsert(thread('C', { dueAt: at('10:00'), priority: 'urgent' }));
    store.threads.upsert(thread('D')); // routine, no due time: never escalates
    store.threads.upsert(thread('E', { dueAt: at('09:00'), status: 'done' })); // closed
    store.threads.upsert(thread('F', { dueAt: at('10:30') })); // routine, opened below (read)
    store.threads.upsert(thread('G', { dueAt: at('10:00') })); // routine
    store.threads.upsert(thread('H', { dueAt: at('11:45') })); // routine
  });
  store.transaction(() => store.threads.markSeen('F', '2026-11-21T00:00:00.000Z'));
});
afterEach(() => dispose());

describe('the urgent badge counts escalated routine threads exactly (migration 018)', () => {
  it('across the SLA clock, a priority change, a close, an open and pulls', () => {
    // 08:00: nothing is due yet. Unread in the urgent queue: C (urgent priority).
    triage.escalate();
    expect(urgent()).toBe(1);

    // 10:15: A, C and G are past due and escalate; C was counted already, A and G are routine and unread.
    clock.set(at('10:15'));
    triage.escalate();
    expect(urgent()).toBe(3);

    // 11:00: F (due 10:30) escalates, but it has been read: no change.
    clock.set(at('11:00'));
    triage.escalate();
    expect(urgent()).toBe(3);

    // The PC clock is set back to 09:30 (an NTP step): A, C, F and G are not due yet; their escalation is
    // taken back. Only C, by its priority.
    clock.set(at('09:30'));
    triage.escalate();
    expect(urgent()).toBe(1);

    // 12:30: A, C, F, G and now B (due 12:00) and H (due 11:45) are past due: C + A, B, G, H.
    clock.set(at('12:30'));
    triage.escalate();
    expect(urgent()).toBe(5);

    // A's priority becomes asap (a local change): in the queue by priority now, and still overdue: counted once.
    local('A', { op: 'thread.setPriority', priority: 'asap' });
    expect(urgent()).toBe(5);

    // B is closed (a local change): C, A, G, H.
    local('B', { op: 'thread.setStatus', status: 'done' });
    expect(urgent()).toBe(4);

    // G is opened (its seen mark alone): C, A, H.
    store.transaction(() => store.threads.markSeen('G', at('12:31')));
    expect(urgent()).toBe(3);

    // A pull: the server moved H's due time to tomorrow (its escalation ends: a pulled change of the due time
    // resets it), and F got a new patient message at 12:45 (unread again, still overdue). C, A, F.
    pull(
      [
        { id: 'H', data: thread('H', { dueAt: '2026-11-24T12:00:00.000Z', version: 2 }) },
        { id: 'F', data: thread('F', { dueAt: at('10:30'), lastMessageAt: at('12:45'), version: 2 }) },
      ],
      '10',
    );
    expect(urgent()).toBe(3);
    expect(overdue('H')).toBe(0);
    expect(overdue('F')).toBe(1);

    // A pull deletes D (never escalated): no change. Then F (withdrawn on the server): C, A.
    pull([{ id: 'D', data: null }], '11');
    expect(urgent()).toBe(3);
    pull([{ id: 'F', data: null }], '12');
    expect(urgent()).toBe(2);

    // B is reopened (a local change) and is still overdue, routine and unread: C, A, B.
    local('B', { op: 'thread.setStatus', status: 'in_progress' });
    expect(urgent()).toBe(3);
  });

  it('is counted from the existing threads when an old store is upgraded', () => {
    const { dir, cleanup } = tempDir('clinic-counts-upgrade-');
    const key = randomKeyHex();
    try {
      // A version-16 store with threads written as that version would have them (raw SQL, escalated flags set).
      const old = openDatabase(dir, key, { upTo: 16 }).db;
      old.exec(`INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
                VALUES ('pat-1', 'MRN-1', 'Ann', 'Example', '1980-01-01', NULL, 1)`);
      const insert = old.prepare(
        `INSERT INTO threads (id, patient_id, subject, status, priority, created_at, updated_at, last_message_at,
           due_at, version, overdue, seen_at)
         VALUES (?, 'pat-1', 'Subject', ?, ?, '2026-11-20T09:00:00.000Z', '2026-11-20T09:00:00.000Z',
           '2026-11-20T09:00:00.000Z', '2026-11-23T10:00:00.000Z', 1, ?, ?)`,
      );
      insert.run('o1', 'new', 'routine', 1, null); // counted
      insert.run('o2', 'in_progress', 'routine', 1, null); // counted
      insert.run('o3', 'new', 'routine', 1, '2026-11-21T00:00:00.000Z'); // read: not counted
      insert.run('o4', 'new', 'stat', 1, null); // counted by priority, not here
      insert.run('o5', 'done', 'routine', 1, null); // closed: not counted
      insert.run('o6', 'new', 'routine', 0, null); // not escalated: not counted
      old.close();
      const { db, file } = openDatabase(dir, key);
      const upgraded = new Store(db, file);
      try {
        expect(db.prepare('SELECT n FROM overdue_unread_count').pluck().all()).toEqual([2]);
        // o1, o2 escalated routine + o4 stat.
        expect(upgraded.threads.unreadCounts('me').urgent).toBe(3);
      } finally {
        upgraded.close();
      }
    } finally {
      cleanup();
    }
  });
});

describe('inbox.counts through the router', () => {
  it('counts threads that passed their SLA since the last inbox read (the badge sweeps first, as a list does)', async () => {
    const portal = await startPortal();
    const pc = new OffsetClock(portal.clock);
    const desk = await startConsole(portal, { autoStart: false, clock: pc });
    try {
      expect((await desk.signIn('clinician1')).ok).toBe(true);
      await desk.ok('sync.now');
      await desk.ok('inbox.list', { queue: 'all', offset: 0, limit: 5 });
      const before = await desk.ok<QueueCounts>('inbox.counts');
      // Routine, open, unread threads not yet escalated and due within the next two days: their escalation is
      // what moving the PC clock two days ahead adds to the urgent badge.
      const becomingDue = desk.core.store.db
        .prepare(
          `SELECT count(*) FROM threads WHERE status IN ('new', 'in_progress') AND overdue = 0
             AND priority = 'routine' AND (seen_at IS NULL OR seen_at < last_message_at) AND due_at < ?`,
        )
        .pluck()
        .get(new Date(pc.now() + 2 * 86_400_000).toISOString()) as number;
      expect(becomingDue, 'the demo clinic has threads due in the next two days').toBeGreaterThan(0);
      pc.offsetMs = 2 * 86_400_000;
      desk.idle.touch();
      // No inbox.list in between: the badge alone must see them.
      const after = await desk.ok<QueueCounts>('inbox.counts');
      expect(after.urgent).toBe(before.urgent + becomingDue);
      expect(after.all).toBe(before.all);
    } finally {
      await desk.close();
      await portal.close();
    }
  });
});
