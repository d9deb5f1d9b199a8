/**
 * Session 4, 14c (issue 14 §3-§5), the server's half: coverage hand-over and hand-back as the server's clock
 * moves, the refusals a modified console meets over raw HTTP, the clinic-set break-glass time, and pool
 * templates. Runs on SQLite and (project "postgres") on PostgreSQL. Expectations written by hand.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord, ThreadRecord } from '../src-shared/domain';
import type { Change, MutationOp } from '../src-shared/sync';
import { DEMO_PORTAL_PASSWORD } from './demo/credentials';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInStaff, type Running, type StaffLogin } from './test/helpers';

// The test clock starts 2026-03-02T09:00Z; the demo location is in UTC (tests' default zone). The whole demo clinic
// (scale 1), clinician1's PC first.
const server = useServerDesk({ coverageSweepMs: 0, scale: 1, username: 'clinician1' });
let run: Running;
let doc1: StaffLogin;
let doc2: StaffLogin;
let desk: StaffLogin;
let admin: StaffLogin;

beforeAll(async () => {
  run = server.run;
  doc1 = server.login;
  doc2 = await signInStaff(run, 'clinician2');
  desk = await signInStaff(run, 'reception1');
  admin = await signInStaff(run, 'admin1');
});

/** Moves the server clock and signs everyone in again on their PCs (access tokens last 15 minutes). */
async function jump(to: string | number): Promise<void> {
  run.clock.ms = typeof to === 'number' ? run.clock.ms + to * 1000 : Date.parse(to);
  doc1 = await signInStaff(run, 'clinician1', doc1.deviceId);
  doc2 = await signInStaff(run, 'clinician2', doc2.deviceId);
  desk = await signInStaff(run, 'reception1', desk.deviceId);
  admin = await signInStaff(run, 'admin1', admin.deviceId);
}

async function threads(who: StaffLogin): Promise<Map<string, ThreadRecord>> {
  const { changes } = await pullAll(run.url, who.accessToken);
  return new Map(changes.flatMap((c) => (c.entity === 'thread' && c.data ? [[c.id, c.data] as const] : [])));
}

/** `who` changes a thread at its current version (as clinician1 reads it); the result's status. */
async function push(who: StaffLogin, threadId: string, op: MutationOp): Promise<string> {
  const baseVersion = await server.threadVersion(threadId, doc1);
  return (await server.pushOne(threadId, op, { baseVersion, as: who })).status;
}

const markAbsence = (who: StaffLogin, id: string, body: Record<string, unknown>) =>
  call(run.url, 'PUT', `/coverage/absences/${id}`, { token: who.accessToken, body });

async function trail(threadId: string): Promise<AuditRecord[]> {
  const res = await call(run.url, 'GET', `/audit/entity?entityType=thread&entityId=${threadId}`, {
    token: admin.accessToken,
  });
  return (res.json as { events: AuditRecord[] }).events;
}

describe('coverage: hand-over and hand-back as the server clock moves', () => {
  it('moves the open threads to the colleague while away, and back when the absence ends', async () => {
    const before = await threads(doc1);
    // Five open threads of the Clinical pool, assigned to clinician1 for this test (the demo assigns some too).
    const mine = [...before.values()]
      .filter((t) => t.status !== 'done' && t.poolId === 'clinical')
      .slice(0, 5);
    expect(mine).toHaveLength(5);
    for (const t of mine)
      expect(await push(doc1, t.id, { op: 'thread.assign', assigneeId: doc1.staff.id })).toBe('applied');
    const [keep, close, reassign, later, reopened] = mine.map((t) => t.id) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // `reopened` is closed by clinician1 before the absence; its patient writes again while they are away.
    expect(await push(doc1, reopened, { op: 'thread.setStatus', status: 'done' })).toBe('applied');
    // `later` is given to someone else before the absence, and to clinician1 while they are away.
    expect(await push(doc1, later, { op: 'thread.assign', assigneeId: admin.staff.id })).toBe('applied');
    const openOfDoc1 = [...(await threads(doc1)).values()].filter(
      (t) => t.assigneeId === doc1.staff.id && t.status !== 'done',
    );

    // Tomorrow only (2026-03-03, UTC clinic days), covered by clinician2.
    const res = await markAbsence(doc1, 'abs-1', {
      staffId: doc1.staff.id,
      coverId: doc2.staff.id,
      startDate: '2026-03-03',
      endDate: '2026-03-03',
    });
    expect(res.status).toBe(200);
    expect(res.json.absence).toMatchObject({
      phase: 'scheduled',
      startsAt: '2026-03-03T00:00:00.000Z',
      endsAt: '2026-03-04T00:00:00.000Z',
      timeZone: 'UTC',
      createdBy: 'stf-clinician1',
    });
    // Not started: nothing moves.
    expect((await threads(doc2)).get(keep)!.assigneeId).toBe('stf-clinician1');

    await jump('2026-03-03T00:00:01.000Z');
    const during = await threads(doc2);
    for (const t of openOfDoc1) expect(during.get(t.id)!.assigneeId).toBe('stf-clinician2');
    const { changes } = await pullAll(run.url, doc2.accessToken);
    expect(changes.find((c) => c.entity === 'absence' && c.id === 'abs-1')?.data).toMatchObject({
      phase: 'active',
    });
    const handOver = (await trail(keep)).find((e) => e.fields.includes('coverage.hand-over'));
    expect(handOver).toMatchObject({
      action: 'update',
      outcome: 'success',
      actorKind: 'system',
      deviceId: 'server',
      staffId: 'stf-clinician1',
      fields: ['assigneeId', 'coverage.hand-over'],
    });

    // While away: the colleague closes one and re-assigns another; a thread assigned to clinician1 goes to cover.
    expect(await push(doc2, close, { op: 'thread.setStatus', status: 'done' })).toBe('applied');
    expect(await push(doc2, reassign, { op: 'thread.assign', assigneeId: admin.staff.id })).toBe('applied');
    expect(await push(admin, later, { op: 'thread.assign', assigneeId: doc1.staff.id })).toBe('applied');
    expect((await threads(doc2)).get(later)!.assigneeId).toBe('stf-clinician2');
    expect(during.get(reopened)).toMatchObject({ assigneeId: 'stf-clinician1', status: 'done' });
    const { changes: all } = await pullAll(run.url, admin.accessToken);
    const patientId = during.get(reopened)!.patientId;
    const mrn = all.find((c) => c.entity === 'patient' && c.id === patientId)!.data as { mrn: string };
    const portal = await call(run.url, 'POST', '/portal/sign-in', {
      body: { mrn: mrn.mrn, password: DEMO_PORTAL_PASSWORD },
    });
    const wrote = await call(run.url, 'POST', `/portal/threads/${reopened}/messages`, {
      token: (portal.json as { token: string }).token,
      body: { body: 'It is worse again today.' },
    });
    expect(wrote.status).toBe(201);
    // Reopened by the patient while the clinician is away: it goes to the cover too (at the next sweep).
    expect((await threads(doc2)).get(reopened)).toMatchObject({
      assigneeId: 'stf-clinician2',
      status: 'new',
    });

    // The clock passes the end: a sweep (here by a pull) hands back.
    await jump('2026-03-04T00:00:00.000Z');
    const after = await threads(doc1);
    expect(after.get(keep)!.assigneeId).toBe('stf-clinician1');
    expect(after.get(later)!.assigneeId).toBe('stf-clinician1');
    expect(after.get(reopened)!.assigneeId).toBe('stf-clinician1');
    expect(after.get(close)).toMatchObject({ assigneeId: 'stf-clinician2', status: 'done' });
    expect(after.get(reassign)!.assigneeId).toBe('stf-admin1');
    for (const t of openOfDoc1.filter((x) => x.id !== close && x.id !== reassign))
      expect(after.get(t.id)!.assigneeId).toBe('stf-clinician1');
    const keepTrail = await trail(keep);
    expect(keepTrail.filter((e) => e.fields.includes('coverage.hand-back'))).toHaveLength(1);
    expect(keepTrail.filter((e) => e.fields.includes('coverage.hand-over'))).toHaveLength(1);
    expect((await trail(close)).filter((e) => e.fields.includes('coverage.hand-back'))).toHaveLength(0);

    // Idempotent: another sweep at the same time moves nothing more.
    const again = await threads(doc1);
    expect(again.get(keep)!.version).toBe(after.get(keep)!.version);
  });

  it('ends an absence early on request of the absent clinician, handing back at once', async () => {
    await jump('2026-03-04T10:00:00.000Z');
    const open = [...(await threads(doc2)).values()].find(
      (t) => t.status !== 'done' && t.assigneeId === null && t.poolId === 'clinical',
    )!;
    expect(await push(doc2, open.id, { op: 'thread.assign', assigneeId: doc2.staff.id })).toBe('applied');
    const res = await markAbsence(doc2, 'abs-2', {
      staffId: doc2.staff.id,
      coverId: doc1.staff.id,
      startDate: '2026-03-04',
      endDate: '2026-03-06',
    });
    expect(res.status).toBe(200);
    // Started today: handed over at once.
    expect(res.json.absence.phase).toBe('active');
    expect((await threads(doc1)).get(open.id)!.assigneeId).toBe('stf-clinician1');
    // Someone else cannot end it.
    const other = await call(run.url, 'POST', '/coverage/absences/abs-2/end', { token: doc1.accessToken });
    expect(other.status).toBe(403);
    await jump(3600);
    const end = await call(run.url, 'POST', '/coverage/absences/abs-2/end', { token: doc2.accessToken });
    expect(end.status).toBe(200);
    expect(end.json.absence).toMatchObject({ phase: 'ended', endDate: '2026-03-04' });
    expect((await threads(doc1)).get(open.id)!.assigneeId).toBe('stf-clinician2');
  });
});

describe('coverage: refusals from a modified console', () => {
  const body = (staffId: string, coverId: string, startDate = '2026-03-10', endDate = '2026-03-12') => ({
    staffId,
    coverId,
    startDate,
    endDate,
  });
  // [case, who marks, body, HTTP status] written by hand
  const TABLE: [string, () => StaffLogin, () => Record<string, unknown>, number][] = [
    ['a clinician for a colleague', () => doc2, () => body(doc1.staff.id, doc2.staff.id), 403],
    ['a receptionist for a clinician', () => desk, () => body(doc1.staff.id, doc2.staff.id), 403],
    ['a receptionist as cover', () => doc1, () => body(doc1.staff.id, desk.staff.id), 400],
    ['an admin as cover', () => doc1, () => body(doc1.staff.id, admin.staff.id), 400],
    ['oneself as cover', () => doc1, () => body(doc1.staff.id, doc1.staff.id), 400],
    ['a receptionist’s own absence', () => desk, () => body(desk.staff.id, doc1.staff.id), 400],
    ['an unknown cover', () => doc1, () => body(doc1.staff.id, 'stf-nobody'), 400],
    [
      'last day before first',
      () => doc1,
      () => body(doc1.staff.id, doc2.staff.id, '2026-03-12', '2026-03-10'),
      400,
    ],
    [
      'a day that does not exist',
      () => doc1,
      () => body(doc1.staff.id, doc2.staff.id, '2026-02-30', '2026-03-01'),
      400,
    ],
    [
      'an absence already over',
      () => doc1,
      () => body(doc1.staff.id, doc2.staff.id, '2026-03-01', '2026-03-02'),
      400,
    ],
    ['an unknown field', () => doc1, () => ({ ...body(doc1.staff.id, doc2.staff.id), phase: 'ended' }), 400],
  ];
  it.each(TABLE)('refuses %s', async (_name, who, make, status) => {
    const id = `abs-${randomUUID().slice(0, 8)}`;
    const res = await markAbsence(who(), id, make());
    expect(res.status).toBe(status);
    const { changes } = await pullAll(run.url, admin.accessToken);
    expect(changes.some((c) => c.entity === 'absence' && c.id === id)).toBe(false);
  });

  it('needs the PC’s device credential and a staff token', async () => {
    const b = body(doc1.staff.id, doc2.staff.id);
    const noDevice = await call(run.url, 'PUT', '/coverage/absences/abs-nodev', {
      token: doc1.accessToken,
      body: b,
      device: null,
    });
    expect(noDevice.status).toBe(401);
    const noToken = await call(run.url, 'PUT', '/coverage/absences/abs-notoken', {
      body: b,
      device: doc1.deviceId,
    });
    expect(noToken.status).toBe(401);
  });

  it('audits a refusal on the absent clinician’s trail', async () => {
    await markAbsence(doc2, 'abs-x', body(doc1.staff.id, doc2.staff.id));
    const res = await call(run.url, 'GET', `/audit/entity?entityType=staff&entityId=${doc1.staff.id}`, {
      token: admin.accessToken,
    });
    const refused = (res.json as { events: AuditRecord[] }).events.find(
      (e) => e.staffId === doc2.staff.id && e.outcome === 'failure' && e.fields.includes('absence'),
    );
    expect(refused).toMatchObject({ action: 'create', entityType: 'staff' });
  });

  it('lets an admin mark a clinician’s absence, and refuses overlaps', async () => {
    const ok = await markAbsence(admin, 'abs-3', body(doc1.staff.id, doc2.staff.id));
    expect(ok.status).toBe(200);
    expect(ok.json.absence.createdBy).toBe('stf-admin1');
    // Same request again (a retry) answers the same record.
    expect((await markAbsence(admin, 'abs-3', body(doc1.staff.id, doc2.staff.id))).status).toBe(200);
    // The same id with other content, the same person twice, a cover who is away then: 409.
    const clash: [string, Record<string, unknown>][] = [
      ['abs-3', body(doc1.staff.id, doc2.staff.id, '2026-03-10', '2026-03-11')],
      ['abs-4', body(doc1.staff.id, doc2.staff.id, '2026-03-12', '2026-03-14')],
      ['abs-5', body(doc2.staff.id, doc1.staff.id, '2026-03-11', '2026-03-11')],
    ];
    for (const [id, b] of clash) expect((await markAbsence(admin, id, b)).status).toBe(409);
  });
});

describe('clinic-set break-glass time', () => {
  it('is admin-set, synced, and caps the grant the server keeps', async () => {
    const put = (who: StaffLogin, b: unknown) =>
      call(run.url, 'PUT', '/admin/clinic-settings', { token: who.accessToken, body: b });
    expect((await put(doc1, { breakGlassMinutes: 15 })).status).toBe(403);
    expect((await put(admin, { breakGlassMinutes: 4 })).status).toBe(400);
    expect((await put(admin, { breakGlassMinutes: 481 })).status).toBe(400);
    const ok = await put(admin, { breakGlassMinutes: 15 });
    expect(ok.status).toBe(200);
    expect(ok.json.settings).toMatchObject({ id: 'clinic', breakGlassMinutes: 15 });
    const { changes } = await pullAll(run.url, desk.accessToken);
    expect(changes.find((c: Change) => c.entity === 'clinicSettings')?.data).toMatchObject({
      breakGlassMinutes: 15,
    });

    // A modified console asks for 60 minutes: the server keeps 15.
    const clinical = [...(await threads(doc1)).values()].find((t) => t.poolId === 'clinical')!;
    const grantId = randomUUID();
    expect(
      await push(desk, clinical.id, {
        op: 'breakGlass.open',
        grantId,
        reason: 'Patient collapsed at desk',
        minutes: 60,
      }),
    ).toBe('applied');
    const report = await call(run.url, 'GET', '/admin/break-glass', { token: admin.accessToken });
    const grant = (
      report.json as { grants: { id: string; openedAt: string; expiresAt: string }[] }
    ).grants.find((g) => g.id === grantId)!;
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.openedAt)).toBe(15 * 60_000);
    // Expired on the server's clock: the record is refused again.
    await jump(15 * 60 + 1);
    const record = await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinical.id}`, {
      token: desk.accessToken,
    });
    expect(record.status).toBe(403);
  });
});

describe('pool templates', () => {
  it('are created, changed and deleted by an admin only, and synced', async () => {
    const put = (who: StaffLogin, id: string, b: unknown) =>
      call(run.url, 'PUT', `/admin/pool-templates/${id}`, { token: who.accessToken, body: b });
    const tpl = {
      poolId: 'front-desk',
      title: 'Bring your card',
      body: 'Dear {{first_name}}, bring your card.',
    };
    expect((await put(doc1, 'tpl-1', tpl)).status).toBe(403);
    expect((await put(desk, 'tpl-1', tpl)).status).toBe(403);
    expect((await put(admin, 'tpl-1', { ...tpl, poolId: 'no-such-pool' })).status).toBe(404);
    expect((await put(admin, 'tpl-1', { ...tpl, title: '' })).status).toBe(400);
    const created = await put(admin, 'tpl-1', tpl);
    expect(created.status).toBe(200);
    expect(created.json.template).toEqual({ id: 'tpl-1', ...tpl, version: 1 });
    expect(
      (await put(admin, 'tpl-1', { ...tpl, title: 'Bring your insurance card' })).json.template.version,
    ).toBe(2);
    const pulled = await pullAll(run.url, desk.accessToken);
    expect(pulled.changes.find((c) => c.entity === 'poolTemplate' && c.id === 'tpl-1')?.data).toMatchObject({
      title: 'Bring your insurance card',
    });
    const del = (who: StaffLogin) =>
      call(run.url, 'DELETE', '/admin/pool-templates/tpl-1', { token: who.accessToken });
    expect((await del(doc1)).status).toBe(403);
    expect((await del(admin)).status).toBe(200);
    expect((await del(admin)).status).toBe(404);
    const after = await pullAll(run.url, desk.accessToken, pulled.cursor);
    expect(after.changes).toContainEqual({ entity: 'poolTemplate', id: 'tpl-1', data: null });
  });
});

describe('coverage: the server’s timer', () => {
  const timed = useServerDesk({ coverageSweepMs: 20, scale: 1, username: 'clinician1' });
  it('hands over when the clock passes the start although no console syncs', async () => {
    const own = timed.run;
    const a = timed.login;
    const b = await signInStaff(own, 'clinician2');
    const { changes } = await pullAll(own.url, a.accessToken);
    const thread = changes.find(
      (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'clinical',
    )!.data as ThreadRecord;
    const assigned = await timed.pushOne(
      thread.id,
      { op: 'thread.assign', assigneeId: a.staff.id },
      { baseVersion: thread.version },
    );
    expect(assigned.status).toBe('applied');
    const marked = await call(own.url, 'PUT', '/coverage/absences/abs-timer', {
      token: a.accessToken,
      body: { staffId: a.staff.id, coverId: b.staff.id, startDate: '2026-03-03', endDate: '2026-03-03' },
    });
    expect(marked.json.absence.phase).toBe('scheduled');
    // GET /sync/record runs no sweep: only the timer can move the thread once the clock passes the start.
    const moved = new Promise<void>((resolve) => {
      const stop = own.server.store.onChange(() => {
        stop();
        resolve();
      });
    });
    own.clock.ms = Date.parse('2026-03-03T00:00:00.000Z');
    await moved;
    const a2 = await signInStaff(own, 'clinician1', a.deviceId);
    const after = (
      await call(own.url, 'GET', `/sync/record?entity=thread&id=${thread.id}`, { token: a2.accessToken })
    ).json.change.data as ThreadRecord;
    expect(after.assigneeId).toBe('stf-clinician2');
  });
});

describe('coverage: sweeps in parallel', () => {
  it('moves each thread once when several consoles pull at the moment the absence begins', async () => {
    // abs-3 (marked by the admin above): clinician1 away 2026-03-10 to 03-12, covered by clinician2.
    const open = [...(await threads(admin)).values()]
      .filter((t) => t.assigneeId === doc1.staff.id && t.status !== 'done')
      .slice(0, 20);
    expect(open.length).toBeGreaterThan(0);
    const handOvers = async (id: string) =>
      (await trail(id)).filter((e) => e.fields.includes('coverage.hand-over')).length;
    const before = new Map<string, number>();
    for (const t of open) before.set(t.id, await handOvers(t.id));
    await jump('2026-03-10T00:00:01.000Z');
    const pulls = await Promise.all(
      [doc1, doc2, desk, admin, doc1, doc2, desk, admin].map((w) =>
        call(run.url, 'GET', '/sync/pull?after=0&limit=1', { token: w.accessToken }),
      ),
    );
    expect(pulls.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    const now = await threads(admin);
    for (const t of open) {
      expect(now.get(t.id)!.assigneeId).toBe('stf-clinician2');
      expect(await handOvers(t.id)).toBe(before.get(t.id)! + 1);
    }
  });
});
