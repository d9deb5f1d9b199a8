/**
 * Issue 16 §3 (session 9, s9read): thread.get's "seen" mark is derived from its read event after the answer
 * (src-main/inbox/seen-marks.ts), no longer written in the read's durable commit. What a person sees must not
 * change: a thread opened shows read in the next list, count and patient panel answer even while its mark is still
 * pending; a list read that rolls back its commit does not lose the mark; a crash between the read's commit and
 * the mark (the store closed without the derivation, as a killed process leaves it) gets the mark back from the
 * log at the next start; parallel reads each get theirs. Real portal backend, real SQLCipher store and keychain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientPanel, QueueCounts, ThreadDetail, ThreadPage } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { patientNewThread, patientSignIn } from '../helpers/sync-harness';
import { tempDir } from '../helpers/tmp';

let portal: TestPortal;
const dirs: { cleanup: () => void }[] = [];
const consoles: TestConsole[] = [];

beforeAll(async () => {
  portal = await startPortal();
}, 60_000);
afterAll(async () => {
  for (const c of consoles) await c.close().catch(() => undefined);
  await portal?.close();
  for (const d of dirs) d.cleanup();
});

const NEWEST = { queue: 'all', offset: 0, limit: 50, sort: 'received' } as const;

/** A console on a data dir the test owns (so it can be opened again after a "crash"), signed in and synced. */
async function openDesk(dir: string, firstTime: boolean): Promise<TestConsole> {
  const desk = await startConsole(portal, { dataDir: dir, autoStart: false, enrol: firstTime });
  consoles.push(desk);
  expect((await desk.signIn('clinician1')).ok).toBe(true);
  if (firstTime) await desk.ok('sync.now');
  return desk;
}

/** Threads a patient starts now on the portal (new, routine, unassigned: unread on the desk after a sync). */
async function newThreads(desk: TestConsole, patientNo: number, n: number): Promise<string[]> {
  const patient = await patientSignIn(portal.url, patientNo);
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(await patientNewThread(portal.url, patient, `Question ${i}`, 'Please call'));
  await desk.ok('sync.now');
  return ids;
}

const seenAt = (desk: TestConsole, id: string) =>
  desk.core.store.db.prepare('SELECT seen_at FROM threads WHERE id = ?').pluck().get(id) as string | null;
const unreadIn = (page: ThreadPage, id: string) => page.threads.find((t) => t.id === id)?.unread;

describe('seen marks derived from the read event', () => {
  it('a thread opened shows read in the next list, counts and patient panel while its mark is pending', async () => {
    const dir = tempDir('clinic-seen-pending-');
    dirs.push(dir);
    const desk = await openDesk(dir.dir, true);
    const [id] = await newThreads(desk, 4, 1);
    const before = await desk.ok<QueueCounts>('inbox.counts');
    expect(unreadIn(await desk.ok<ThreadPage>('inbox.list', NEWEST), id!)).toBe(true);

    const detail = await desk.ok<ThreadDetail>('thread.get', { threadId: id });
    // No task has run since the answer: the mark is not written yet.
    expect(seenAt(desk, id!)).toBeNull();
    expect(unreadIn(await desk.ok<ThreadPage>('inbox.list', NEWEST), id!)).toBe(false);
    expect(await desk.ok<QueueCounts>('inbox.counts')).toEqual({
      ...before,
      all: before.all - 1,
      unassigned: before.unassigned - 1,
    });
    const panel = await desk.ok<PatientPanel>('patient.get', { patientId: detail.patient.id });
    expect(panel.openThreads.find((t) => t.id === id)?.unread).toBe(false);
    // Written at the read's time (the shared test clock, which has not moved).
    expect(seenAt(desk, id!)).toBe(new Date(portal.clock.now()).toISOString());
  });

  it('a list read whose commit rolls back does not lose a pending mark', async () => {
    const dir = tempDir('clinic-seen-rollback-');
    dirs.push(dir);
    const desk = await openDesk(dir.dir, true);
    const [id] = await newThreads(desk, 5, 1);
    const before = await desk.ok<QueueCounts>('inbox.counts');
    await desk.ok('thread.get', { threadId: id });
    const db = desk.core.store.db;
    // The list applies the pending mark inside its own transaction; its audit write then fails: all rolls back.
    db.exec(`CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON main.audit_events
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    try {
      expect((await desk.call('inbox.list', NEWEST)).ok).toBe(false);
    } finally {
      db.exec('DROP TRIGGER temp.refuse_audit');
    }
    expect(await desk.ok<QueueCounts>('inbox.counts')).toEqual({
      ...before,
      all: before.all - 1,
      unassigned: before.unassigned - 1,
    });
    expect(unreadIn(await desk.ok<ThreadPage>('inbox.list', NEWEST), id!)).toBe(false);
  });

  it('parallel reads, then a crash before their marks: the next start applies every mark from the log', async () => {
    const dir = tempDir('clinic-seen-crash-');
    dirs.push(dir);
    const first = await openDesk(dir.dir, true);
    const ids = await newThreads(first, 6, 4);
    const before = await first.ok<QueueCounts>('inbox.counts');
    const page = await first.ok<ThreadPage>('inbox.list', NEWEST);
    for (const id of ids) expect(unreadIn(page, id)).toBe(true);
    const eventsBefore = first.core.store.audit.count();

    // Four opens at once, plus the same thread twice.
    const answers = await Promise.all(
      [...ids, ids[0]!].map((threadId) => first.call('thread.get', { threadId })),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    // Each read recorded (thread and patient events) before it answered.
    expect(first.core.store.audit.count()).toBe(eventsBefore + 10);
    for (const id of ids) expect(seenAt(first, id)).toBeNull();
    // The crash: the store goes away in the same task, before any derivation ran.
    first.core.store.db.close();
    consoles.splice(consoles.indexOf(first), 1);

    const second = await openDesk(dir.dir, false);
    const at = new Date(portal.clock.now()).toISOString();
    // The clock moved only by the sign-in's 31 s since the reads: the marks carry the reads' own time.
    for (const id of ids) expect(seenAt(second, id)).toBe(new Date(Date.parse(at) - 31_000).toISOString());
    expect(await second.ok<QueueCounts>('inbox.counts')).toEqual({
      ...before,
      all: before.all - 4,
      unassigned: before.unassigned - 4,
    });
    const after = await second.ok<ThreadPage>('inbox.list', NEWEST);
    for (const id of ids) expect(unreadIn(after, id)).toBe(false);
  });
});
