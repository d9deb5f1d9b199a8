/**
 * Issue 16 §3 (session 9, s9read): "seen" marks derived from read events (seen-marks.ts) on a real encrypted store.
 * Which events carry a mark, a mark applied inside a transaction that rolls back, and the marks recovered from the
 * log at start; expected states written by hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { patientFixture, staffFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import { AuditLog, type AuditEventInput } from '../audit/audit-log';
import { InboxService } from './inbox-service';
import { SeenMarks } from './seen-marks';

const me = staffFixture();
const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const ALL = { queue: 'all', offset: 0, limit: 50 } as const;

let t: TestStore;
let clock: { t: number; now(): number };
let audit: AuditLog;
let inbox: InboxService;

const seenAt = (id: string) =>
  t.store.db.prepare('SELECT seen_at FROM threads WHERE id = ?').pluck().get(id) as string | null;
const unread = () =>
  inbox
    .list(me, ALL)
    .threads.filter((x) => x.unread)
    .map((x) => x.id)
    .sort();
/** A read recorded as the router records it (thread event first, then its patient's). */
const read = (threadId: string, over: Partial<AuditEventInput> = {}) =>
  audit.recordMany({ staffId: me.id, role: 'clinician' }, [
    { action: 'read', entityType: 'thread', entityId: threadId, outcome: 'success', ...over },
    {
      action: 'read',
      entityType: 'patient',
      entityId: 'pat-1',
      outcome: 'success',
      fields: [`thread.${threadId}`],
    },
  ]);

beforeEach(() => {
  t = makeTestStore('clinic-seen-marks-');
  clock = { t: NOW, now: () => clock.t };
  audit = new AuditLog(
    t.store,
    clock,
    () => 'dev-1',
    () => undefined,
  );
  inbox = new InboxService(t.store, clock, () => undefined);
  t.store.staff.upsert(me);
  t.store.patients.upsert(patientFixture());
  // thr-0 … thr-3: newest message before NOW; thr-4: a message an hour after NOW (server clock ahead).
  for (let i = 0; i < 4; i++)
    t.store.threads.upsert(threadFixture({ id: `thr-${i}`, lastMessageAt: `2026-11-2${i}T09:00:00.000Z` }));
  t.store.threads.upsert(threadFixture({ id: 'thr-4', lastMessageAt: '2026-11-23T13:00:00.000Z' }));
});
afterEach(() => t.dispose());

describe('seen marks derived from read events', () => {
  // Session 11, L10: the store's hook before reads of unread state was one field; a second inbox replaced the
  // first's silently, and the first's pending mark was not applied before the next read showed unread state.
  it("a second inbox on the same store still applies the first one's pending marks before a read", () => {
    // No read event in the log: the second inbox's start recovers nothing, only the first's hook can apply it.
    inbox.seenMarks.noted('thr-1', '2026-11-23T12:00:00.000Z');
    const second = new InboxService(t.store, clock, () => undefined);
    expect(second.counts(me)).toEqual({ unassigned: 4, mine: 0, urgent: 0, all: 4, closed: 0 });
    expect(seenAt('thr-1')).toBe('2026-11-23T12:00:00.000Z');
    // Closed, the first inbox's hook is gone: its marks wait for their own task (or a start's recovery).
    inbox.close();
    inbox.close();
    inbox.seenMarks.noted('thr-2', '2026-11-23T12:00:00.000Z');
    expect(second.counts(me).all).toBe(4);
    expect(seenAt('thr-2')).toBeNull();
    second.seenMarks.noted('thr-3', '2026-11-23T12:00:00.000Z');
    expect(second.counts(me).all).toBe(3);
    inbox = second;
  });

  it('a pending mark applied inside a transaction that rolls back stays pending and lands later', () => {
    expect(unread()).toEqual(['thr-0', 'thr-1', 'thr-2', 'thr-3', 'thr-4']);
    const [event] = read('thr-1');
    inbox.seenMarks.noted('thr-1', event!.at);
    expect(() =>
      t.store.transaction(() => {
        expect(inbox.list(me, ALL).threads.find((x) => x.id === 'thr-1')!.unread).toBe(false);
        throw new Error('the list read could not write its audit event');
      }),
    ).toThrow('could not write');
    expect(seenAt('thr-1')).toBeNull();
    expect(inbox.seenMarks.pendingCount()).toBe(1);
    expect(inbox.counts(me)).toEqual({ unassigned: 4, mine: 0, urgent: 0, all: 4, closed: 0 });
    expect(seenAt('thr-1')).toBe('2026-11-23T12:00:00.000Z');
    expect(inbox.seenMarks.pendingCount()).toBe(0);
    expect(unread()).toEqual(['thr-0', 'thr-2', 'thr-3', 'thr-4']);
  });

  it('at start marks exactly the threads of thread.get read events after the watermark, at their times', () => {
    read('thr-0');
    clock.t += 60_000;
    // Not a thread.get read: a list read's per-record event, an attachment read, a refused read.
    read('thr-1', { fields: ['inbox.list'] });
    read('thr-2', { fields: ['attachment.att-1'] });
    read('thr-3', { outcome: 'failure' });
    clock.t += 60_000;
    read('thr-4');
    read('thr-0');
    // A start (the crash left these events without their marks): a new inbox on the same store.
    inbox = new InboxService(t.store, clock, () => undefined);
    // thr-0 read twice: the later read's time. thr-4's newest message is after its read: still unread.
    expect(seenAt('thr-0')).toBe('2026-11-23T12:00:00.000Z');
    expect(seenAt('thr-1')).toBeNull();
    expect(seenAt('thr-2')).toBeNull();
    expect(seenAt('thr-3')).toBeNull();
    expect(seenAt('thr-4')).toBe('2026-11-23T12:02:00.000Z');
    expect(unread()).toEqual(['thr-1', 'thr-2', 'thr-3', 'thr-4']);
    expect(inbox.seenMarks.recover()).toBe(0);
  });

  it('the watermark follows the log (applied marks and the index batches), so a start scans only what is new', () => {
    const through = () =>
      t.store.db.prepare('SELECT through FROM thread_seen_derived WHERE one = 1').pluck().get() as number;
    expect(through()).toBe(0);
    read('thr-0');
    inbox.seenMarks.noted('thr-0', '2026-11-23T12:00:00.000Z');
    inbox.seenMarks.applyPending();
    expect(seenAt('thr-0')).toBe('2026-11-23T12:00:00.000Z');
    expect(through()).toBe(0);
    read('thr-1', { fields: ['inbox.list'] });
    read('thr-2', { fields: ['inbox.list'] });
    expect(through()).toBe(0);
    audit.followIndex(() => inbox.seenMarks.catchUp());
    audit.flushEntityIndex();
    expect(through()).toBe(6);
    expect(inbox.seenMarks.recover()).toBe(0);
    expect(unread()).toEqual(['thr-1', 'thr-2', 'thr-3', 'thr-4']);
  });

  it('a full disk does not stop the reads of unread state: the inbox page and badges answer, the mark waits', () => {
    // Session 10, review of session 9, M1: an SQLite error while applying pending marks before a read was thrown
    // out of inbox.list and inbox.counts (a front desk without its queue on a full disk).
    const errors: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((message: unknown) => void errors.push(message));
    const write = vi.spyOn(t.store.threads, 'markSeen').mockImplementation((threadId, at) => {
      throw Object.assign(new Error(`database or disk is full (${threadId} ${at})`), { code: 'SQLITE_FULL' });
    });
    const [event] = read('thr-1');
    inbox.seenMarks.noted('thr-1', event!.at);
    expect(unread()).toEqual(['thr-0', 'thr-1', 'thr-2', 'thr-3', 'thr-4']);
    expect(inbox.counts(me)).toEqual({ unassigned: 5, mine: 0, urgent: 0, all: 5, closed: 0 });
    // Told (the code only: no thread id, no time), once for each attempt.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(errors)).toEqual(
      new Set(['Seen marks not written yet (SQLITE_FULL); they stay pending.']),
    );
    expect(inbox.seenMarks.pendingCount()).toBe(1);
    // Room again: the next read writes the mark first.
    write.mockRestore();
    expect(unread()).toEqual(['thr-0', 'thr-2', 'thr-3', 'thr-4']);
    expect(seenAt('thr-1')).toBe(event!.at);
    vi.restoreAllMocks();
  });

  it('an SQLite error in the later task is reported without PHI, not thrown, and the mark stays pending', () => {
    const tasks: (() => void)[] = [];
    const reports: string[] = [];
    let failing = true;
    const marks = new SeenMarks(
      t.store,
      (threadId, at) => {
        if (failing)
          throw Object.assign(new Error(`database or disk is full (${threadId} ${at})`), {
            code: 'SQLITE_FULL',
          });
        t.store.threads.markSeen(threadId, at);
      },
      (task) => tasks.push(task),
      (message) => reports.push(message),
    );
    marks.noted('thr-2', '2026-11-23T12:00:00.000Z');
    expect(tasks).toHaveLength(1);
    expect(() => tasks[0]!()).not.toThrow();
    expect(reports).toEqual(['Seen marks not written yet (SQLITE_FULL); they stay pending.']);
    expect(marks.pendingCount()).toBe(1);
    expect(seenAt('thr-2')).toBeNull();
    // The next task (the disk has room again) writes it.
    failing = false;
    marks.noted('thr-3', '2026-11-23T12:00:00.000Z');
    tasks[1]!();
    expect(marks.pendingCount()).toBe(0);
    expect([seenAt('thr-2'), seenAt('thr-3')]).toEqual([
      '2026-11-23T12:00:00.000Z',
      '2026-11-23T12:00:00.000Z',
    ]);
  });
});
