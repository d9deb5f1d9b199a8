/**
 * Review 10, R10-1 (s9sec): a change elsewhere in the clinic that "may take something out of reach" (OUT_OF_REACH:
 * another desk moves ANOTHER thread to or from a clinical pool; also any deletion, eviction, message edit, pool or
 * role change) made a receptionist's open front-desk thread — one she may read, untouched by the change — leave the
 * screen: the pages and the chosen summary were dropped and the pools unchecked, so TriagePane replaced the thread
 * pane (with the reply box) by "Loading thread…", forgot the detail, and mounted it anew when the pools and list
 * were read again, reading the thread again with a full, audited `thread.get` (a read nobody made). Focus fell to
 * the page and the next keys she typed were inbox shortcuts (`d` marked the thread done, `c` claimed it). A patient's
 * new clinical message (its bodies withheld from the role: a new `withheld_threads` row) was marked so too.
 * Now the held thread stays mounted, its refresh waits for the pools and a list read since the change, and the core
 * decides with `thread.getIfChanged`; a thread new to the PC withheld from its first pull is no reach change.
 * Real Chromium through the browser host, real core, portal and store; expectations written by hand.
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

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Reach change desk' });
/** The page's thread.* calls, by method and thread id. */
const calls = recordRouterCalls(e2e, (method, input) =>
  method.startsWith('thread.')
    ? `${method} ${(input as { threadId?: string } | undefined)?.threadId ?? ''}`
    : undefined,
);

const A_SUBJECT = 'Parking permit for my visit';
const A_BODY = 'Can I get a parking permit for my visit on Thursday?';
const B_SUBJECT = 'Question about my new address';
const B_BODY = 'I moved last month; please update my address.';

let a = '';
let b = '';

beforeAll(async () => {
  const ids = await postPatientThreads(
    e2e.portal,
    demoMrn(15),
    [
      { subject: A_SUBJECT, body: A_BODY, topic: 'scheduling' },
      { subject: B_SUBJECT, body: B_BODY, topic: 'scheduling' },
    ],
    e2e.desk,
  );
  [a, b] = [ids[0]!, ids[1]!];
  expect(e2e.desk.core.store.threads.byId(a)?.poolId).toBe('front-desk');
});

/** The open thread A was checked (getIfChanged) or read again, and the pane is not "Loading thread…". */
async function expectAChecked(): Promise<void> {
  await expect.poll(() => calls.some((c) => c.endsWith(` ${a}`))).toBe(true);
  await expect.poll(() => e2e.page.getByText('Loading thread…').count()).toBe(0);
}

/** A, not in the list shown, keeps its pane: its body, and no "not in the list shown". */
async function expectAKeptOutsideList(): Promise<void> {
  await expect
    .poll(
      async () => ({
        body: await e2e.page.getByText(A_BODY).count(),
        gone: await e2e.page.getByText('This thread is not in the list shown').count(),
      }),
      { timeout: 5000 },
    )
    .toEqual({ body: 1, gone: 0 });
}

/** Successful reads of a thread recorded in this PC's log. */
const readsOf = (threadId: string): number =>
  e2e.desk.core.store.db
    .prepare(
      `SELECT count(*) FROM audit_events WHERE entity_type = 'thread' AND entity_id = ? AND action = 'read'
         AND outcome = 'success'`,
    )
    .pluck()
    .get(threadId) as number;

describe('a change to another thread that may take something out of reach (receptionist, review 10 R10-1)', () => {
  it('leaves the open front-desk thread, its reply box and its focus alone, and reads it no more', async () => {
    const page = e2e.page;
    await openMainView(page, 'Inbox');
    await page.getByLabel('Sort by').selectOption('received');
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    const list = page.getByRole('listbox', { name: 'Threads' });
    await list.getByRole('option').filter({ hasText: A_SUBJECT }).click();
    await page.getByText(A_BODY).waitFor();
    const reply = page.getByLabel('Reply', { exact: true });
    await reply.click();
    await page.keyboard.type('Yes, you can');
    await expect.poll(() => reply.inputValue()).toBe('Yes, you can');
    const readsBefore = readsOf(a);
    calls.length = 0;

    // Another desk moves thread B (not the one open) to a clinical pool; this desk pulls it.
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, b, { poolId: 'clinical' });
    expect(e2e.desk.core.store.threads.byId(b)?.poolId).toBe('clinical');

    // The pane has taken the change in: the open thread was checked (getIfChanged) or read again.
    await expectAChecked();
    await page.getByText(A_BODY).waitFor();

    // She keeps typing the reply she was writing.
    await page.keyboard.type(' d');
    const after = {
      focusInReply: await page.evaluate(() => document.activeElement?.id === 'reply-body'),
      fullReadsOfA: calls.filter((c) => c === `thread.get ${a}`).length,
      newReadEventsOnA: readsOf(a) - readsBefore,
      status: e2e.desk.core.store.threads.byId(a)?.status,
    };
    expect(after).toEqual({ focusInReply: true, fullReadsOfA: 0, newReadEventsOnA: 0, status: 'new' });
    expect(e2e.desk.pageErrors).toEqual([]);
  });

  it('is not torn down when a patient posts a new clinical message (its body withheld from the role)', async () => {
    const page = e2e.page;
    const list = page.getByRole('listbox', { name: 'Threads' });
    // Thread A again (the first test may have closed it): open, with a reply being typed.
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, a, { status: 'new' });
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    await list.getByRole('option').filter({ hasText: A_SUBJECT }).click();
    await page.getByText(A_BODY).waitFor();
    const reply = page.getByLabel('Reply', { exact: true });
    await reply.fill('');
    await reply.click();
    await page.keyboard.type('See you');
    await expect.poll(() => reply.inputValue()).toBe('See you');
    const readsBefore = readsOf(a);
    calls.length = 0;

    // The most common event of a front desk's day: a patient writes about something clinical.
    const [posted] = await postPatientThreads(e2e.portal, demoMrn(16), [
      {
        subject: 'Results of my blood test',
        body: 'Are my blood test results in yet?',
        topic: 'test-results',
      },
    ]);
    await e2e.desk.core.sync().syncNow();
    // What marks this pull OUT_OF_REACH: its bodies are withheld from the role (a new row of withheld_threads).
    expect(
      e2e.desk.core.store.db
        .prepare('SELECT count(*) FROM withheld_threads WHERE thread_id = ?')
        .pluck()
        .get(posted),
    ).toBe(1);
    await list.getByRole('option').filter({ hasText: 'Results of my blood test' }).waitFor();
    await expectAChecked();
    await page.getByText(A_BODY).waitFor();

    await page.keyboard.type(' c');
    expect({
      focusInReply: await page.evaluate(() => document.activeElement?.id === 'reply-body'),
      fullReadsOfA: calls.filter((c) => c === `thread.get ${a}`).length,
      newReadEventsOnA: readsOf(a) - readsBefore,
    }).toEqual({ focusInReply: true, fullReadsOfA: 0, newReadEventsOnA: 0 });
  });

  it('keeps an open thread that is not in the list shown (another queue) through such a change', async () => {
    const page = e2e.page;
    const list = page.getByRole('listbox', { name: 'Threads' });
    const queue = (name: RegExp) =>
      page.getByRole('navigation', { name: 'Queues' }).getByRole('button', { name });
    await queue(/^All open/).click();
    await list.getByRole('option').filter({ hasText: A_SUBJECT }).click();
    await page.getByText(A_BODY).waitFor();
    // Another queue, without A (a routine thread): the pane keeps showing A.
    await queue(/^Urgent/).click();
    await expect.poll(() => list.getByRole('option').filter({ hasText: A_SUBJECT }).count()).toBe(0);
    await page.getByText(A_BODY).waitFor();

    await postPatientThreads(e2e.portal, demoMrn(17), [
      {
        subject: 'My prescription ran out',
        body: 'Can the doctor renew my prescription?',
        topic: 'test-results',
      },
    ]);
    await e2e.desk.core.sync().syncNow();
    await expect.poll(() => page.getByText('Loading thread…').count()).toBe(0);
    await expectAKeptOutsideList();
  });

  it('keeps an open thread that is not in the list shown through a real out-of-reach change elsewhere', async () => {
    const page = e2e.page;
    // A is open and not in the Urgent list shown (the previous case). Another desk moves B back to the front desk:
    // a pool move, marked OUT_OF_REACH.
    await page.getByText(A_BODY).waitFor();
    const readsBefore = readsOf(a);
    calls.length = 0;
    await pullThreadChangeElsewhere(e2e.portal, e2e.desk, b, { poolId: 'front-desk' });
    expect(e2e.desk.core.store.threads.byId(b)?.poolId).toBe('front-desk');
    await expectAChecked();
    await expectAKeptOutsideList();
    expect({
      fullReadsOfA: calls.filter((c) => c === `thread.get ${a}`).length,
      newReadEventsOnA: readsOf(a) - readsBefore,
    }).toEqual({ fullReadsOfA: 0, newReadEventsOnA: 0 });
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
