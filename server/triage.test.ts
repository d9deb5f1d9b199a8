/**
 * Issue 14a, the server's half: what a receptionist may not have is refused by the backend itself, whatever a
 * modified console asks for over raw HTTP with a device credential: pull batches, GET /sync/record, pushed
 * changes. Plus topic routing of new portal threads. Expectations written by hand.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Change, MutationOp } from '../src-shared/sync';
import { PullResponse } from '../src-shared/sync';
import { useServerDesk } from './test/desk';
import {
  call,
  pullAll,
  registerDevice,
  signInPatient,
  signInStaff,
  type Running,
  type StaffLogin,
} from './test/helpers';

/** The whole demo clinic (scale 1); a receptionist's PC (the server desk) and a clinician's. */
const server = useServerDesk({ scale: 1 });
let run: Running;
let desk: StaffLogin;
let doc: StaffLogin;
/** What a clinician is served: every thread, message and attachment. */
let all: Change[];
let clinicalThread: string;
let adminThread: string;

const threadsIn = (changes: Change[], kind: 'clinical' | 'administrative'): Set<string> => {
  const pools = new Map(
    changes.flatMap((c) => (c.entity === 'pool' && c.data ? [[c.id, c.data.kind] as const] : [])),
  );
  return new Set(
    changes.flatMap((c) =>
      c.entity === 'thread' && c.data && (pools.get(c.data.poolId ?? '') ?? 'clinical') === kind
        ? [c.id]
        : [],
    ),
  );
};

beforeAll(async () => {
  run = server.run;
  desk = server.login;
  doc = await signInStaff(run, 'clinician1');
  all = (await pullAll(run.url, doc.accessToken)).changes;
  const messageThread = new Map(
    all.flatMap((c) => (c.entity === 'message' && c.data ? [[c.id, c.data.threadId] as const] : [])),
  );
  const withAttachment = new Set(
    all.flatMap((c) => (c.entity === 'attachment' && c.data ? [messageThread.get(c.data.messageId)!] : [])),
  );
  clinicalThread = [...threadsIn(all, 'clinical')].find((t) => withAttachment.has(t))!;
  adminThread = [...threadsIn(all, 'administrative')].find((t) => withAttachment.has(t))!;
});

/** Messages and attachments of `changes`, by the kind of pool their thread is in. */
function bodiesByKind(changes: Change[]): Record<'clinical' | 'administrative', number> {
  const clinical = threadsIn(all, 'clinical');
  const messageThread = new Map(
    all.flatMap((c) => (c.entity === 'message' && c.data ? [[c.id, c.data.threadId] as const] : [])),
  );
  const out = { clinical: 0, administrative: 0 };
  for (const c of changes) {
    const thread =
      c.entity === 'message'
        ? c.data?.threadId
        : c.entity === 'attachment'
          ? messageThread.get(c.data?.messageId ?? '')
          : undefined;
    if (thread === undefined) continue;
    out[clinical.has(thread) ? 'clinical' : 'administrative'] += 1;
  }
  return out;
}

describe('pull', () => {
  it('serves a clinician every body', () => {
    const counts = bodiesByKind(all);
    expect(counts.clinical).toBeGreaterThan(100);
    expect(counts.administrative).toBeGreaterThan(10);
  });

  it('leaves clinical messages and attachments out of a receptionist’s batches, and names their threads', async () => {
    const changes: Change[] = [];
    const withheld = new Set<string>();
    let cursor = '0';
    for (;;) {
      const res = await call(run.url, 'GET', `/sync/pull?after=${cursor}&limit=700`, {
        token: desk.accessToken,
      });
      expect(res.status).toBe(200);
      const page = PullResponse.parse(res.json);
      changes.push(...page.changes);
      for (const id of page.withheld ?? []) withheld.add(id);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const counts = bodiesByKind(changes);
    expect(counts.clinical).toBe(0);
    expect(counts.administrative).toBe(bodiesByKind(all).administrative);
    // threads themselves (topic, subject) still arrive, for re-routing
    expect(changes.filter((c) => c.entity === 'thread')).toHaveLength(
      all.filter((c) => c.entity === 'thread').length,
    );
    expect(withheld.has(clinicalThread)).toBe(true);
    expect(withheld.has(adminThread)).toBe(false);
  });

  it('gives a modified console nothing more on the device credential alone (no token)', async () => {
    const res = await call(run.url, 'GET', '/sync/pull?limit=5000', { device: desk.deviceId });
    expect(res.status).toBe(200);
    const page = PullResponse.parse(res.json);
    expect(bodiesByKind(page.changes).clinical).toBe(0);
  });

  it('serves a device a clinician signed in on every body on its credential alone', async () => {
    const res = await call(run.url, 'GET', '/sync/pull?limit=5000', { device: doc.deviceId });
    expect(bodiesByKind(PullResponse.parse(res.json).changes).clinical).toBeGreaterThan(0);
  });
});

describe('GET /sync/record', () => {
  it('refuses a receptionist a clinical thread (403), audited on the server', async () => {
    const res = await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinicalThread}`, {
      token: desk.accessToken,
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.json)).not.toContain('"body"');
    const trail = await call(run.url, 'GET', `/audit/entity?entityType=thread&entityId=${clinicalThread}`, {
      token: doc.accessToken,
    });
    expect((trail.json as { events: { staffId: string; outcome: string; action: string }[] }).events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ staffId: 'stf-reception1', action: 'read', outcome: 'failure' }),
      ]),
    );
  });

  it('refuses it on the device credential alone too', async () => {
    const res = await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinicalThread}`, {
      device: desk.deviceId,
    });
    expect(res.status).toBe(403);
  });

  it('serves a receptionist an administrative thread whole, and a clinician a clinical one', async () => {
    const a = await call(run.url, 'GET', `/sync/record?entity=thread&id=${adminThread}`, {
      token: desk.accessToken,
    });
    expect(a.status).toBe(200);
    expect((a.json as { related: Change[] }).related.some((c) => c.entity === 'attachment')).toBe(true);
    const c = await call(run.url, 'GET', `/sync/record?entity=thread&id=${clinicalThread}`, {
      token: doc.accessToken,
    });
    expect(c.status).toBe(200);
    expect((c.json as { related: Change[] }).related.some((x) => x.entity === 'message')).toBe(true);
  });
});

describe('push from a modified console', () => {
  /** `who` changes a thread at its current version (as the clinician reads it); the result's status. */
  const push = async (who: StaffLogin, threadId: string, op: MutationOp) => {
    const baseVersion = await server.threadVersion(threadId, doc);
    return (await server.pushOne(threadId, op, { baseVersion, as: who })).status;
  };

  // [operation, on a clinical thread, on an administrative thread], for a receptionist
  const TABLE: [string, MutationOp, string, string][] = [
    ['reply', { op: 'message.send', messageId: randomUUID(), body: 'Noted.' }, 'rejected', 'applied'],
    ['status', { op: 'thread.setStatus', status: 'in_progress' }, 'rejected', 'applied'],
    ['priority', { op: 'thread.setPriority', priority: 'urgent' }, 'rejected', 'applied'],
    ['assign', { op: 'thread.assign', assigneeId: 'stf-reception1' }, 'rejected', 'applied'],
    ['route within kind', { op: 'thread.route', poolId: 'results' }, 'applied', 'applied'],
  ];
  it.each(TABLE)('a receptionist’s %s', async (_name, op, onClinical, onAdmin) => {
    expect(await push(desk, clinicalThread, op)).toBe(onClinical);
    const adminOp = op.op === 'thread.route' ? { ...op, poolId: 'front-desk' } : op;
    const fresh = adminOp.op === 'message.send' ? { ...adminOp, messageId: randomUUID() } : adminOp;
    expect(await push(desk, adminThread, fresh)).toBe(onAdmin);
  });

  it('moves a clinical thread into an administrative pool for a clinician, never for a receptionist', async () => {
    expect(await push(desk, clinicalThread, { op: 'thread.route', poolId: 'front-desk' })).toBe('rejected');
    expect(await push(doc, clinicalThread, { op: 'thread.route', poolId: 'front-desk' })).toBe('applied');
    expect(await push(doc, clinicalThread, { op: 'thread.route', poolId: 'clinical' })).toBe('applied');
  });
});

describe('portal topics', () => {
  it('routes a new thread to the pool of the topic the patient picked; no topic is a clinical question', async () => {
    const patient = await signInPatient(run, 5);
    const post = (body: object) => call(run.url, 'POST', '/portal/threads', { token: patient.token, body });
    const a = await post({
      subject: 'Moving my visit',
      body: 'Can I come on Friday instead?',
      topic: 'scheduling',
    });
    const b = await post({ subject: 'Dizzy', body: 'I feel dizzy since yesterday.' });
    const c = await post({
      subject: 'Refill',
      body: 'Please renew my inhaler.',
      topic: 'prescription-refill',
    });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    const bad = await post({ subject: 'x', body: 'y', topic: 'gossip' });
    expect(bad.status).toBe(400);
    const pools = async (id: string) =>
      (
        (await call(run.url, 'GET', `/sync/record?entity=thread&id=${id}`, { token: doc.accessToken }))
          .json as {
          change: { data: { topic: string; poolId: string } };
        }
      ).change.data;
    const ids = [a, b, c].map((r) => (r.json as { thread: { id: string } }).thread.id);
    expect(await pools(ids[0]!)).toMatchObject({ topic: 'scheduling', poolId: 'front-desk' });
    expect(await pools(ids[1]!)).toMatchObject({ topic: 'clinical-question', poolId: 'clinical' });
    expect(await pools(ids[2]!)).toMatchObject({ topic: 'prescription-refill', poolId: 'refills' });
    // unused helper kept honest: a fresh device with nobody signed in gets no clinical body either
    const bare = await registerDevice(run);
    const res = await call(run.url, 'GET', '/sync/pull?limit=5000', { device: bare });
    expect(bodiesByKind(PullResponse.parse(res.json).changes).clinical).toBe(0);
  });
});

describe('pool configuration by an admin', () => {
  it('sets a pool’s SLA (due times of new threads follow it), refuses non-admins and a topic in two pools', async () => {
    const admin = await signInStaff(run, 'admin1');
    const body = {
      name: 'Front desk',
      kind: 'administrative',
      topics: ['scheduling', 'billing-admin'],
      sla: { routine: 30, urgent: 20, asap: 10, stat: 5 },
    };
    expect(
      (await call(run.url, 'PUT', '/admin/pools/front-desk', { token: desk.accessToken, body })).status,
    ).toBe(403);
    const clash = { ...body, topics: ['clinical-question'] };
    expect(
      (await call(run.url, 'PUT', '/admin/pools/front-desk', { token: admin.accessToken, body: clash }))
        .status,
    ).toBe(409);
    const res = await call(run.url, 'PUT', '/admin/pools/front-desk', { token: admin.accessToken, body });
    expect(res.status).toBe(200);
    expect((res.json as { pool: { version: number } }).pool.version).toBe(2);

    const patient = await signInPatient(run, 6);
    const posted = await call(run.url, 'POST', '/portal/threads', {
      token: patient.token,
      body: { subject: 'Invoice', body: 'Why was I billed twice?', topic: 'billing-admin' },
    });
    const id = (posted.json as { thread: { id: string } }).thread.id;
    const record = (
      (await call(run.url, 'GET', `/sync/record?entity=thread&id=${id}`, { token: doc.accessToken }))
        .json as {
        change: { data: { createdAt: string; dueAt: string } };
      }
    ).change.data;
    expect(Date.parse(record.dueAt) - Date.parse(record.createdAt)).toBe(30 * 60_000);
    // consoles pull the new configuration
    const pulled = await pullAll(run.url, desk.accessToken);
    expect(pulled.changes.find((c) => c.entity === 'pool' && c.id === 'front-desk')?.data).toMatchObject({
      sla: body.sla,
      version: 2,
    });
  });
});
