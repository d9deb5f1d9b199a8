/**
 * Issue 16, "audited reads close to one commit": thread.get's commit holds its audit events; its "seen" mark is
 * derived from the read event after the answer (session 9, src-main/inbox/seen-marks.ts), so the mark never lands
 * without its audit record (nor the data without it: every read stays recorded before its data is returned).
 * Real console core and backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadDetail } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

let portal: TestPortal;
let clinic: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  clinic = await startConsole(portal);
  expect((await clinic.signIn('clinician1')).ok).toBe(true);
  await clinic.ok('sync.now');
});
afterAll(async () => {
  await clinic?.close();
  await portal?.close();
});

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
  it("marks the thread seen at its read event's time, after the events have committed", async () => {
    const [id] = unseen();
    const before = clinic.core.store.audit.count();
    const detail = await clinic.ok<ThreadDetail>('thread.get', { threadId: id });
    expect(detail.thread.id).toBe(id);
    const events = [...clinic.core.store.audit.iterate()].slice(before);
    expect(events.map((e) => [e.action, e.entity_type, e.outcome])).toEqual([
      ['read', 'thread', 'success'],
      ['read', 'patient', 'success'],
    ]);
    // The mark is written in a task after the answer (or by the next read of unread state).
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenAt(id!)).toBe(events[0]!.at);
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
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenAt(id!)).toBeNull();
  });
});
