/**
 * Review suspicion 3 (session 9's review leftover), DESIGN §6 (roles), issue 14a: a PC on which only a receptionist
 * has signed in knows the clinical pools' threads by topic and subject only (the server withholds their bodies from
 * the role). Its inbox must never reveal a clinical body: not in any queue's rows (snippets), not through a search
 * (no match on a body word, none shown as a snippet), not through the counts; and the empty answers are correct
 * ones (a total of 0, not an error). Real portal backend, real SQLCipher store and keychain; expectations by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, type QueueCounts, type ThreadPage } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { patientNewThread, patientSignIn } from '../helpers/sync-harness';

/** Words found only in the clinical message's body. */
const BODY_WORD = 'Zyquaterine';
const CLINICAL_BODY = `My ${BODY_WORD} dose makes me dizzy every morning`;
const CLINICAL_SUBJECT = 'Dizzy in the mornings';
const FRONT_SUBJECT = 'Parking near the clinic';

let portal: TestPortal;
let desk: TestConsole;
let clinical = '';
let front = '';

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
  const patient = await patientSignIn(portal.url, 9);
  clinical = await patientNewThread(portal.url, patient, CLINICAL_SUBJECT, CLINICAL_BODY, 'test-results');
  front = await patientNewThread(portal.url, patient, FRONT_SUBJECT, 'Where can I park?', 'scheduling');
  expect((await desk.signIn('reception1')).ok).toBe(true);
  await desk.ok('sync.now');
}, 60_000);
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

describe('a receptionist’s PC, knowing only administrative pools’ bodies', () => {
  it('holds no clinical body at all (withheld by the server)', () => {
    const db = desk.core.store.db;
    expect(
      db.prepare('SELECT count(*) FROM withheld_threads WHERE thread_id = ?').pluck().get(clinical),
    ).toBe(1);
    const bodies = db
      .prepare('SELECT body FROM messages WHERE thread_id = ?')
      .pluck()
      .all(clinical) as string[];
    expect(bodies.filter((b) => b.includes(BODY_WORD))).toEqual([]);
  });

  it('every queue lists the clinical thread by topic and subject only, with no body in its rows', async () => {
    const seen: string[] = [];
    for (const queue of QUEUES) {
      const page = await desk.ok<ThreadPage>('inbox.list', {
        queue,
        offset: 0,
        limit: 100,
        sort: 'received',
      });
      expect(JSON.stringify(page)).not.toContain(BODY_WORD);
      if (page.threads.some((t) => t.id === clinical)) seen.push(queue);
    }
    // New, routine and unassigned: in "unassigned" and "all" (listed so it can be re-routed), not in the others.
    expect(seen).toEqual(['unassigned', 'all']);
  });

  it('a search for a word of the clinical body finds nothing, a correct empty answer', async () => {
    const page = await desk.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      offset: 0,
      limit: 100,
      search: BODY_WORD,
    });
    expect(page).toEqual({ threads: [], total: 0 });
    // A word of the subject (shown to the role) finds it, and its snippet quotes no body.
    const bySubject = await desk.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      offset: 0,
      limit: 100,
      search: 'Dizzy',
    });
    expect(JSON.stringify(bySubject)).not.toContain(BODY_WORD);
    expect(bySubject.threads.map((t) => t.id)).not.toContain(front);
  });

  it('the counts count it (it is work for the desk to route) and say nothing of its body', async () => {
    const counts = await desk.ok<QueueCounts>('inbox.counts');
    expect(JSON.stringify(counts)).not.toContain(BODY_WORD);
    expect(counts.all).toBeGreaterThanOrEqual(2);
  });

  it('its body is refused, with the role’s message (and no body in the refusal)', async () => {
    const refused = await desk.call('thread.get', { threadId: clinical });
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).not.toContain(BODY_WORD);
  });
});
