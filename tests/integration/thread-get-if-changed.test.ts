/**
 * Review 7 U4 (session 7): `thread.getIfChanged` reads the open thread out again only when its data changed since
 * the caller's copy, judged by that copy's stamp (src-shared/thread-stamp.ts). Unchanged: nothing is handed out and
 * nothing recorded (no event, no "seen" mark). Changed (its own record, a reply on it): the detail, recorded as
 * thread.get's read is. The copy is taken the way the renderer gets it: thread.get's answer through JSON (the
 * bridge). Real console core, store and backend; expected values written by hand.
 */
import { describe, expect, it } from 'vitest';
import { threadStamp } from '../../src-shared/thread-stamp';
import type { ThreadDetail } from '../../src-shared/views';
import { useSyncedConsole } from '../helpers/synced-consoles';

const set = useSyncedConsole('clinician1');

/** Two open threads held on this PC. */
function twoThreads(): [string, string] {
  const rows = set.console.core.store.db
    .prepare("SELECT id FROM threads WHERE status != 'closed' ORDER BY id LIMIT 2")
    .all() as { id: string }[];
  return [rows[0]!.id, rows[1]!.id];
}

/** thread.get's answer as the renderer holds it (decoded from the bridge's JSON). */
async function copyOf(threadId: string): Promise<ThreadDetail> {
  const detail = await set.console.ok<ThreadDetail>('thread.get', { threadId });
  return JSON.parse(JSON.stringify(detail)) as ThreadDetail;
}

const eventsSince = (before: number) =>
  [...set.console.core.store.audit.iterate()]
    .slice(before)
    .map((e) => [e.action, e.entity_type, e.entity_id, e.outcome]);

describe('thread.getIfChanged', () => {
  it('hands out and records nothing while the copy is current, also after another thread changed', async () => {
    const clinic = set.console;
    const [open, other] = twoThreads();
    const stamp = await threadStamp(await copyOf(open));
    const before = clinic.core.store.audit.count();
    expect(await clinic.ok('thread.getIfChanged', { threadId: open, stamp })).toEqual({ detail: null });
    await clinic.ok('thread.setPriority', { threadId: other, priority: 'stat' });
    const afterOther = clinic.core.store.audit.count();
    expect(await clinic.ok('thread.getIfChanged', { threadId: open, stamp })).toEqual({ detail: null });
    expect(clinic.core.store.audit.count()).toBe(afterOther);
    // Only the other thread's change was recorded in between.
    expect(eventsSince(before).map(([a, t, id]) => [a, t, id])).toEqual([['update', 'thread', other]]);
  });

  it('reads it out, and records the read, once its own record changed', async () => {
    const clinic = set.console;
    const [open] = twoThreads();
    const copy = await copyOf(open);
    const stamp = await threadStamp(copy);
    const priority = copy.thread.priority === 'asap' ? 'urgent' : 'asap';
    await clinic.ok('thread.setPriority', { threadId: open, priority });
    const before = clinic.core.store.audit.count();
    const { detail } = await clinic.ok<{ detail: ThreadDetail | null }>('thread.getIfChanged', {
      threadId: open,
      stamp,
    });
    expect(detail?.thread).toMatchObject({ id: open, priority });
    expect(eventsSince(before)).toEqual([
      ['read', 'thread', open, 'success'],
      ['read', 'patient', copy.patient.id, 'success'],
    ]);
    // The new copy is current again.
    const again = await threadStamp(JSON.parse(JSON.stringify(detail)) as ThreadDetail);
    expect(await clinic.ok('thread.getIfChanged', { threadId: open, stamp: again })).toEqual({
      detail: null,
    });
  });

  it('reads it out when a reply was added to it', async () => {
    const clinic = set.console;
    const [open] = twoThreads();
    const copy = await copyOf(open);
    await clinic.ok('thread.reply', { threadId: open, body: 'We will call you this afternoon.' });
    const { detail } = await clinic.ok<{ detail: ThreadDetail | null }>('thread.getIfChanged', {
      threadId: open,
      stamp: await threadStamp(copy),
    });
    expect(detail?.messages.length).toBe(copy.messages.length + 1);
    expect(detail?.messages.at(-1)).toMatchObject({
      body: 'We will call you this afternoon.',
      pending: true,
    });
  });

  it('refuses a stamp that is not 64 lower-case hex digits, and records the refusal of a locked console', async () => {
    const clinic = set.console;
    const [open] = twoThreads();
    for (const stamp of ['', 'A'.repeat(64), '0'.repeat(63), 42]) {
      expect(await clinic.call('thread.getIfChanged', { threadId: open, stamp })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    const stamp = await threadStamp(await copyOf(open));
    await clinic.ok('auth.lock', {});
    const before = clinic.core.store.audit.count();
    expect(await clinic.call('thread.getIfChanged', { threadId: open, stamp })).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    expect(eventsSince(before).filter(([a, t]) => a === 'read' && t === 'thread')).toEqual([
      ['read', 'thread', open, 'failure'],
    ]);
  });
});
