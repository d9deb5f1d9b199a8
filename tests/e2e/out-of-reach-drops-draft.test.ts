/**
 * Session 9's review leftover (s9sec), DESIGN §2 threat 2 (insiders) and §6 (roles): a reply draft is PHI (what a
 * person writes to a patient about them). When its thread leaves the person's reach (another desk moves it to a
 * clinical pool while a receptionist works; emergency access ends), the thread pane let go of the thread's detail,
 * but the draft stayed in the renderer's memory until the console locked, and came back in the reply box when the
 * thread was readable again. Now the renderer drops a thread's draft once it knows the thread is out of reach: its
 * restricted view shown, a list read showing it withheld, or a read of it refused.
 * Real Chromium through the browser host, real core, portal and store; expectations written by hand; the renderer's
 * memory searched through a heap snapshot (harness heapHolds).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  changeThreadElsewhere,
  heapHolds,
  openInboxByReceived,
  pageTextAndHtml,
  postPatientThreads,
  useSignedInDesk,
} from './harness';

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Draft out of reach desk' });

const A_SUBJECT = 'Letter for my employer';
const A_BODY = 'Could the clinic write a letter for my employer about my visits?';
const B_SUBJECT = 'Bus route to the clinic';
const B_BODY = 'Which bus stops nearest to the clinic entrance?';
/** Drafts with words found nowhere else (so a heap search finds only the draft). */
const DRAFT_A = 'Dear patient, Quorvenstrand letter attached';
const DRAFT_B = 'Dear patient, Pellimaxture bus timetable attached';

let a = '';
let b = '';

beforeAll(async () => {
  [a, b] = (await postPatientThreads(
    e2e.portal,
    demoMrn(18),
    [
      { subject: A_SUBJECT, body: A_BODY, topic: 'scheduling' },
      { subject: B_SUBJECT, body: B_BODY, topic: 'scheduling' },
    ],
    e2e.desk,
  )) as [string, string];
  expect(e2e.desk.core.store.threads.byId(a)?.poolId).toBe('front-desk');
  await openInboxByReceived(e2e.page);
});

describe('a reply draft for a thread moved out of reach (receptionist)', () => {
  const page = () => e2e.page;
  const row = (subject: string) =>
    page().getByRole('listbox', { name: 'Threads' }).getByRole('option').filter({ hasText: subject });
  const reply = () => page().getByLabel('Reply', { exact: true });
  const allOpen = () =>
    page()
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();

  async function open(subject: string, body: string): Promise<void> {
    await row(subject).click();
    await page().getByText(body).waitFor();
  }
  async function typeDraft(text: string): Promise<void> {
    await reply().click();
    await page().keyboard.type(text);
    await expect.poll(() => reply().inputValue()).toBe(text);
  }
  /** Another desk moves the thread; this desk pulls it. */
  async function moveElsewhere(threadId: string, poolId: string): Promise<void> {
    await changeThreadElsewhere(e2e.portal, threadId, { poolId });
    await e2e.desk.core.sync().syncNow();
    expect(e2e.desk.core.store.threads.byId(threadId)?.poolId).toBe(poolId);
  }

  it('the open thread moved to a clinical pool: its draft leaves the screen and the memory', async () => {
    await allOpen();
    await open(A_SUBJECT, A_BODY);
    await typeDraft(DRAFT_A);

    await moveElsewhere(a, 'clinical');
    await page()
      .getByRole('article', { name: A_SUBJECT })
      .getByText(/Pool: Clinical/)
      .waitFor();
    // Keyboard-first (DESIGN §8): focus went from the reply box to the thread list, not to the page.
    await expect
      .poll(() => page().evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null))
      .toBe('Threads');
    const shown = await pageTextAndHtml(page());
    expect({
      body: shown.text.includes(A_BODY) || shown.html.includes(A_BODY),
      draftShown: shown.text.includes(DRAFT_A) || shown.html.includes(DRAFT_A),
      draftInMemory: await heapHolds(page(), DRAFT_A),
    }).toEqual({ body: false, draftShown: false, draftInMemory: false });

    // Moved back: readable again, and the reply box is empty (the draft was not kept for it).
    await moveElsewhere(a, 'front-desk');
    await open(A_SUBJECT, A_BODY);
    expect(await reply().inputValue()).toBe('');
    expect(e2e.desk.pageErrors).toEqual([]);
  });

  it('a draft of a thread not open, moved to a clinical pool: dropped once a list shows it withheld', async () => {
    await allOpen();
    await open(B_SUBJECT, B_BODY);
    await typeDraft(DRAFT_B);
    // Another thread opened: B's draft is kept for when she comes back (not on screen).
    await open(A_SUBJECT, A_BODY);
    await open(B_SUBJECT, B_BODY);
    expect(await reply().inputValue()).toBe(DRAFT_B);
    await open(A_SUBJECT, A_BODY);

    await moveElsewhere(b, 'clinical');
    // The list read since the change shows B as the role sees it: withheld.
    await expect
      .poll(async () => (await row(B_SUBJECT).count()) > 0 && (await page().getByText(A_BODY).count()) > 0)
      .toBe(true);
    await expect.poll(() => heapHolds(page(), DRAFT_B), { timeout: 10_000 }).toBe(false);

    await moveElsewhere(b, 'front-desk');
    await open(B_SUBJECT, B_BODY);
    expect(await reply().inputValue()).toBe('');
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
