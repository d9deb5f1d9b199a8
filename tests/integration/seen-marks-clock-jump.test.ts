/**
 * Session 9's review leftover ("not tried: a jumping clock against the seen-mark watermark"; src-main/inbox/
 * seen-marks.ts, migration 022). A PC's wall clock that jumps (a person changing the date, an NTP step) between
 * reads: a thread read must show read, a message that arrives after the read must show unread, and no mark may be
 * lost or applied twice, also across a crash and the start's recovery (the watermark counts audit seqs, not time).
 * Before: the mark was the read event's time on the PC's clock, compared with the message's time on the server's
 * clock, so a PC clock behind left a thread just read unread, and one ahead hid the next message.
 * Real portal backend, real SQLCipher store and keychain; the PC's clock is the test's (OffsetClock); expectations
 * written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadDetail, ThreadPage } from '../../src-shared/views';
import { SeenMarks } from '../../src-main/inbox/seen-marks';
import {
  OffsetClock,
  startConsole,
  startPortal,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';
import { patientMessage, patientNewThread, patientSignIn } from '../helpers/sync-harness';
import { tempDir } from '../helpers/tmp';

const HOUR = 3_600_000;
const NEWEST = { queue: 'all', offset: 0, limit: 50, sort: 'received' } as const;

let portal: TestPortal;
let pc: OffsetClock;
const dir = tempDir('clinic-seen-clock-');
const consoles: TestConsole[] = [];

beforeAll(async () => {
  portal = await startPortal();
  pc = new OffsetClock(portal.clock);
}, 60_000);
afterAll(async () => {
  for (const c of consoles) await c.close().catch(() => undefined);
  await portal?.close();
  dir.cleanup();
});

async function openDesk(firstTime: boolean): Promise<TestConsole> {
  const desk = await startConsole(portal, {
    dataDir: dir.dir,
    clock: pc,
    autoStart: false,
    enrol: firstTime,
  });
  consoles.push(desk);
  expect((await desk.signIn('clinician1')).ok).toBe(true);
  await desk.ok('sync.now');
  return desk;
}
/** The PC's clock jumps by `ms` (the server's does not); the person is at the desk (no idle lock). */
function jump(desk: TestConsole, ms: number): void {
  pc.offsetMs += ms;
  desk.idle.touch();
}
const unread = async (desk: TestConsole, id: string) =>
  (await desk.ok<ThreadPage>('inbox.list', NEWEST)).threads.find((t) => t.id === id)?.unread;
/** Let the read's deferred mark task run (seen-marks.ts: a task after the answer). */
const marksWritten = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('seen marks when the PC clock jumps', () => {
  let desk: TestConsole;
  let patient: Awaited<ReturnType<typeof patientSignIn>>;
  beforeAll(async () => {
    desk = await openDesk(true);
    patient = await patientSignIn(portal.url, 8);
  });

  it('a PC clock set back: a thread read shows read, and its next message unread', async () => {
    const id = await patientNewThread(portal.url, patient, 'Clock behind', 'Please call me back');
    await desk.ok('sync.now');
    expect(await unread(desk, id)).toBe(true);
    jump(desk, -2 * HOUR);
    await desk.ok<ThreadDetail>('thread.get', { threadId: id });
    await marksWritten();
    expect(await unread(desk, id)).toBe(false);
    portal.clock.advance(60_000);
    await patientMessage(portal.url, patient, id, 'Any news?');
    await desk.ok('sync.now');
    expect(await unread(desk, id)).toBe(true);
    jump(desk, 2 * HOUR);
  });

  it('a PC clock set ahead: a message that arrives after the read shows unread', async () => {
    const id = await patientNewThread(portal.url, patient, 'Clock ahead', 'Can I come tomorrow?');
    await desk.ok('sync.now');
    jump(desk, 2 * HOUR);
    await desk.ok<ThreadDetail>('thread.get', { threadId: id });
    await marksWritten();
    expect(await unread(desk, id)).toBe(false);
    // A minute later on the server (an hour and 59 minutes before the PC's clock).
    portal.clock.advance(60_000);
    await patientMessage(portal.url, patient, id, 'Or the day after?');
    await desk.ok('sync.now');
    expect(await unread(desk, id)).toBe(true);
    jump(desk, -2 * HOUR);
  });

  it('reads between jumps back and forth, then a crash: each mark comes back once, none lost', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await patientNewThread(portal.url, patient, `Jump ${i}`, 'Hello'));
    await desk.ok('sync.now');
    const before = desk.core.store.audit.lastSeq();
    // Ahead, behind, far behind, back to the server's time: one read each, the same thread twice.
    for (const [i, offset] of [3 * HOUR, -5 * HOUR, -10 * HOUR, 12 * HOUR].entries()) {
      jump(desk, offset);
      await desk.ok('thread.get', { threadId: ids[i] });
    }
    await desk.ok('thread.get', { threadId: ids[0] });
    expect(pc.offsetMs).toBe(0);
    // Thread and patient events of five reads, in seq order whatever the clock said.
    expect(desk.core.store.audit.lastSeq()).toBeGreaterThanOrEqual(before + 10);
    // The crash: the store goes away in the same task, before any mark was written.
    desk.core.store.db.close();
    consoles.splice(consoles.indexOf(desk), 1);

    desk = await openDesk(false);
    const page = await desk.ok<ThreadPage>('inbox.list', NEWEST);
    // Recovered from the log: the reads' own times on the PC's clock. Written once: a second recovery finds
    // nothing after the watermark.
    expect(ids.map((id) => desk.core.store.threads.seenState(id)?.seen_at !== null)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const againApplied: string[] = [];
    expect(new SeenMarks(desk.core.store, (id) => void againApplied.push(id)).recover()).toBe(0);
    expect(againApplied).toEqual([]);
    // Read on the PC while its clock was behind the server's: recovery has only the event's time. It stays unread
    // (fails safe: a thread shown unread is opened again; one shown read would hide a patient's message).
    expect(ids.map((id) => page.threads.find((t) => t.id === id)?.unread)).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});
