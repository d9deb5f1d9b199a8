/**
 * Review 5 of the review-4 fix "grant clock never runs back" (src-main/triage/break-glass.ts, CLOCK_HIGH_WATER):
 * failing test. Real portal on loopback, real encrypted store and keychain, real router.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startConsole,
  startPortal,
  type TestConsole,
  type TestPortal,
  OffsetClock,
} from '../helpers/console-harness';

const REASON = 'Patient fainted at the front desk; the paramedic asks for her recent readings';

let portal: TestPortal | undefined;
let desk: TestConsole | undefined;
afterEach(async () => {
  await desk?.close();
  await portal?.close();
  desk = undefined;
  portal = undefined;
});

const clinicalThreads = (c: TestConsole): string[] =>
  (
    c.core.store.db
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id LIMIT 2`,
      )
      .all() as { id: string }[]
  ).map((r) => r.id);

describe('review 5: emergency-access clock high-water', () => {
  it('a grant opened after the PC clock was once wrongly a year ahead still ends after its minutes', async () => {
    portal = await startPortal();
    const pc = new OffsetClock(portal.clock);
    desk = await startConsole(portal, { autoStart: false, clock: pc });
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await desk.ok('sync.now');
    const [first, second] = clinicalThreads(desk);
    // For a moment the PC's clock reads a year ahead (a mistyped date, fixed at once); an emergency grant is
    // opened then (its reads are flagged as usual). The clock is put right.
    pc.offsetMs = 365 * 24 * 60 * 60_000;
    desk.idle.touch();
    await desk.call('breakGlass.open', { threadId: first!, reason: REASON });
    pc.offsetMs = 0;
    desk.idle.touch();
    // Days later (real time) a new emergency: a grant on another thread, read, and 61 minutes later it is over.
    portal.clock.advance(3 * 24 * 60 * 60_000);
    desk.idle.touch();
    if (!(await desk.call('thread.get', { threadId: second! })).ok) {
      // (signed in again if the session lapsed over the days)
      expect((await desk.signIn('reception1')).ok).toBe(true);
    }
    await desk.ok('breakGlass.open', { threadId: second!, reason: REASON });
    expect(await desk.call('thread.get', { threadId: second! })).toMatchObject({ ok: true });
    portal.clock.advance(61 * 60_000);
    desk.idle.touch();
    // Failed on main 2a98b2e (review 5): the grant clock is stuck at the year-ahead reading (high-water), so every grant opened since is
    // dated then and stays valid until the real clock reaches it: a year of emergency access to both threads.
    expect(await desk.call('thread.get', { threadId: second! })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await desk.call('thread.get', { threadId: first! })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
