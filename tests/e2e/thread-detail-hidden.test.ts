/**
 * Review 9, suspicion 3 (s8ui, PHI): the open thread's detail must not outlive the pane that showed it. Choosing a
 * thread whose body is withheld (the restricted view) or going to another view hid the thread pane but kept the
 * previous thread's detail; a data change meanwhile (the thread moved to a clinical pool: a receptionist may no
 * longer read it) never cleared it. The next open whose read took over 30 ms then showed that thread dimmed as
 * "previous", and coming back to the inbox showed it in full until its refresh was refused. A receptionist in
 * Chromium through the browser host and the real core; controls by role and label; the core's answers to thread
 * reads are held back (a slow disk) by wrapping the router, as thread-open-previous.test.ts does.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { holdRouterAnswers, openMainView, patientRequest, patientSignIn, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'reception1' });

/** From now on, note in the page whether `text` is ever in the document (checked at every DOM change). */
function watchFor(page: Page, text: string): Promise<void> {
  return page.evaluate((t) => {
    const w = window as unknown as { __seen: boolean; __watch?: MutationObserver };
    w.__watch?.disconnect();
    w.__seen = document.body.textContent?.includes(t) ?? false;
    w.__watch = new MutationObserver(() => {
      if (document.body.textContent?.includes(t)) w.__seen = true;
    });
    w.__watch.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, text);
}
const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: boolean }).__seen);

/** Move a thread to the Results pool (clinical) through the core, as the signed-in receptionist. */
async function moveToClinicalPool(threadId: string): Promise<void> {
  const caller = { origin: new URL(e2e.desk.host.url).origin, isMainFrame: true };
  const moved = await e2e.desk.core.router.call('thread.route', { threadId, poolId: 'results' }, caller);
  expect(moved.ok).toBe(true);
}

const A_SUBJECT = 'Parking at the new building';
const A_BODY = 'Is there parking for patients at the new building on Elm street, or should I take the bus?';
const B_SUBJECT = 'Invoice for my last visit';
const W_SUBJECT = 'My blood test results';
let seeded: { subject: string; id: string }[] = [];

beforeAll(async () => {
  // Three threads of a patient, newest first in the list: two the front desk reads, one clinical.
  const token = await patientSignIn(e2e.portal, demoMrn(9));
  const post = (subject: string, body: string, topic: string) =>
    patientRequest<{ thread: { id: string } }>(e2e.portal, token, 'POST', '/portal/threads', {
      subject,
      body,
      topic,
    });
  seeded = [
    { subject: A_SUBJECT, id: (await post(A_SUBJECT, A_BODY, 'scheduling')).thread.id },
    {
      subject: B_SUBJECT,
      id: (await post(B_SUBJECT, 'Could you send the invoice for my visit again?', 'billing-admin')).thread
        .id,
    },
    {
      subject: W_SUBJECT,
      id: (await post(W_SUBJECT, 'My potassium was 6.1, what should I do?', 'test-results')).thread.id,
    },
  ];
  await e2e.desk.core.sync().syncNow();
});

describe('the thread pane forgets a thread it no longer shows (review 9, suspicion 3)', () => {
  const page = () => e2e.page;
  const rows = () => page().getByRole('listbox', { name: 'Threads' }).getByRole('option');
  const heading = (subject: string) =>
    page().getByRole('article').getByRole('heading', { level: 2, name: subject });
  /** The first message's text of the open thread. */
  const firstBody = () =>
    page().getByRole('list', { name: 'Messages' }).getByRole('listitem').first().locator('p').innerText();

  it('after a withheld thread was chosen, the next slow open never shows the thread left, now withheld', async () => {
    // A receptionist's console never fetches bodies withheld from its role: nothing to settle after sign-in.
    await openMainView(page(), 'Inbox');
    await page().getByLabel('Sort by').selectOption('received');
    await page()
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    const a = seeded.find((t) => t.subject === A_SUBJECT)!;
    const b = seeded.find((t) => t.subject === B_SUBJECT)!;
    const w = seeded.find((t) => t.subject === W_SUBJECT)!;
    const row = (t: { subject: string }) => rows().filter({ hasText: t.subject });
    await row(w).waitFor();

    await row(a).click();
    await heading(a.subject).waitFor();
    const body = await firstBody();
    expect(body).toBe(A_BODY);
    // A thread whose body is withheld from a receptionist: topic and subject only.
    await row(w).click();
    await page()
      .getByRole('article', { name: w.subject })
      .getByText(/^Topic: /)
      .waitFor();
    expect(await page().getByText(body).count()).toBe(0);
    // Meanwhile the thread left moves to a clinical pool: the receptionist may no longer read it.
    await moveToClinicalPool(a.id);
    await watchFor(page(), body);

    const hold = holdRouterAnswers(e2e.desk, 'thread.get');
    try {
      await row(b).click();
      await expect.poll(() => hold.inputs.length).toBeGreaterThan(0);
      await expect.poll(() => row(b).getAttribute('aria-selected')).toBe('true');
      await page().getByText('Loading thread…').waitFor();
      hold.release();
      await heading(b.subject).waitFor();
    } finally {
      hold.release();
      hold.restore();
    }
    expect(await seen(page())).toBe(false);
  });
  it('back from another view, a thread moved out of reach meanwhile is not shown while it is read again', async () => {
    // The thread open now (readable), then another view; it moves to a clinical pool while the inbox is not shown.
    const subject = await page().getByRole('article').getByRole('heading', { level: 2 }).innerText();
    const body = await firstBody();
    const ids = e2e.desk.core.store.db
      .prepare('SELECT id FROM threads WHERE subject = ?')
      .pluck()
      .all(subject) as string[];
    expect(ids).toHaveLength(1);
    await openMainView(page(), 'Schedule');
    await page().getByRole('navigation', { name: 'Queues' }).waitFor({ state: 'detached' });
    await moveToClinicalPool(ids[0]!);
    await watchFor(page(), body);
    expect(await seen(page())).toBe(false);

    const hold = holdRouterAnswers(e2e.desk, ['thread.get', 'thread.getIfChanged']);
    try {
      await openMainView(page(), 'Inbox');
      await page().getByRole('navigation', { name: 'Queues' }).waitFor();
      // The list read again shows the thread moved: topic and subject only.
      await page()
        .getByRole('article', { name: subject })
        .getByText(/^Topic: /)
        .waitFor();
    } finally {
      hold.release();
      hold.restore();
    }
    await page()
      .getByRole('article', { name: subject })
      .getByText(/^Topic: /)
      .waitFor();
    expect(await seen(page())).toBe(false);
  });
});
