/**
 * Issue 16, "audited reads close to one commit": thread.get's commit holds its audit events; its "seen" mark is
 * derived from the read event after the answer (session 9, src-main/inbox/seen-marks.ts), so the mark never lands
 * without its audit record (nor the data without it: every read stays recorded before its data is returned).
 * Real console core and backend.
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
let clinic: TestConsole;

beforeAll(async () => {
  ({ portal, desk: clinic } = await startSignedInConsole('clinician1'));
});
afterAll(() => closeConsoleAndPortal(clinic, portal));

const seenAt = (id: string): string | null =>
  (
    clinic.core.store.db.prepare('SELECT seen_at FROM threads WHERE id = ?').get(id) as {
      seen_at: string | null;
    }
  ).seen_at;
const unseen = (): string[] =>
  (
    clinic.core.store.db.prepare('SELECT id FROM threads WHERE seen_at IS NULL LIMIT 2').all() as {
      id: string;
    }[]
  ).map((r) => r.id);

describe('thread.get', () => {
  it('marks the thread seen at the newest message time it showed, after the events have committed', async () => {
    const [id] = unseen();
    // The newest message the read shows, as the store holds it before the call (session 10: the mark is that time,
    // on the server's clock, not the read event's on the PC's; tests/integration/seen-marks-clock-jump.test.ts).
    const newest = clinic.core.store.db
      .prepare('SELECT last_message_at FROM threads WHERE id = ?')
      .pluck()
      .get(id) as string;
    const before = clinic.core.store.audit.count();
    const detail = await clinic.ok<ThreadDetail>('thread.get', { threadId: id });
    expect(detail.thread.id).toBe(id);
    const events = [...clinic.core.store.audit.iterate()].slice(before);
    expect(events.map((e) => [e.action, e.entity_type, e.outcome])).toEqual([
      ['read', 'thread', 'success'],
      ['read', 'patient', 'success'],
    ]);
    // The mark is written in a task after the answer (or by the next read of unread state): awaited as such, not
    // by counting event-loop turns (session 10, review of session 9, M2).
    await expect.poll(() => seenAt(id!)).toBe(newest);
  });

  it('writes no "seen" mark and hands out nothing when its audit event cannot be written', async () => {
    const [, id] = unseen();
    const db = clinic.core.store.db;
    // The audit log refuses every insert (a full disk, a broken file): only on this connection, for this test.
    db.exec(`CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON main.audit_events
             BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
    try {
      const result = await clinic.call('thread.get', { threadId: id });
      expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    } finally {
      db.exec('DROP TRIGGER temp.refuse_audit');
    }
    // The next read of unread state writes every pending mark first: none for the refused read.
    await clinic.ok('inbox.counts', {});
    expect(seenAt(id!)).toBeNull();
  });

  it('reads in parallel, list reads between them and a refused append keep one chain that verifies', async () => {
    // Session 10: the chain head is kept in memory (src-main/audit/audit-log.ts) and a thread's facts too
    // (ThreadsRepo.facts); through the router, with sync handlers' nested appends among them.
    const db = clinic.core.store.db;
    const ids = db.prepare('SELECT id FROM threads ORDER BY id LIMIT 6').pluck().all() as string[];
    const before = clinic.core.store.audit.count();
    const answers = await Promise.all([
      ...ids.map((threadId) => clinic.call('thread.get', { threadId })),
      clinic.call('inbox.list', { queue: 'all', offset: 0, limit: 50 }),
      ...ids.map((threadId) => clinic.call('thread.get', { threadId })),
    ]);
    expect(answers.every((a) => a.ok)).toBe(true);
    db.exec(`CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON main.audit_events
             BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
    try {
      expect(await clinic.call('thread.get', { threadId: ids[0] })).toMatchObject({ ok: false });
    } finally {
      db.exec('DROP TRIGGER temp.refuse_audit');
    }
    expect((await clinic.call('thread.get', { threadId: ids[1] })).ok).toBe(true);
    const events = [...clinic.core.store.audit.iterate()].slice(before);
    // Two events per read (thread, patient), 13 reads, and the list read's events.
    const threadReads = events.filter((e) => e.entity_type === 'thread' && e.fields === '[]');
    expect(threadReads).toHaveLength(13);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev_hash).toBe(events[i - 1]!.hash);
    expect(clinic.core.audit.verify()).toMatchObject({ ok: true });
  });
});
