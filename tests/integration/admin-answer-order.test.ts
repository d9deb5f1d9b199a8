/**
 * "A server that answers late" (review 6 D1; failed before the fix): the console's online admin calls
 * (src-main/auth/server-call.ts) write the server's answer into the local store. When the answer reaches the PC
 * only after a sync already brought a NEWER version of the same record (another admin changed it meanwhile), the
 * store keeps the newer one (src-main/store/repos/coverage.ts, availability.ts: an older version is never written
 * over a newer one), since no later pull would repair it (the cursor is past the newer change): DESIGN §5 "never
 * show what the server does not have".
 *
 * Real backend on loopback, real stores, keychain and routers. The only test device is a wrapper around the PC's
 * own transport that holds ONE admin answer (after the server applied the request) until the other admin's change
 * and this PC's sync are done: a slow network, nothing the server does differently. Expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityAdminView } from '../../src-shared/availability';
import type { AbsenceView } from '../../src-shared/coverage';
import { startConsole, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// Two PCs of the same admin.
const clinic = useSyncedConsoles(['admin1', 'admin1'], { console: { autoStart: false }, timeoutMs: 180_000 });
let portal: TestPortal;
let pcA: TestConsole;
let pcB: TestConsole;

beforeAll(() => {
  portal = clinic.portal;
  [pcA, pcB] = clinic.consoles;
});

/**
 * Holds the answer to the next request of `pc` whose method and path match, until `meanwhile` has run (the
 * server has already applied the request when its answer is held).
 */
function holdNextAnswer(
  pc: TestConsole,
  method: string,
  path: RegExp,
  meanwhile: () => Promise<void>,
): { released: () => boolean } {
  const transport = pc.core.auth.transport;
  const original = transport.fetch.bind(transport);
  let held = false;
  transport.fetch = async (p, init = {}) => {
    const res = await original(p, init);
    if (!held && (init.method ?? 'GET') === method && path.test(p)) {
      held = true;
      transport.fetch = original;
      await meanwhile();
    }
    return res;
  };
  return { released: () => held };
}

describe('a late admin answer never overwrites a newer record this PC already pulled', () => {
  it('clinic settings: the PC keeps the newer break-glass time the clinic has', async () => {
    const hold = holdNextAnswer(pcA, 'PUT', /^\/admin\/clinic-settings$/, async () => {
      // Meanwhile the other admin sets 15 minutes, and PC A syncs (pulling that newer record).
      await pcB.ok('admin.setClinicSettings', { breakGlassMinutes: 15 });
      pcA.idle.touch();
      await pcA.ok('sync.now');
      // PC A holds the newer record now (before its own late answer lands).
      expect(await pcA.ok('clinic.settings')).toMatchObject({ breakGlassMinutes: 15 });
    });
    await pcA.ok('admin.setClinicSettings', { breakGlassMinutes: 480 });
    expect(hold.released()).toBe(true);
    pcA.idle.touch();
    await pcA.ok('sync.now');
    pcB.idle.touch();
    // The server's record (the later change): 15 minutes.
    expect(await pcB.ok('clinic.settings')).toMatchObject({ breakGlassMinutes: 15 });
    // PC A must show what the server has: 15, not its own overwritten 480 (which its break-glass grants use).
    expect(await pcA.ok('clinic.settings')).toMatchObject({ breakGlassMinutes: 15 });
  });

  it('availability: the PC keeps the newer template with the lunch the server enforces', async () => {
    const week = [1, 2, 3, 4, 5, 6, 7];
    const work = week.map((weekday) => ({ weekday, startMinute: 480, endMinute: 1020, kind: 'work' }));
    const lunch = { weekday: 2, startMinute: 720, endMinute: 780, kind: 'lunch' };
    const hold = holdNextAnswer(pcA, 'PUT', /^\/admin\/availability\/templates\/prv-001$/, async () => {
      pcB.idle.touch();
      await pcB.ok('sync.now');
      await pcB.ok('availability.setTemplate', { providerId: 'prv-001', blocks: [...work, lunch] });
      pcA.idle.touch();
      await pcA.ok('sync.now');
      const pulled = await pcA.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
      expect(pulled.blocks).toContainEqual(lunch);
    });
    pcA.idle.touch();
    await pcA.ok('availability.setTemplate', { providerId: 'prv-001', blocks: work });
    expect(hold.released()).toBe(true);
    pcA.idle.touch();
    await pcA.ok('sync.now');
    pcB.idle.touch();
    const onB = await pcB.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(onB.blocks).toContainEqual(lunch);
    // PC A's own screen (and its booking checks and next-free-slot finder) must have the lunch too.
    const onA = await pcA.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(onA.blocks).toContainEqual(lunch);
  });

  it('coverage: an absence that began while its answer travelled is active on the PC', async () => {
    const doc = await startConsole(portal, { autoStart: false });
    try {
      expect((await doc.signIn('clinician1')).ok).toBe(true);
      await doc.ok('sync.now');
      // Tomorrow (2026-11-24, UTC clinic days), covered by clinician2.
      const hold = holdNextAnswer(doc, 'PUT', /^\/coverage\/absences\//, async () => {
        // The answer is slow; meanwhile the clinic's clock passes midnight and the absence begins.
        portal.clock.advance(17 * 3600_000);
        doc.idle.touch();
        await doc.ok('sync.now');
        const [pulled] = await doc.ok<AbsenceView[]>('coverage.list');
        expect(pulled).toMatchObject({ startDate: '2026-11-24', phase: 'active' });
      });
      const set = await doc.call('coverage.set', {
        staffId: 'stf-clinician1',
        coverId: 'stf-clinician2',
        startDate: '2026-11-24',
        endDate: '2026-11-25',
      });
      expect(hold.released()).toBe(true);
      expect(set.ok).toBe(true);
      doc.idle.touch();
      await doc.ok('sync.now');
      doc.idle.touch();
      const [absence] = await doc.ok<AbsenceView[]>('coverage.list');
      // The server handed the threads over at 00:00: the absence is active there, and must be here.
      expect(absence).toMatchObject({ startDate: '2026-11-24', phase: 'active' });
    } finally {
      await doc.close();
    }
  });

  it('…so a receptionist at that PC gets emergency access for the clinic’s 15 minutes, not 8 hours', async () => {
    // PC A still holds the overwritten 480 minutes (first case). A receptionist signs in there (a front-desk PC).
    expect((await pcA.signIn('reception1')).ok).toBe(true);
    await pcA.ok('sync.now');
    const row = pcA.core.store.db
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id LIMIT 1`,
      )
      .get() as { id: string };
    pcA.idle.touch();
    const opened = await pcA.ok<{ expiresAt: string }>('breakGlass.open', {
      threadId: row.id,
      reason: 'Patient collapsed in the waiting room',
    });
    // The clinic's time, 15 minutes (the server keeps its grant to that; this PC must too).
    expect(Date.parse(opened.expiresAt) - portal.clock.now()).toBe(15 * 60_000);
    // 20 minutes on, the clinical message is not readable any more (before the fix it still was).
    portal.clock.advance(20 * 60_000);
    pcA.idle.touch();
    await pcA.ok('sync.now');
    pcA.idle.touch();
    expect(await pcA.call('thread.get', { threadId: row.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
