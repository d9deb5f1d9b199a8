/**
 * Session 8 (fix9c, from reading the code; confirmed in session 9, s9sec): a receptionist chooses a clinical thread,
 * whose body is withheld from the role (DESIGN §6: topic and subject only), and the thread then leaves the list on
 * screen (another queue or pool, a search, a change pulled from the backend). The triage pane found the thread's
 * summary only in the list shown, so it fell back to the usual thread pane, which asked the core for the body: a
 * `thread.get` the router refuses and records as a refused read by the receptionist on the thread's and the
 * patient's trails (a false "refused read", what a privacy officer looks for). Every way a thread reaches the pane is
 * tried here (a queue switch, a pool, a search, a status change and a pool change pulled, the patient panel); the
 * core must never be asked for the body, and no refused read may be recorded. Chromium through the browser host, the
 * real core, portal and store; controls by role and label; expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  openMainView,
  postPatientThreads,
  pullThreadChangeElsewhere,
  recordRouterCalls,
  useSignedInDesk,
} from './harness';

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Withheld pane desk' });

/** The methods that read or act on a thread's content (src-main/triage/access.ts), by the thread they name. */
const CONTENT_METHODS = new Set([
  'thread.get',
  'thread.getIfChanged',
  'thread.reply',
  'thread.replyAndClose',
  'thread.claim',
  'thread.release',
  'thread.assign',
  'thread.setPriority',
  'thread.setStatus',
  'attachment.get',
]);
/** Content calls the page made, by method and thread id. */
const contentCalls = recordRouterCalls(e2e, (method, input) => {
  if (!CONTENT_METHODS.has(method)) return undefined;
  const data = input as { threadId?: string; attachmentId?: string };
  return `${method} ${data.threadId ?? data.attachmentId}`;
});

const A_SUBJECT = 'Wheelchair at the entrance';
const A_BODY = 'Could someone meet me with a wheelchair at the main entrance next week?';
const W_SUBJECT = 'Swollen ankle after the new tablets';
const W_BODY = 'Since the new tablets my left ankle is swollen in the evening.';
/** A word only the front-desk thread has. */
const A_WORD = 'wheelchair';

let a = '';
let w = '';

beforeAll(async () => {
  // Two threads of one patient: one the front desk reads, one clinical (its body withheld from the role).
  const ids = await postPatientThreads(
    e2e.portal,
    demoMrn(14),
    [
      { subject: A_SUBJECT, body: A_BODY, topic: 'scheduling' },
      { subject: W_SUBJECT, body: W_BODY, topic: 'test-results' },
    ],
    e2e.desk,
  );
  [a, w] = [ids[0]!, ids[1]!];
  expect(e2e.desk.core.store.threads.byId(w)?.poolId).toBe('results');
});

describe('a withheld thread chosen, then out of the list shown (receptionist)', () => {
  const page = () => e2e.page;
  const rows = () => page().getByRole('listbox', { name: 'Threads' }).getByRole('option');
  const row = (subject: string) => rows().filter({ hasText: subject });
  /** The triage pane's restricted view of the withheld thread: topic and subject, no body. */
  const restricted = () =>
    page()
      .getByRole('article', { name: W_SUBJECT })
      .getByText(/^Topic: /);
  const queue = (name: RegExp) =>
    page().getByRole('navigation', { name: 'Queues' }).getByRole('button', { name });
  const pool = (name: string) =>
    page()
      .getByRole('navigation', { name: 'Pools' })
      .getByRole('button', { name: new RegExp(`^${name}`) });
  /** Refused events the receptionist has on a thread's trail (this PC's log). */
  const refusedOn = (threadId: string) =>
    e2e.desk.core.store.db
      .prepare(
        `SELECT count(*) FROM audit_events WHERE entity_id = ? AND staff_id = ? AND outcome = 'failure'`,
      )
      .pluck()
      .get(threadId, 'stf-reception1') as number;
  const refusedOnW = () => refusedOn(w);
  const bodyReadsOfW = () => contentCalls.filter((c) => c.endsWith(` ${w}`));

  /** All open, every pool, newest first; the withheld thread chosen: its restricted view, no read. */
  async function chooseW(): Promise<void> {
    contentCalls.length = 0;
    await page().getByLabel('Search messages').fill('');
    await pool('Every pool').click();
    await queue(/^All open/).click();
    await row(W_SUBJECT).click();
    await restricted().waitFor();
    expect(await page().getByText(W_BODY).count()).toBe(0);
  }

  /** Whatever the list shows now, the pane keeps the thread's restricted view and nothing asked for its body. */
  async function expectNeverRead(): Promise<void> {
    // The restricted view, or what the pane shows after a refused read.
    await restricted()
      .or(page().getByText(/cannot be shown/))
      .first()
      .waitFor();
    expect({ asked: bodyReadsOfW(), refused: refusedOnW() }).toEqual({ asked: [], refused: 0 });
    expect(
      await page()
        .getByText(/cannot be shown/)
        .count(),
    ).toBe(0);
    await restricted().waitFor();
    expect(await page().getByText(W_BODY).count()).toBe(0);
  }

  beforeAll(async () => {
    await openMainView(page(), 'Inbox');
    await page().getByLabel('Sort by').selectOption('received');
  });

  it('a queue without it: the pane keeps topic and subject, and never asks for the body', async () => {
    await chooseW();
    await queue(/^Mine/).click();
    await expect.poll(() => row(W_SUBJECT).count()).toBe(0);
    await expect.poll(() => page().getByText('Loading…').count()).toBe(0);
    await expectNeverRead();
  });

  it('a pool without it', async () => {
    await chooseW();
    await pool('Front desk').click();
    await expect.poll(() => row(W_SUBJECT).count()).toBe(0);
    await row(A_SUBJECT).waitFor();
    await expectNeverRead();
  });

  it('a search that does not find it', async () => {
    await chooseW();
    await page().getByLabel('Search messages').fill(A_WORD);
    await expect.poll(() => row(W_SUBJECT).count()).toBe(0);
    await row(A_SUBJECT).waitFor();
    await expectNeverRead();
    await page().getByLabel('Search messages').fill('');
  });

  it('a change pulled that takes it out of the list (closed at another desk)', async () => {
    await chooseW();
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, w, { status: 'done' });
    expect(e2e.desk.core.store.threads.byId(w)?.status).toBe('done');
    await expect.poll(() => row(W_SUBJECT).count()).toBe(0);
    await row(A_SUBJECT).waitFor();
    await expectNeverRead();
  });

  it('a change pulled that moves it to another clinical pool, and back in the list', async () => {
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, w, { status: 'new' });
    await chooseW();
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, w, { poolId: 'clinical' });
    expect(e2e.desk.core.store.threads.byId(w)?.poolId).toBe('clinical');
    await page()
      .getByRole('article', { name: W_SUBJECT })
      .getByText(/Pool: Clinical/)
      .waitFor();
    await expectNeverRead();
  });

  it('opened from the patient panel while the list shows another pool', async () => {
    contentCalls.length = 0;
    await pool('Front desk').click();
    await row(A_SUBJECT).click();
    await page().getByText(A_BODY).waitFor();
    const patient = e2e.desk.core.store.db
      .prepare(
        'SELECT p.given_name || ? || p.family_name FROM patients p JOIN threads t ON t.patient_id = p.id WHERE t.id = ?',
      )
      .pluck()
      .get(' ', a) as string;
    await page().getByRole('article', { name: A_SUBJECT }).getByRole('button', { name: patient }).click();
    await page()
      .getByRole('button', { name: `Open thread: ${W_SUBJECT}` })
      .click();
    await expectNeverRead();
    expect(contentCalls.filter((c) => c.endsWith(` ${a}`)).length).toBeGreaterThan(0);
    expect(e2e.desk.pageErrors).toEqual([]);
  });

  it('a front-desk thread open, moved to a clinical pool at another desk: topic and subject, no refused read', async () => {
    await pool('Every pool').click();
    await queue(/^All open/).click();
    await row(A_SUBJECT).click();
    await page().getByText(A_BODY).waitFor();
    contentCalls.length = 0;
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, a, { poolId: 'clinical' });
    expect(e2e.desk.core.store.threads.byId(a)?.poolId).toBe('clinical');
    await page()
      .getByRole('article', { name: A_SUBJECT })
      .getByText(/Pool: Clinical/)
      .or(page().getByText(/cannot be shown/))
      .first()
      .waitFor();
    expect({ asked: contentCalls, refused: refusedOn(a) }).toEqual({ asked: [], refused: 0 });
    expect(await page().getByText(A_BODY).count()).toBe(0);
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
