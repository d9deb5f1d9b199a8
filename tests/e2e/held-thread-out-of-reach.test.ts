/**
 * Session 9's review leftovers of fix10 (review 10, R10-1: an open thread the pane holds stays mounted across a change
 * elsewhere that may have taken something out of reach; its check waits for the pools and a list read since).
 * 1. The guard that makes the held thread wait for the list (state/inbox.ts bodyAskable: `heldSinceReach` while the
 *    list is unread) had no test of its own: with the pools read again and the list's answer held back, a further
 *    change must not check the thread on the strength of its summary from before (its pool may have changed: a
 *    refused read recorded against the person, which the list's answer would have avoided).
 * 2. A held thread really moved out of reach and not in the list shown: its `thread.getIfChanged` is refused (and
 *    recorded: the core cannot tell); what the person sees: the thread closes with a clear message, none of its PHI is
 *    kept (body, reply draft), focus goes to the list, and the renderer does not ask for it again at every change.
 * Real Chromium through the browser host, real core, portal and store; expectations written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  aroundRouterCalls,
  changeThreadElsewhere,
  heapHolds,
  openInboxByReceived,
  pageTextAndHtml,
  postPatientThreads,
  useSignedInDesk,
} from './harness';

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Held thread desk' });

const A_SUBJECT = 'Invoice for last month';
const A_BODY = 'I was charged twice on the invoice for last month, can you check?';
const B_SUBJECT = 'Opening hours on the holiday';
const B_BODY = 'Is the clinic open on the public holiday next Monday?';
const DRAFT = 'Dear patient, Vantorelli refund on its way';

let a = '';
let b = '';
/** Thread content calls the page made (method and thread id). */
const calls: string[] = [];
/** While set, `inbox.list` answers wait for it (the test releases them). */
let listGate: Promise<void> | null = null;
let restore: () => void = () => undefined;

beforeAll(async () => {
  [a, b] = (await postPatientThreads(
    e2e.portal,
    demoMrn(19),
    [
      { subject: A_SUBJECT, body: A_BODY, topic: 'scheduling' },
      { subject: B_SUBJECT, body: B_BODY, topic: 'scheduling' },
    ],
    e2e.desk,
  )) as [string, string];
  expect(e2e.desk.core.store.threads.byId(a)?.poolId).toBe('front-desk');
  restore = aroundRouterCalls(e2e.desk, async (method, input, next) => {
    if (method.startsWith('thread.')) calls.push(`${method} ${(input as { threadId?: string }).threadId}`);
    else calls.push(method);
    if (method === 'inbox.list' && listGate) await listGate;
    return next();
  });
  await openInboxByReceived(e2e.page);
});
afterAll(() => restore());

describe('a held open thread and a change that may take it out of reach (receptionist)', () => {
  const page = () => e2e.page;
  const list = () => page().getByRole('listbox', { name: 'Threads' });
  const row = (subject: string) => list().getByRole('option').filter({ hasText: subject });
  const queue = (name: RegExp) =>
    page().getByRole('navigation', { name: 'Queues' }).getByRole('button', { name });
  const reply = () => page().getByLabel('Reply', { exact: true });
  /** Refused events of the receptionist on a thread's trail (this PC's log). */
  const refusedOn = (threadId: string) =>
    e2e.desk.core.store.db
      .prepare(
        `SELECT count(*) FROM audit_events WHERE entity_id = ? AND staff_id = ? AND outcome = 'failure'`,
      )
      .pluck()
      .get(threadId, 'stf-reception1') as number;
  const callsOn = (threadId: string) => calls.filter((c) => c.endsWith(` ${threadId}`));
  async function moveElsewhere(threadId: string, change: { poolId?: string; status?: 'new' | 'done' }) {
    await changeThreadElsewhere(e2e.portal, threadId, change);
    await e2e.desk.core.sync().syncNow();
  }
  async function openA(): Promise<void> {
    await queue(/^All open/).click();
    await row(A_SUBJECT).click();
    await page().getByText(A_BODY).waitFor();
  }

  it('waits for the list read since the change before checking the thread, even with the pools read again', async () => {
    await openA();
    calls.length = 0;
    let release: () => void = () => undefined;
    listGate = new Promise((r) => (release = r));
    try {
      // Another desk moves A to a clinical pool: an out-of-reach change; the pools are read again, the list waits.
      await moveElsewhere(a, { poolId: 'clinical' });
      await expect.poll(() => calls.filter((c) => c === 'inbox.pools').length).toBeGreaterThan(0);
      await expect.poll(() => calls.filter((c) => c === 'inbox.list').length).toBeGreaterThan(0);
      const listsAsked = calls.filter((c) => c === 'inbox.list').length;
      // A further change (no reach change: B closed at another desk) while the list's answer is still held.
      await moveElsewhere(b, { status: 'done' });
      await expect.poll(() => calls.filter((c) => c === 'inbox.list').length).toBeGreaterThan(listsAsked);
    } finally {
      listGate = null;
      release();
    }
    // The list answers: A is in a clinical pool, shown as the role sees it (topic and subject), never asked for.
    await page()
      .getByRole('article', { name: A_SUBJECT })
      .getByText(/Pool: Clinical/)
      .waitFor();
    expect({ asked: callsOn(a), refused: refusedOn(a) }).toEqual({ asked: [], refused: 0 });
    expect(await page().getByText(A_BODY).count()).toBe(0);
    expect(e2e.desk.pageErrors).toEqual([]);
  });

  it('a held thread moved out of reach and not in the list shown: closes with a clear message, keeps no PHI', async () => {
    await moveElsewhere(a, { poolId: 'front-desk' });
    await moveElsewhere(b, { status: 'new' });
    await openA();
    await reply().click();
    await page().keyboard.type(DRAFT);
    await expect.poll(() => reply().inputValue()).toBe(DRAFT);
    // Another queue, without A (a routine thread): the pane keeps A, with the reply being written.
    await queue(/^Urgent/).click();
    await expect.poll(() => row(A_SUBJECT).count()).toBe(0);
    await reply().click();
    calls.length = 0;

    await moveElsewhere(a, { poolId: 'clinical' });
    const alert = page().getByRole('region', { name: 'Open thread' }).getByRole('alert');
    await alert.getByText('This thread cannot be shown').waitFor();
    expect(await alert.innerText()).toContain('clinical pool');
    // The core refused the check (the list could not say; it is recorded, once).
    expect(callsOn(a)).toEqual([`thread.getIfChanged ${a}`]);
    expect(refusedOn(a)).toBe(1);
    const shown = await pageTextAndHtml(page());
    expect({
      body: shown.html.includes(A_BODY),
      draftShown: shown.html.includes(DRAFT),
      draftInMemory: await heapHolds(page(), DRAFT),
      focus: await page().evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null),
    }).toEqual({ body: false, draftShown: false, draftInMemory: false, focus: 'Threads' });

    // Later changes do not ask for it again (each ask would be one more refused read on her trail).
    const lists = () => calls.filter((c) => c === 'inbox.list').length;
    const listsBefore = lists();
    await moveElsewhere(b, { status: 'done' });
    await expect.poll(lists).toBeGreaterThan(listsBefore);
    const listsBetween = lists();
    await moveElsewhere(b, { status: 'new' });
    await expect.poll(lists).toBeGreaterThan(listsBetween);
    await alert.getByText('This thread cannot be shown').waitFor();
    expect({ asked: callsOn(a), refused: refusedOn(a) }).toEqual({
      asked: [`thread.getIfChanged ${a}`],
      refused: 1,
    });
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
