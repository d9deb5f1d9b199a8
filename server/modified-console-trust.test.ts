/**
 * Adversarial review (session 4) of issues 13b and 14a, the server's half: a modified console calls the HTTP API
 * with a real enrolled device credential and a signed-in staff session, sending what the UI never would. Each
 * test failed on main d4f825f (review 4, session 4) and guards its fix.
 * Clock: Monday 2 March 2026 09:00 UTC (server/test/helpers.ts); demo clinic in UTC; prv-001 15-minute slots.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PullResponse, type Change, type MutationOp, type MutationResult } from '../src-shared/sync';
import type { BreakGlassGrant } from '../src-shared/triage';
import { useServerDesk } from './test/desk';
import { call, pullAll, signInPatient, signInStaff, type Running, type StaffLogin } from './test/helpers';

// A receptionist's own PC (the server desk), and a clinician's own PC.
const server = useServerDesk();
let run: Running;
let desk: StaffLogin;
let doc: StaffLogin;
let clinicalThread: string;

beforeAll(async () => {
  run = server.run;
  desk = server.login;
  doc = await signInStaff(run, 'clinician1');
  const all = (await pullAll(run.url, doc.accessToken)).changes;
  const kinds = new Map(
    all.flatMap((c) => (c.entity === 'pool' && c.data ? [[c.id, c.data.kind] as const] : [])),
  );
  const withMessages = new Set(
    all.flatMap((c) => (c.entity === 'message' && c.data ? [c.data.threadId] : [])),
  );
  clinicalThread = all.find(
    (c) =>
      c.entity === 'thread' &&
      c.data !== null &&
      kinds.get(c.data.poolId ?? '') === 'clinical' &&
      withMessages.has(c.id),
  )!.id;
});
/** One change pushed from `who`'s PC, made at `createdAt` (epoch ms) on `baseVersion`. */
const push = (
  who: StaffLogin,
  entityId: string,
  op: MutationOp,
  createdAt: number,
  baseVersion: number | null,
): Promise<MutationResult> => server.pushOne(entityId, op, { as: who, createdAt, baseVersion });
const outcome = (r: MutationResult) => (r.status === 'applied' ? 'applied' : `${r.status}: ${r.reason}`);
const book = (start: string, patientId: string, virtualLink: string | null = null): MutationOp => ({
  op: 'appointment.book',
  patientId,
  providerId: 'prv-001',
  start,
  end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
  reason: 'Check-up',
  virtualLink,
});

describe('virtual visits (issue 13b)', () => {
  it('refuses a non-https link (javascript:, http:) in setVirtual as in appointment.book', async () => {
    const id = randomUUID();
    const booked = await push(desk, id, book('2026-03-02T16:00:00.000Z', 'pat-000003'), run.clock.ms, null);
    expect(outcome(booked)).toBe('applied');
    // appointment.book refuses these (server/sync/apply.ts isHttps); appointment.setVirtual never looks.
    const results: string[] = [];
    let version = booked.status === 'applied' ? booked.version : 1;
    for (const link of ['javascript:alert(document.cookie)', 'http://visit.evil.example/v/x']) {
      const r = await push(
        desk,
        id,
        { op: 'appointment.setVirtual', virtualLink: link },
        run.clock.ms,
        version,
      );
      if (r.status === 'applied') version = r.version;
      results.push(r.status);
    }
    // The link is then shown, copied and sent to the patient by an honest console (appointment.sendVirtualLink).
    expect(results).toEqual(['rejected', 'rejected']);
  });

  it('refuses giving a visit another appointment’s video room (book and setVirtual)', async () => {
    // Patient 6's visit is virtual with its own room; a modified console gives patient 7's visit the same room.
    const b = randomUUID();
    const roomOfB = `https://visit.clinic.example/v/${b}`;
    const bookedB = await push(
      desk,
      b,
      book('2026-03-02T16:30:00.000Z', 'pat-000006', roomOfB),
      run.clock.ms,
      null,
    );
    expect(outcome(bookedB)).toBe('applied');
    const a = randomUUID();
    const bookedA = await push(
      desk,
      a,
      book('2026-03-02T16:45:00.000Z', 'pat-000007', roomOfB),
      run.clock.ms,
      null,
    );
    const c = randomUUID();
    const bookedC = await push(desk, c, book('2026-03-02T15:30:00.000Z', 'pat-000008'), run.clock.ms, null);
    expect(outcome(bookedC)).toBe('applied');
    const switched = await push(
      desk,
      c,
      { op: 'appointment.setVirtual', virtualLink: roomOfB },
      run.clock.ms,
      bookedC.status === 'applied' ? bookedC.version : 1,
    );
    // "Send link" on an honest console then tells patients 7 and 8 to join patient 6's consultation.
    expect([bookedA.status, switched.status]).toEqual(['rejected', 'rejected']);
  });
});

describe('judging time of a pushed change (review of 13a, "still open" in closing3.md)', () => {
  it('judges a change back-dated before the device’s latest pushed change no earlier than that change (no fabricated check-in of yesterday’s visit)', async () => {
    // Monday: the receptionist books a 15:00 visit for today (honest, online). The patient never comes.
    const id = randomUUID();
    const booked = await push(desk, id, book('2026-03-02T15:00:00.000Z', 'pat-000004'), run.clock.ms, null);
    expect(outcome(booked)).toBe('applied');
    // Tuesday 09:00: she signs in online again on the same PC and pushes an honest change, acknowledged now.
    run.clock.ms = Date.parse('2026-03-03T09:00:00.000Z');
    const tuesday = await signInStaff(run, 'reception1', desk.deviceId);
    const honest = await push(
      tuesday,
      randomUUID(),
      book('2026-03-03T15:00:00.000Z', 'pat-000005'),
      run.clock.ms,
      null,
    );
    expect(outcome(honest)).toBe('applied');
    // Then a modified console pushes Monday's check-in, rooming and completion dated Monday afternoon. An honest
    // console pushes its outbox in order, so nothing it made on Monday can arrive after Tuesday's push.
    const outcomes: string[] = [];
    let version = booked.status === 'applied' ? booked.version : 1;
    for (const [op, at] of [
      ['appointment.checkIn', '2026-03-02T14:58:00.000Z'],
      ['appointment.room', '2026-03-02T15:01:00.000Z'],
      ['appointment.complete', '2026-03-02T15:14:00.000Z'],
    ] as const) {
      const r = await push(tuesday, id, { op }, Date.parse(at), version);
      if (r.status === 'applied') version = r.version;
      outcomes.push(r.status);
    }
    expect(outcomes, 'a no-show turned into a completed visit a day later').not.toContain('applied');
  });
});

describe('emergency access (issue 14a)', () => {
  it('records on the server a BTG read for a clinical thread it serves under break-glass (counted as served in the report)', async () => {
    // Fresh sessions on the same two PCs (an earlier test may have moved the clock past the access tokens).
    const reception = await signInStaff(run, 'reception1', desk.deviceId);
    const clinician = await signInStaff(run, 'clinician1', doc.deviceId);
    const thread = (
      await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinicalThread}`, {
        token: clinician.accessToken,
      })
    ).json as { change: { data: { version: number } } };
    const grantId = randomUUID();
    const opened = await push(
      reception,
      clinicalThread,
      {
        op: 'breakGlass.open',
        grantId,
        reason: 'Patient collapsed at the desk, paramedic asks',
        minutes: 60,
      },
      run.clock.ms,
      thread.change.data.version,
    );
    expect(outcome(opened)).toBe('applied');
    // A modified console fetches the bodies under the grant and pushes no audit event of its reads.
    const served = await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinicalThread}`, {
      token: reception.accessToken,
    });
    expect(served.status).toBe(200);
    expect((served.json as { related: Change[] }).related.some((c) => c.entity === 'message')).toBe(true);
    const admin = await signInStaff(run, 'admin1');
    const report = await call(run.url, 'GET', '/admin/break-glass', { token: admin.accessToken });
    const grant = (report.json as { grants: BreakGlassGrant[] }).grants.find((g) => g.id === grantId)!;
    // "every read in it is flagged in the audit trail": the server handed out the bodies; its own trail must say so.
    expect(grant.served, 'reads the server served under the grant').toBeGreaterThanOrEqual(1);
  });
});

describe('device clearance (issue 14a servedRole)', () => {
  it('withholds clinical bodies from a front-desk PC once a forgotten clinician sign-in is past the grace period', async () => {
    // A front-desk PC: clinician2 signs in there once (forgets to sign out); the receptionist works there after.
    const frontDesk = await signInStaff(run, 'reception2');
    await signInStaff(run, 'clinician2', frontDesk.deviceId);
    run.clock.advance(30 * 24 * 3600);
    await signInStaff(run, 'reception2', frontDesk.deviceId);
    // Thirty days later, far past the 72-hour grace period in which clinician2 could still push a change from
    // this PC, its device credential alone (a modified console drops the receptionist's token) still pulls
    // every clinical body.
    const res = await call(run.url, 'GET', '/sync/pull?limit=5000', { device: frontDesk.deviceId });
    expect(res.status).toBe(200);
    const page = PullResponse.parse(res.json);
    expect(page.withheld ?? [], 'clinical threads withheld from a receptionist-only PC').toContain(
      clinicalThread,
    );
  });
});

describe('SLA per pool (issue 14a §2: "SLA per priority is set by the clinic")', () => {
  /** The clinic's Clinical pool answers routine questions within 60 minutes (set by an admin). */
  const CLINICAL_SLA = { routine: 60, urgent: 30, asap: 10, stat: 5 };
  let staff: { reception: StaffLogin; clinician: StaffLogin };
  const threadRecord = async (id: string) =>
    (
      (
        await call(run.url, 'GET', `/sync/record?entity=thread&id=${id}`, {
          token: staff.clinician.accessToken,
        })
      ).json as {
        change: { data: { version: number; lastMessageAt: string; dueAt: string | null; poolId: string } };
      }
    ).change.data;
  const minutesDue = (t: { lastMessageAt: string; dueAt: string | null }) =>
    t.dueAt === null ? null : (Date.parse(t.dueAt) - Date.parse(t.lastMessageAt)) / 60_000;

  beforeAll(async () => {
    const admin = await signInStaff(run, 'admin1');
    const res = await call(run.url, 'PUT', '/admin/pools/clinical', {
      token: admin.accessToken,
      body: { name: 'Clinical', kind: 'clinical', topics: ['clinical-question'], sla: CLINICAL_SLA },
    });
    expect(res.status).toBe(200);
    staff = {
      reception: await signInStaff(run, 'reception1', desk.deviceId),
      clinician: await signInStaff(run, 'clinician1', doc.deviceId),
    };
  });

  it('makes a patient’s follow-up after a staff answer due by the pool’s SLA', async () => {
    const patient = await signInPatient(run, 9);
    const posted = await call(run.url, 'POST', '/portal/threads', {
      token: patient.token,
      body: { subject: 'Chest pain', body: 'Pain since this morning.', topic: 'clinical-question' },
    });
    expect(posted.status).toBe(201);
    const id = (posted.json as { thread: { id: string } }).thread.id;
    expect(minutesDue(await threadRecord(id))).toBe(60); // the first message follows the pool's SLA
    const answered = await push(
      staff.clinician,
      id,
      { op: 'message.send', messageId: randomUUID(), body: 'How bad is it, from 1 to 10?' },
      run.clock.ms,
      (await threadRecord(id)).version,
    );
    expect(outcome(answered)).toBe('applied');
    run.clock.advance(60);
    const again = await call(run.url, 'POST', `/portal/threads/${id}/messages`, {
      token: patient.token,
      body: { body: 'Eight, and my left arm hurts.' },
    });
    expect(again.status).toBe(201);
    expect(minutesDue(await threadRecord(id)), 'minutes to answer the follow-up').toBe(60);
  });

  it('gives a thread re-routed into the Clinical pool that pool’s due time', async () => {
    const patient = await signInPatient(run, 10);
    const posted = await call(run.url, 'POST', '/portal/threads', {
      token: patient.token,
      body: { subject: 'Invoice and my rash', body: 'The rash is spreading fast.', topic: 'billing-admin' },
    });
    expect(posted.status).toBe(201);
    const id = (posted.json as { thread: { id: string } }).thread.id;
    const before = await threadRecord(id);
    expect(before.poolId).toBe('front-desk');
    const routed = await push(
      staff.reception,
      id,
      { op: 'thread.route', poolId: 'clinical' },
      run.clock.ms,
      before.version,
    );
    expect(outcome(routed)).toBe('applied');
    expect(minutesDue(await threadRecord(id)), 'minutes to answer once in the Clinical pool').toBe(60);
  });
});
