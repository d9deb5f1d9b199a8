/**
 * Issue 16 §4 (session 5, 16r): the inbox's cached first pages through the router, as an adversary would try to get
 * a stale one: a sync applied while the console is locked, an opened thread whose audit write fails (its "seen"
 * mark rolls back with it), and another staff member (another role) signing in on the same PC.
 * Real portal backend, real store and keychain, real router.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff } from '../../server/demo/credentials';
import type { ThreadPage } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { patientNewThread, patientSignIn } from '../helpers/sync-harness';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
  expect((await desk.signIn('clinician1')).ok).toBe(true);
  await desk.ok('sync.now');
}, 120_000);
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

const NEWEST = { queue: 'all', offset: 0, limit: 50, sort: 'received' } as const;
const MINE = { queue: 'mine', offset: 0, limit: 50, sort: 'received' } as const;
const list = (input: object) => desk.ok<ThreadPage>('inbox.list', input);
const seenAt = (id: string) =>
  desk.core.store.db.prepare('SELECT seen_at FROM threads WHERE id = ?').pluck().get(id) as string | null;

describe('the inbox first page through the router is never stale', () => {
  it('shows a thread that a sync brought while the console was locked, right after unlock', async () => {
    const before = await list(NEWEST);
    expect(await list(NEWEST)).toEqual(before);
    await desk.ok('auth.lock');
    expect((await desk.call('inbox.list', NEWEST)).ok).toBe(false);
    const patient = await patientSignIn(portal.url, 3);
    const threadId = await patientNewThread(portal.url, patient, 'Knee', 'It is swollen again');
    // The engine pulls while the console is locked (the sync bar keeps working behind the lock screen).
    await desk.core.sync().syncNow();
    await desk.ok('auth.unlock', { password: demoStaff('clinician1').password });
    desk.idle.touch();
    const after = await list(NEWEST);
    expect(after.threads[0]!.id).toBe(threadId);
    expect(after.total).toBe(before.total + 1);
  });

  it('keeps a thread unread when opening it fails on its audit write (the seen mark rolls back)', async () => {
    const page = await list(NEWEST);
    const target = page.threads.find((t) => t.unread)!;
    expect(target).toBeDefined();
    const db = desk.core.store.db;
    db.exec(
      `CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON main.audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    try {
      const opened = await desk.call('thread.get', { threadId: target.id });
      expect(opened.ok).toBe(false);
    } finally {
      db.exec('DROP TRIGGER temp.refuse_audit');
    }
    expect(seenAt(target.id)).toBeNull();
    expect((await list(NEWEST)).threads.find((t) => t.id === target.id)!.unread).toBe(true);
    // Opened for real now: the cached page shows it read at once (the next read applies the derived mark first,
    // session 9).
    await desk.ok('thread.get', { threadId: target.id });
    expect((await list(NEWEST)).threads.find((t) => t.id === target.id)!.unread).toBe(false);
    expect(seenAt(target.id)).not.toBeNull();
  });

  it("never hands one staff member's cached page to another signed in on the same PC", async () => {
    const page = await list(NEWEST);
    await desk.ok('thread.claim', { threadId: page.threads[0]!.id });
    const mine = await list(MINE);
    expect(mine.threads.map((t) => t.id)).toContain(page.threads[0]!.id);
    await desk.ok('auth.signOut');
    expect((await desk.signIn('reception1')).ok).toBe(true);
    const theirs = await list(MINE);
    expect(theirs.threads.map((t) => t.id)).not.toContain(page.threads[0]!.id);
    const staffId = desk.core.auth.current()!.staff.id;
    expect(theirs.threads.every((t) => t.assigneeId === staffId)).toBe(true);
  });
});
