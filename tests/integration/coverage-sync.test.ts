/**
 * Session 4, 14c (issue 14 §3-§5) over sync: consoles of two clinicians, an admin and a receptionist against the
 * real portal backend, real stores and keychain, real routers. A clinician marks an absence; the server hands
 * their open threads to the colleague, whose "Mine" queue shows them after a sync, with the move in each thread's
 * audit trail; when the shared clock passes the end the server hands back (a thread the colleague closed stays
 * closed). Then the clinic-set break-glass time and a pool template made by an admin reach a receptionist's PC.
 * Time moves with the injected clock only; expectations are written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbsenceView } from '../../src-shared/coverage';
import type { AuditEntryView, ReplyTemplate, ThreadPage } from '../../src-shared/views';
import { startConsole, TEST_TODAY, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const clinic = useSyncedConsoles(['clinician1', 'clinician2'], {
  console: { autoStart: false },
  timeoutMs: 180_000,
});
let portal: TestPortal;
let away: TestConsole;
let cover: TestConsole;

/** The whole "Mine" queue, page by page (the demo assigns many threads to each clinician). */
async function mine(c: TestConsole): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await c.ok<ThreadPage>('inbox.list', { queue: 'mine', offset, limit: 200 });
    ids.push(...page.threads.map((t) => t.id));
    if (page.threads.length < 200) return ids;
  }
}

beforeAll(() => {
  portal = clinic.portal;
  [away, cover] = clinic.consoles;
});

describe('coverage over sync', () => {
  let held: string[];
  it('hands the absent clinician’s open threads to the colleague, visible in their Mine queue and trails', async () => {
    held = await mine(away);
    const unassigned = (
      await away.ok<ThreadPage>('inbox.list', {
        queue: 'unassigned',
        offset: 0,
        limit: 2,
        poolId: 'clinical',
      })
    ).threads.map((t) => t.id);
    expect(unassigned).toHaveLength(2);
    for (const threadId of unassigned) await away.ok('thread.claim', { threadId });
    await away.ok('sync.now');
    held = await mine(away);
    expect(held.length).toBeGreaterThanOrEqual(2);

    // A colleague cannot mark it for them; the console says so before the server does.
    expect(
      await cover.call('coverage.set', {
        staffId: 'stf-clinician1',
        coverId: 'stf-clinician2',
        startDate: TEST_TODAY,
        endDate: TEST_TODAY,
      }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // Today only (the clock is 08:00 UTC on TEST_TODAY): it starts at once.
    const absence = await away.ok<AbsenceView>('coverage.set', {
      staffId: 'stf-clinician1',
      coverId: 'stf-clinician2',
      startDate: TEST_TODAY,
      endDate: TEST_TODAY,
    });
    expect(absence).toMatchObject({ phase: 'active', staffName: 'Dr. Amara Okafor', timeZone: 'UTC' });

    await cover.ok('sync.now');
    const theirs = await mine(cover);
    for (const id of held) expect(theirs).toContain(id);
    expect((await cover.ok<AbsenceView[]>('coverage.list')).map((a) => a.id)).toEqual([absence.id]);
    const trail = await cover.ok<AuditEntryView[]>('audit.trail', {
      entityType: 'thread',
      entityId: held[0],
    });
    expect(trail.find((e) => e.fields.includes('coverage.hand-over'))).toMatchObject({
      action: 'update',
      outcome: 'success',
      actorKind: 'system',
      source: 'server',
      fields: ['assigneeId', 'coverage.hand-over'],
    });

    await away.ok('sync.now');
    expect(await mine(away)).toEqual([]);
  });

  it('hands them back when the clock passes the end; a thread the colleague closed stays closed', async () => {
    const [closed, ...rest] = held as [string, ...string[]];
    await cover.ok('thread.setStatus', { threadId: closed, status: 'done' });
    await cover.ok('sync.now');

    // Past the end of TEST_TODAY: a new day, so both sign in again (sessions end 12 h after sign-in).
    portal.clock.advance(16 * 3600_000 + 1000);
    expect((await away.signIn('clinician1')).ok).toBe(true);
    expect((await cover.signIn('clinician2')).ok).toBe(true);
    await away.ok('sync.now');
    await cover.ok('sync.now');

    expect((await mine(away)).sort()).toEqual([...rest].sort());
    expect(await mine(cover)).not.toContain(rest[0]);
    expect(cover.core.store.threads.byId(closed)).toMatchObject({
      status: 'done',
      assigneeId: 'stf-clinician2',
    });
    const trail = await away.ok<AuditEntryView[]>('audit.trail', { entityType: 'thread', entityId: rest[0] });
    expect(trail.filter((e) => e.fields.includes('coverage.hand-back'))).toHaveLength(1);
    expect((await away.ok<AbsenceView[]>('coverage.list'))[0]).toMatchObject({ phase: 'ended' });
  });
});

describe('clinic-set break-glass time and pool templates', () => {
  let admin: TestConsole;
  let desk: TestConsole;
  beforeAll(async () => {
    admin = await startConsole(portal, { autoStart: false });
    desk = await startConsole(portal, { autoStart: false });
    expect((await admin.signIn('admin1')).ok).toBe(true);
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await admin.ok('sync.now');
  }, 180_000);
  afterAll(async () => {
    await admin?.close();
    await desk?.close();
  });

  it('an admin sets 15 minutes and a pool template; a receptionist’s PC uses both', async () => {
    expect(await desk.call('admin.setClinicSettings', { breakGlassMinutes: 15 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await admin.ok('admin.setClinicSettings', { breakGlassMinutes: 15 })).toMatchObject({
      breakGlassMinutes: 15,
    });
    const template = await admin.ok<ReplyTemplate>('admin.savePoolTemplate', {
      poolId: 'front-desk',
      title: 'Bring your insurance card',
      body: 'Dear {{first_name}}, please bring your insurance card.',
    });
    expect(template).toMatchObject({ scope: 'pool', pool: 'front-desk' });

    await desk.ok('sync.now');
    expect(await desk.ok('clinic.settings')).toMatchObject({ breakGlassMinutes: 15 });
    const templates = await desk.ok<ReplyTemplate[]>('inbox.templates');
    expect(templates.filter((t) => t.scope === 'pool')).toEqual([template]);

    const row = desk.core.store.db
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id LIMIT 1`,
      )
      .get() as { id: string };
    const opened = await desk.ok<{ expiresAt: string }>('breakGlass.open', {
      threadId: row.id,
      reason: 'Patient collapsed in the waiting room',
    });
    expect(Date.parse(opened.expiresAt) - portal.clock.now()).toBe(15 * 60_000);
    portal.clock.advance(14 * 60_000);
    desk.idle.touch();
    expect((await desk.call('thread.get', { threadId: row.id })).ok).toBe(true);
    portal.clock.advance(60_000);
    desk.idle.touch();
    expect(await desk.call('thread.get', { threadId: row.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // The server kept the same time.
    admin.idle.touch();
    const report =
      await admin.ok<{ id: string; openedAt: string; expiresAt: string }[]>('admin.breakGlassReport');
    const grant = report[0]!;
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.openedAt)).toBe(15 * 60_000);

    // The admin shortens it to 10 minutes; the receptionist's PC, not synced since, opens another access: the
    // server keeps 10 minutes, and the PC follows once the access's own sync brought the new setting.
    admin.idle.touch();
    await admin.ok('admin.setClinicSettings', { breakGlassMinutes: 10 });
    expect(await desk.ok('clinic.settings')).toMatchObject({ breakGlassMinutes: 15 });
    const second = desk.core.store.db
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id
         LIMIT 1 OFFSET 1`,
      )
      .get() as { id: string };
    const again = await desk.ok<{ expiresAt: string }>('breakGlass.open', {
      threadId: second.id,
      reason: 'Paramedic on the phone asks for the last message',
    });
    expect(Date.parse(again.expiresAt) - portal.clock.now()).toBe(10 * 60_000);
    const newest = (await admin.ok<{ openedAt: string; expiresAt: string }[]>('admin.breakGlassReport'))[0]!;
    expect(Date.parse(newest.expiresAt) - Date.parse(newest.openedAt)).toBe(10 * 60_000);

    // Deleted by the admin: gone from the receptionist's list after a sync.
    await admin.ok('admin.deletePoolTemplate', { id: template.id });
    await desk.ok('sync.now');
    expect((await desk.ok<ReplyTemplate[]>('inbox.templates')).filter((t) => t.scope === 'pool')).toEqual([]);
  });
});
