/**
 * Issue 13 §3 availability on the server (SQLite and PostgreSQL): weekly templates and exceptions are configured
 * by an admin only, synced to consoles, and every booking a console pushes is checked against them, so a modified
 * console cannot book into lunch, leave or a holiday. The clock starts Monday 2 March 2026, 09:00 UTC; the demo
 * clinic is in UTC; prv-001 has 15-minute slots, prv-005 30-minute slots with lunch 12:00–13:00 on weekdays
 * (server/demo/seed.ts demoTemplateBlocks).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from '../src-shared/availability';
import type { Change, MutationOp, MutationResult } from '../src-shared/sync';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInPatient, signInStaff, type Running, type StaffLogin } from './test/helpers';

const server = useServerDesk();
let run: Running;
let desk: StaffLogin;
let admin: StaffLogin;

beforeAll(async () => {
  run = server.run;
  desk = server.login;
  admin = await signInStaff(run, 'admin1');
});

/** What a modified console would push: a booking the UI never offered. */
const push = (entityId: string, op: MutationOp, baseVersion: number | null = null): Promise<MutationResult> =>
  server.pushOne(entityId, op, { baseVersion });

const slot = (day: string, hhmm: string, minutes: number) => {
  const start = `${day}T${hhmm}:00.000Z`;
  return { start, end: new Date(Date.parse(start) + minutes * 60_000).toISOString() };
};
const book = (s: { start: string; end: string }, patientId: string, providerId: string): MutationOp => ({
  op: 'appointment.book',
  patientId,
  providerId,
  ...s,
  reason: 'Check-up',
  virtualLink: null,
});
const reasonOf = (r: MutationResult) => (r.status === 'applied' ? '' : r.reason);

function latest<T>(changes: Change[], entity: Change['entity'], id: string): T | null | undefined {
  const found = changes.filter((c) => c.entity === entity && c.id === id).at(-1);
  return found ? (found.data as T | null) : undefined;
}

describe('the demo clinic’s templates', () => {
  it('syncs one template per provider, reproducing 08:00–17:00 every day, with lunch for prv-005', async () => {
    const { changes } = await pullAll(run.url, desk.accessToken);
    const templates = changes
      .filter((c) => c.entity === 'availabilityTemplate')
      .map((c) => c.data as AvailabilityTemplateRecord);
    expect(templates.map((t) => t.providerId).sort()).toEqual([
      'prv-001',
      'prv-002',
      'prv-003',
      'prv-004',
      'prv-005',
      'prv-006',
    ]);
    const grace = templates.find((t) => t.providerId === 'prv-005')!;
    expect(grace.blocks.filter((b) => b.kind === 'work')).toHaveLength(7);
    expect(grace.blocks).toContainEqual({ weekday: 2, startMinute: 720, endMinute: 780, kind: 'lunch' });
    expect(grace.blocks).toContainEqual({ weekday: 3, startMinute: 960, endMinute: 1020, kind: 'admin' });
  });

  it('refuses a modified console’s booking into lunch and admin time, and takes the slot after lunch', async () => {
    // Tuesday 3 March 2026
    const lunch = await push(randomUUID(), book(slot('2026-03-03', '12:00', 30), 'pat-000001', 'prv-005'));
    expect(lunch.status).toBe('rejected');
    expect(reasonOf(lunch)).toBe('Lunch (12:00–13:00 UTC) is not bookable.');
    const intoLunch = await push(
      randomUUID(),
      book(slot('2026-03-03', '11:30', 60), 'pat-000001', 'prv-005'),
    );
    expect(reasonOf(intoLunch)).toMatch(/^Lunch/);
    // Wednesday 4 March: the admin hour
    const adminHour = await push(
      randomUUID(),
      book(slot('2026-03-04', '16:30', 30), 'pat-000001', 'prv-005'),
    );
    expect(reasonOf(adminHour)).toBe('Admin time (16:00–17:00 UTC) is not bookable.');
    const after = await push(randomUUID(), book(slot('2026-03-03', '13:00', 30), 'pat-000002', 'prv-005'));
    expect(after).toMatchObject({ status: 'applied' });
  });

  it('refuses a patient’s portal request for lunch too', async () => {
    const patient = await signInPatient(run, 3);
    const res = await call(run.url, 'POST', '/portal/appointments', {
      token: patient.token,
      body: { providerId: 'prv-005', ...slot('2026-03-05', '12:30', 30), reason: 'Check-up' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: 'VALIDATION',
      message: 'Lunch (12:00–13:00 UTC) is not bookable.',
    });
  });
});

describe('admin configuration', () => {
  const templateRoute = (providerId: string) => `/admin/availability/templates/${providerId}`;
  const prv001Blocks = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [
    { weekday, startMinute: 480, endMinute: 1020, kind: 'work' as const },
    { weekday, startMinute: 720, endMinute: 780, kind: 'lunch' as const },
  ]);

  it('is refused to a receptionist and to a malformed body', async () => {
    const asDesk = await call(run.url, 'PUT', templateRoute('prv-001'), {
      token: desk.accessToken,
      body: { blocks: prv001Blocks },
    });
    expect(asDesk.status).toBe(403);
    const holidayAsDesk = await call(run.url, 'POST', '/admin/availability/exceptions', {
      token: desk.accessToken,
      body: holiday('2026-03-09'),
    });
    expect(holidayAsDesk.status).toBe(403);
    const backwards = await call(run.url, 'PUT', templateRoute('prv-001'), {
      token: admin.accessToken,
      body: { blocks: [{ weekday: 1, startMinute: 600, endMinute: 540, kind: 'work' }] },
    });
    expect(backwards.status).toBe(400);
    const unknownKind = await call(run.url, 'PUT', templateRoute('prv-001'), {
      token: admin.accessToken,
      body: { blocks: [{ weekday: 1, startMinute: 540, endMinute: 600, kind: 'nap' }] },
    });
    expect(unknownKind.status).toBe(400);
    const leaveForAll = await call(run.url, 'POST', '/admin/availability/exceptions', {
      token: admin.accessToken,
      body: { ...holiday('2026-03-09'), kind: 'leave' },
    });
    expect(leaveForAll.status).toBe(400);
    expect(
      (
        await call(run.url, 'PUT', templateRoute('prv-404'), {
          token: admin.accessToken,
          body: { blocks: [] },
        })
      ).status,
    ).toBe(404);
  });

  it('an admin’s new lunch reaches consoles and the server refuses a booking into it', async () => {
    const { cursor } = await pullAll(run.url, desk.accessToken);
    const res = await call(run.url, 'PUT', templateRoute('prv-001'), {
      token: admin.accessToken,
      body: { blocks: prv001Blocks },
    });
    expect(res.status).toBe(200);
    const template = (res.json as { template: AvailabilityTemplateRecord }).template;
    expect(template).toMatchObject({ providerId: 'prv-001', locationId: 'loc-main', version: 2 });
    const pulled = await pullAll(run.url, desk.accessToken, cursor);
    expect(latest<AvailabilityTemplateRecord>(pulled.changes, 'availabilityTemplate', template.id)).toEqual(
      template,
    );
    const refused = await push(randomUUID(), book(slot('2026-03-05', '12:15', 15), 'pat-000003', 'prv-001'));
    expect(reasonOf(refused)).toBe('Lunch (12:00–13:00 UTC) is not bookable.');
    // A reschedule into lunch is refused as well.
    const id = randomUUID();
    expect(await push(id, book(slot('2026-03-05', '13:00', 15), 'pat-000003', 'prv-001'))).toMatchObject({
      status: 'applied',
    });
    const moved = await push(
      id,
      { op: 'appointment.reschedule', providerId: 'prv-001', ...slot('2026-03-05', '12:30', 15) },
      1,
    );
    expect(reasonOf(moved)).toMatch(/^Lunch/);
  });

  it('a holiday closes the clinic that day; leave closes one provider until it is removed', async () => {
    const created = await call(run.url, 'POST', '/admin/availability/exceptions', {
      token: admin.accessToken,
      body: holiday('2026-03-10', 'Clinic closed'),
    });
    expect(created.status).toBe(200);
    const day = (created.json as { exception: AvailabilityExceptionRecord }).exception;
    for (const providerId of ['prv-001', 'prv-002']) {
      const refused = await push(
        randomUUID(),
        book(slot('2026-03-10', '10:00', providerId === 'prv-001' ? 15 : 30), 'pat-000004', providerId),
      );
      expect(reasonOf(refused)).toBe(
        'Holiday: Clinic closed: the clinic is closed on 2026-03-10; nothing can be booked that day.',
      );
    }
    const { changes } = await pullAll(run.url, desk.accessToken);
    expect(latest(changes, 'availabilityException', day.id)).toEqual(day);

    const leave = await call(run.url, 'POST', '/admin/availability/exceptions', {
      token: admin.accessToken,
      body: { ...holiday('2026-03-11'), toDate: '2026-03-12', kind: 'leave', providerId: 'prv-002' },
    });
    expect(leave.status).toBe(200);
    const away = (leave.json as { exception: AvailabilityExceptionRecord }).exception;
    const onLeave = await push(randomUUID(), book(slot('2026-03-12', '10:00', 30), 'pat-000005', 'prv-002'));
    expect(reasonOf(onLeave)).toMatch(/^Dr\. Lukas Brenner is on leave on 2026-03-12/);
    // Another provider works that day.
    expect(
      await push(randomUUID(), book(slot('2026-03-12', '10:00', 15), 'pat-000006', 'prv-001')),
    ).toMatchObject({ status: 'applied' });

    const asDesk = await call(run.url, 'DELETE', `/admin/availability/exceptions/${away.id}`, {
      token: desk.accessToken,
    });
    expect(asDesk.status).toBe(403);
    const { cursor } = await pullAll(run.url, desk.accessToken);
    const removed = await call(run.url, 'DELETE', `/admin/availability/exceptions/${away.id}`, {
      token: admin.accessToken,
    });
    expect(removed.status).toBe(200);
    const again = await call(run.url, 'DELETE', `/admin/availability/exceptions/${away.id}`, {
      token: admin.accessToken,
    });
    expect(again.status).toBe(404);
    // Consoles are told it is gone.
    const pulled = await pullAll(run.url, desk.accessToken, cursor);
    expect(latest(pulled.changes, 'availabilityException', away.id)).toBeNull();
    expect(
      await push(randomUUID(), book(slot('2026-03-12', '10:00', 30), 'pat-000005', 'prv-002')),
    ).toMatchObject({ status: 'applied' });
  });

  it('a one-off session opens hours outside the template; every change is audited', async () => {
    const outside = await push(randomUUID(), book(slot('2026-03-13', '18:00', 15), 'pat-000007', 'prv-001'));
    expect(reasonOf(outside)).toMatch(/^Outside Dr\. Amara Okafor's working hours \(08:00–17:00 UTC\)/);
    const session = await call(run.url, 'POST', '/admin/availability/exceptions', {
      token: admin.accessToken,
      body: {
        ...holiday('2026-03-13', 'Evening clinic'),
        kind: 'session',
        providerId: 'prv-001',
        startMinute: 17 * 60,
        endMinute: 19 * 60,
      },
    });
    expect(session.status).toBe(200);
    expect(
      await push(randomUUID(), book(slot('2026-03-13', '18:00', 15), 'pat-000007', 'prv-001')),
    ).toMatchObject({ status: 'applied' });
    const { changes } = await pullAll(run.url, admin.accessToken);
    const settings = changes
      .filter((c) => c.entity === 'audit')
      .map(
        (c) =>
          c.data as { entityType: string; action: string; staffId: string | null; entityId: string | null },
      )
      .filter((a) => a.entityType === 'settings' && /^av[tx]-/.test(a.entityId ?? ''));
    expect(settings.map((a) => a.action).sort()).toEqual(['create', 'create', 'create', 'delete', 'update']);
    expect(new Set(settings.map((a) => a.staffId))).toEqual(new Set([admin.staff.id]));
  });
});

function holiday(date: string, label = 'Holiday') {
  return {
    kind: 'holiday',
    locationId: 'loc-main',
    providerId: null,
    fromDate: date,
    toDate: date,
    startMinute: null,
    endMinute: null,
    label,
  };
}
