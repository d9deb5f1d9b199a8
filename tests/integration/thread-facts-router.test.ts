/**
 * Review of session 10 (helper "review"): the thread facts kept in memory (ThreadsRepo.facts, 9b4826f/514ff6b)
 * attacked through the real router, store and backend. A receptionist opens an administrative thread; in the same
 * turn of the event loop (the facts are still kept) the thread is moved into a clinical pool, its pool's kind
 * changes, or its patient changes, as a pull writes them on the store's connection; the next thread.get must be
 * refused (DESIGN §6: receptionists see only topic and subject of clinical threads) and every attempt recorded
 * before the answer, on the thread's current patient (DESIGN §7). Expected to PASS (the property holds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeConsoleAndPortal,
  startSignedInConsole,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  ({ portal, desk } = await startSignedInConsole('reception1'));
});
afterAll(() => closeConsoleAndPortal(desk, portal));

const db = () => desk.core.store.db;
/** Held threads of administrative pools, with their pool and patient. */
const adminThreads = () =>
  db()
    .prepare(
      `SELECT t.id, t.pool_id AS poolId, t.patient_id AS patientId FROM threads t JOIN pools p ON p.id = t.pool_id
       WHERE p.kind = 'administrative' ORDER BY t.id`,
    )
    .all() as { id: string; poolId: string; patientId: string }[];
const clinicalPool = () =>
  db().prepare(`SELECT id FROM pools WHERE kind = 'clinical' ORDER BY id LIMIT 1`).pluck().get() as string;
const eventsSince = (before: number) =>
  [...desk.core.store.audit.iterate()]
    .slice(before)
    .map((e) => [e.action, e.entity_type, e.entity_id, e.outcome]);

describe('review s10: thread facts kept in memory, through the router (receptionist)', () => {
  it('refuses a thread moved into a clinical pool in the same turn as an allowed read (passes)', async () => {
    const [thread] = adminThreads();
    expect(thread).toBeDefined();
    const before = desk.core.store.audit.count();
    // First call: its access check reads (and keeps) the facts synchronously, before its first await.
    const first = desk.call('thread.get', { threadId: thread!.id });
    // A pull moves the thread into a clinical pool, on the store's connection, in the same turn.
    db().prepare('UPDATE threads SET pool_id = ? WHERE id = ?').run(clinicalPool(), thread!.id);
    const second = desk.call('thread.get', { threadId: thread!.id });
    const [a, b] = await Promise.all([first, second]);
    // The first was checked again after its wait (router: review 7 R12); both are refused.
    expect(a.ok).toBe(false);
    expect(b).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const events = eventsSince(before);
    expect(events).toContainEqual(['read', 'thread', thread!.id, 'failure']);
    expect(events.filter((e) => e[3] === 'success')).toEqual([]);
    expect(desk.core.audit.verify()).toMatchObject({ ok: true });
  });

  it("refuses after the pool's own kind changed in the same turn (passes)", async () => {
    const [, thread] = adminThreads();
    const first = desk.call('thread.get', { threadId: thread!.id });
    db().prepare(`UPDATE pools SET kind = 'clinical' WHERE id = ?`).run(thread!.poolId);
    const second = desk.call('thread.get', { threadId: thread!.id });
    try {
      const [, b] = await Promise.all([first, second]);
      expect(b).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      db().prepare(`UPDATE pools SET kind = 'administrative' WHERE id = ?`).run(thread!.poolId);
    }
  });

  it("records a read on the thread's current patient after the patient changed in the same turn (passes)", async () => {
    const threads = adminThreads();
    const thread = threads[0]!;
    const other = threads.find((t) => t.patientId !== thread.patientId);
    expect(other).toBeDefined();
    const before = desk.core.store.audit.count();
    const first = desk.call('thread.get', { threadId: thread.id });
    db().prepare('UPDATE threads SET patient_id = ? WHERE id = ?').run(other!.patientId, thread.id);
    const second = desk.call('thread.get', { threadId: thread.id });
    const answers = await Promise.all([first, second]);
    const patientEvents = eventsSince(before).filter((e) => e[1] === 'patient');
    // Every patient event names the patient the thread has now (both reads ran after the change).
    expect(patientEvents.length).toBeGreaterThanOrEqual(2);
    for (const e of patientEvents) expect(e[2]).toBe(other!.patientId);
    for (const a of answers)
      if (a.ok) expect((a.value as { patient: { id: string } }).patient.id).toBe(other!.patientId);
    db().prepare('UPDATE threads SET patient_id = ? WHERE id = ?').run(thread.patientId, thread.id);
  });

  it('answers NOT_FOUND, records the attempt, and hands nothing out for a thread deleted in the same turn (passes)', async () => {
    const thread = adminThreads().at(-1)!;
    const before = desk.core.store.audit.count();
    const first = desk.call('thread.get', { threadId: thread.id });
    desk.core.store.transaction(() => desk.core.store.threads.delete(thread.id));
    const second = desk.call('thread.get', { threadId: thread.id });
    const [, b] = await Promise.all([first, second]);
    expect(b.ok).toBe(false);
    expect(eventsSince(before).filter((e) => e[3] === 'success' && e[2] === thread.id)).toEqual([]);
    expect(desk.core.audit.verify()).toMatchObject({ ok: true });
  });

  it('answers each thread with its own data and decision when calls on two threads interleave in one turn (passes)', async () => {
    const admin = adminThreads()[1]!;
    const clinical = db()
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id LIMIT 1`,
      )
      .pluck()
      .get() as string;
    const ids = [admin.id, clinical, admin.id, clinical, admin.id];
    const answers = await Promise.all(ids.map((threadId) => desk.call('thread.get', { threadId })));
    answers.forEach((a, i) => {
      if (ids[i] === clinical) expect(a).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      else {
        expect(a.ok).toBe(true);
        const value = (a as { value: { thread: { id: string }; patient: { id: string } } }).value;
        expect(value.thread.id).toBe(admin.id);
        expect(value.patient.id).toBe(admin.patientId);
      }
    });
  });

  it('refuses a read under an emergency-access grant that ended in the same turn as an allowed one (passes)', async () => {
    const threadId = db()
      .prepare(
        `SELECT t.id FROM threads t JOIN pools p ON p.id = t.pool_id WHERE p.kind = 'clinical' ORDER BY t.id LIMIT 1`,
      )
      .pluck()
      .get() as string;
    await desk.ok('breakGlass.open', {
      threadId,
      reason: 'Patient fainted at the front desk; the paramedic asks for her recent readings',
    });
    expect(await desk.call('thread.get', { threadId })).toMatchObject({ ok: true });
    const before = desk.core.store.audit.count();
    const first = desk.call('thread.get', { threadId });
    // The grant ends (its 60 minutes pass) between two calls of the same turn.
    portal.clock.advance(61 * 60_000);
    desk.idle.touch();
    const second = desk.call('thread.get', { threadId });
    const [a, b] = await Promise.all([first, second]);
    expect(a.ok).toBe(false);
    expect(b).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const events = [...desk.core.store.audit.iterate()].slice(before);
    expect(events.filter((e) => e.outcome === 'success')).toEqual([]);
    expect(events.filter((e) => e.entity_type === 'thread' && e.entity_id === threadId).length).toBe(2);
    expect(desk.core.audit.verify()).toMatchObject({ ok: true });
  });
});
