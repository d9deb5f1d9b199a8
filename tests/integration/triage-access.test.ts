/**
 * Issue 14a, router table: for each role and each kind of triage pool, which methods answer and which are
 * refused. The expected table is written here by hand (never derived from the contract or src-shared/triage.ts).
 * One shared front-desk PC: an admin syncs everything onto it, then each role signs in on it, so the store
 * holds every body and only the router stands between a receptionist and a clinical thread.
 * Real portal backend, real store and keychain, real router.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName } from '../../src-shared/contract';
import type { Role } from '../../src-shared/domain';
import type { ThreadPage } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

type Outcome = 'ok' | 'FORBIDDEN';
type Pool = 'clinical' | 'administrative';

interface Ids {
  /** Thread (unassigned, with an attachment) in a clinical pool, and its attachment. */
  clinical: string;
  clinicalAttachment: string;
  clinicalPatient: string;
  /** Thread (unassigned, with an attachment) in the administrative pool, and its attachment. */
  administrative: string;
  administrativeAttachment: string;
  administrativePatient: string;
  /** "Blood sugar readings", the reproduction of issue 14. */
  bloodSugar: string;
}

interface Row {
  input: (ids: Ids, pool: Pool, staffId: string) => unknown;
  /** By pool kind, then role. */
  expect: Record<Pool, Record<Role, Outcome>>;
}

const thread = (ids: Ids, pool: Pool): string => (pool === 'clinical' ? ids.clinical : ids.administrative);
const everyone: Record<Role, Outcome> = { receptionist: 'ok', clinician: 'ok', admin: 'ok' };
const notReception: Record<Role, Outcome> = { receptionist: 'FORBIDDEN', clinician: 'ok', admin: 'ok' };

/**
 * Hand-written: receptionists see topic and subject of clinical threads only; everyone else sees all.
 * Order matters for the thread's state: assign (to oneself), claim, release leaves it unassigned again.
 */
const TABLE: [MethodName, Row][] = [
  [
    'thread.get',
    {
      input: (i, p) => ({ threadId: thread(i, p) }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  // Session 7 (review 7 U4): the pane's re-read after a change is refused exactly as thread.get is.
  [
    'thread.getIfChanged',
    {
      input: (i, p) => ({ threadId: thread(i, p), stamp: '0'.repeat(64) }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'attachment.get',
    {
      input: (i, p) => ({
        attachmentId: p === 'clinical' ? i.clinicalAttachment : i.administrativeAttachment,
      }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.assign',
    {
      input: (i, p, staffId) => ({ threadId: thread(i, p), assigneeId: staffId }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.claim',
    {
      input: (i, p) => ({ threadId: thread(i, p) }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.release',
    {
      input: (i, p) => ({ threadId: thread(i, p) }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.setPriority',
    {
      input: (i, p) => ({ threadId: thread(i, p), priority: 'urgent' }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.setStatus',
    {
      input: (i, p) => ({ threadId: thread(i, p), status: 'in_progress' }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'thread.reply',
    {
      input: (i, p) => ({ threadId: thread(i, p), body: 'We have your message.' }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
  [
    'patient.get',
    {
      input: (i, p) => ({ patientId: p === 'clinical' ? i.clinicalPatient : i.administrativePatient }),
      expect: { clinical: everyone, administrative: everyone },
    },
  ],
  [
    'audit.trail',
    {
      input: (i, p) => ({ entityType: 'thread', entityId: thread(i, p) }),
      expect: { clinical: everyone, administrative: everyone },
    },
  ],
  [
    // Re-routing within its kind (clinical -> Results, administrative -> Front desk): allowed to all.
    'thread.route',
    {
      input: (i, p) => ({ threadId: thread(i, p), poolId: p === 'clinical' ? 'results' : 'front-desk' }),
      expect: { clinical: everyone, administrative: everyone },
    },
  ],
  [
    'thread.replyAndClose',
    {
      input: (i, p) => ({ threadId: thread(i, p), body: 'Done, thank you.' }),
      expect: { clinical: notReception, administrative: everyone },
    },
  ],
];

let portal: TestPortal;
let desk: TestConsole;
let ids: Ids;
const staffIds: Record<Role, string> = {
  receptionist: 'stf-reception1',
  clinician: 'stf-clinician1',
  admin: 'stf-admin1',
};
const usernames: Record<Role, string> = {
  receptionist: 'reception1',
  clinician: 'clinician1',
  admin: 'admin1',
};

function pick(pool: 'clinical' | 'administrative'): { thread: string; attachment: string; patient: string } {
  return desk.core.store.db
    .prepare(
      `SELECT t.id AS thread, a.id AS attachment, t.patient_id AS patient FROM attachments a
       JOIN messages m ON m.id = a.message_id JOIN threads t ON t.id = m.thread_id JOIN pools p ON p.id = t.pool_id
       WHERE p.kind = ? AND t.assignee_id IS NULL AND t.status != 'done' ORDER BY t.id LIMIT 1`,
    )
    .get(pool) as { thread: string; attachment: string; patient: string };
}

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
  expect((await desk.signIn('admin1')).ok).toBe(true);
  await desk.ok('sync.now');
  const c = pick('clinical');
  const a = pick('administrative');
  const sugar = desk.core.store.db
    .prepare(`SELECT id FROM threads WHERE subject = 'Blood sugar readings' ORDER BY id LIMIT 1`)
    .pluck()
    .get() as string;
  ids = {
    clinical: c.thread,
    clinicalAttachment: c.attachment,
    clinicalPatient: c.patient,
    administrative: a.thread,
    administrativeAttachment: a.attachment,
    administrativePatient: a.patient,
    bloodSugar: sugar,
  };
  await desk.ok('auth.signOut');
}, 120_000);
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

const ROLES: Role[] = ['receptionist', 'clinician', 'admin'];

describe.each(ROLES)('signed in as %s on a shared PC holding every body', (role) => {
  beforeAll(async () => {
    expect((await desk.signIn(usernames[role])).ok).toBe(true);
  });
  afterAll(async () => {
    await desk.ok('auth.signOut');
  });

  const cases = TABLE.flatMap(([method, row]) =>
    (['clinical', 'administrative'] as const).map((pool) => [method, pool, row.expect[pool][role]] as const),
  );
  it.each(cases)('%s on a thread of a %s pool: %s', async (method, pool, expected) => {
    const row = TABLE.find(([m]) => m === method)![1];
    const result = await desk.call(method, row.input(ids, pool, staffIds[role]));
    if (expected === 'ok') expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    else expect(result).toMatchObject({ ok: false, error: { code: expected } });
  });

  it('moving a clinical thread into an administrative pool', async () => {
    const result = await desk.call('thread.route', { threadId: ids.clinical, poolId: 'front-desk' });
    if (role === 'receptionist') {
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } else {
      expect(result).toMatchObject({ ok: true });
      // and back, so the next role finds it where it was
      await desk.ok('thread.route', { threadId: ids.clinical, poolId: 'clinical' });
    }
  });

  it('search matches clinical bodies only for roles that may read them', async () => {
    const page = await desk.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      search: 'sugar',
      offset: 0,
      limit: 50,
    });
    if (role === 'receptionist') expect(page).toEqual({ threads: [], total: 0 });
    else expect(page.total).toBeGreaterThan(0);
    // administrative bodies stay searchable for everyone
    const admin = await desk.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      search: 'insurance',
      offset: 0,
      limit: 50,
    });
    expect(admin.total).toBeGreaterThan(0);
  });

  it('every queue lists clinical threads by topic and subject, without a body snippet', async () => {
    const page = await desk.ok<ThreadPage>('inbox.list', { queue: 'all', offset: 0, limit: 200 });
    const sugar = page.threads.filter((t) => t.subject === 'Blood sugar readings');
    for (const t of sugar) expect(t).toMatchObject({ topic: 'clinical-question', snippet: null });
  });
});

describe('assigning a thread to a receptionist (review 6 D9)', () => {
  beforeAll(async () => {
    expect((await desk.signIn('clinician1')).ok).toBe(true);
  });
  afterAll(async () => {
    await desk.ok('auth.signOut');
  });

  it('is refused for a thread of a clinical pool (they could never open it), allowed for an administrative one', async () => {
    const clinical = await desk.call('thread.assign', {
      threadId: ids.clinical,
      assigneeId: 'stf-reception1',
    });
    expect(clinical).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'Rita Reyes cannot work a thread of a clinical pool: assign it to a clinician.',
      },
    });
    expect(desk.core.store.threads.byId(ids.clinical)?.assigneeId).toBeNull();
    await desk.ok('thread.assign', { threadId: ids.administrative, assigneeId: 'stf-reception1' });
    expect(desk.core.store.threads.byId(ids.administrative)?.assigneeId).toBe('stf-reception1');
    await desk.ok('thread.release', { threadId: ids.administrative });
  });
});

describe('the reproduction: a receptionist opens "Blood sugar readings"', () => {
  it('is refused at the router, and the refusal is in the thread’s and the patient’s audit trail', async () => {
    expect((await desk.signIn('reception1')).ok).toBe(true);
    const before = desk.core.store.audit.count();
    const result = await desk.call('thread.get', { threadId: ids.bloodSugar });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // no body in the answer
    expect(JSON.stringify(result)).not.toContain('blood sugar readings have been');
    const events = [...desk.core.store.audit.iterate()].slice(before);
    const patient = desk.core.store.threads.byId(ids.bloodSugar)!.patientId;
    expect(events.map((e) => [e.action, e.entity_type, e.entity_id, e.outcome, e.staff_id])).toEqual([
      ['read', 'thread', ids.bloodSugar, 'failure', 'stf-reception1'],
      ['read', 'patient', patient, 'failure', 'stf-reception1'],
    ]);
    // a thread not held on this PC is not fetched for a receptionist either
    expect(await desk.call('thread.get', { threadId: 'thr-not-here' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await desk.ok('auth.signOut');
  });
});
