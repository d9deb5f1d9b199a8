/**
 * Issue 14a in Chromium, by role and label: a nurse works the urgent queue in priority order with the keyboard
 * (STAT, then overdue, then ASAP, then urgent; an overdue routine thread escalates into it); a receptionist
 * re-routes a clinical thread seeing only its topic and subject; emergency access with a reason, its expiry on
 * the injected clock, and the admin's break-glass report.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { type E2EConsole, patientRequest, patientSignIn, signInUi, useSignedInDesk } from './harness';

let desk: E2EConsole;
const nurse = useSignedInDesk({ user: 'clinician1', deviceName: 'Triage room', hookTimeoutMs: 180_000 });

const threads = (page: Page) => page.getByRole('listbox', { name: 'Threads' });

/** Rank of a row by its accessible label: STAT 0, overdue 1, ASAP 2, Urgent 3, other 4. */
function rank(label: string): number {
  const parts = label.split(', ');
  if (parts.includes('STAT')) return 0;
  if (parts.includes('overdue')) return 1;
  if (parts.includes('ASAP')) return 2;
  if (parts.includes('Urgent')) return 3;
  return 4;
}

describe('a nurse works the urgent queue', () => {
  it('lists STAT, then overdue, then ASAP, then urgent (the reproduction: it was in recency order)', async () => {
    const page = nurse.page;
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Urgent/ })
      .click();
    const list = threads(page);
    await list.getByRole('option').first().waitFor();
    expect(await page.getByLabel('Sort by').inputValue()).toBe('priority');
    const labels = await list
      .getByRole('option')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const ranks = labels.filter((l) => !l.endsWith('loading')).map(rank);
    expect(ranks.length).toBeGreaterThan(5);
    expect(ranks[0]).toBe(0);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    // The same queue sorted as it used to be (newest first) mixes the priorities: the order above is the sort's.
    await page.getByLabel('Sort by').selectOption('received');
    await expect
      .poll(async () => {
        const byTime = (
          await list
            .getByRole('option')
            .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))
        )
          .filter((l) => !l.endsWith('loading'))
          .map(rank);
        return byTime.length > 5 && new Set(byTime).size > 1;
      })
      .toBe(true);
    await page.getByLabel('Sort by').selectOption('priority');
  });

  it('opens the first and the next thread with the keyboard (Enter, j)', async () => {
    const page = nurse.page;
    const list = threads(page);
    await list.focus();
    await page.keyboard.press('Enter');
    const first = page.getByRole('article');
    await expect.poll(() => first.getByLabel('Priority').inputValue()).toBe('stat');
    await list.focus();
    await page.keyboard.press('j');
    await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('thread-row-1');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('article').getByLabel('Priority').inputValue())
      .toMatch(/stat|urgent|asap|routine/);
  });

  it('an overdue routine thread escalates into the urgent queue with its badge', async () => {
    const page = nurse.page;
    const token = await patientSignIn(nurse.portal, demoMrn(7));
    const subject = 'Question about my new inhaler';
    await patientRequest(nurse.portal, token, 'POST', '/portal/threads', {
      subject,
      body: 'Should I rinse my mouth after using the new inhaler?',
      topic: 'clinical-question',
    });
    await page.getByLabel('Sort by').selectOption('received');
    const list = threads(page);
    // Routine and not yet due: not in the urgent queue.
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    await list.getByRole('option', { name: new RegExp(subject) }).waitFor();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Urgent/ })
      .click();
    await list.getByRole('option').first().waitFor();
    expect(await list.getByRole('option', { name: new RegExp(subject) }).count()).toBe(0);
    // Two days later (the routine SLA is 48 hours; the console's injected clock, no sleep).
    nurse.portal.clock.advance(48 * 3600_000 + 60_000);
    nurse.desk.idle.touch();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Urgent/ })
      .click();
    const row = list.getByRole('option', { name: new RegExp(subject) });
    await row.waitFor();
    expect(await row.getAttribute('aria-label')).toContain('overdue');
    await expect.poll(() => row.getByText('Overdue', { exact: true }).count()).toBe(1);
  });

  it('offers only clinicians to assign a thread of a clinical pool to (review 6 D9)', async () => {
    const page = nurse.page;
    await page
      .getByRole('navigation', { name: 'Pools' })
      .getByRole('button', { name: /^Refills/ })
      .click();
    await threads(page).getByRole('option').first().click();
    const assign = page.getByRole('article').getByLabel('Assign to');
    await expect.poll(() => assign.locator('option').allTextContents()).toContain('Dr. Lukas Brenner');
    const offered = await assign.locator('option').allTextContents();
    expect(offered).not.toContain('Rita Reyes');
    expect(offered).not.toContain('Tom Becker');
  });
});

describe('a receptionist and a clinical thread', () => {
  const SUBJECT = 'Test results from the lab';
  const BODY = 'My potassium came back at 6.1, the letter says to contact you. What should I do?';
  let threadId = '';

  beforeAll(async () => {
    const token = await patientSignIn(nurse.portal, demoMrn(8));
    // Mis-filed by the patient under prescription refill.
    const created = await patientRequest<{ thread: { id: string } }>(
      nurse.portal,
      token,
      'POST',
      '/portal/threads',
      {
        subject: SUBJECT,
        body: BODY,
        topic: 'prescription-refill',
      },
    );
    threadId = created.thread.id;
    desk = await nurse.openDesk({ user: 'reception1', deviceName: 'Front desk' });
    await desk.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Inbox' }).click();
  }, 180_000);

  it('sees topic and subject only, and re-routes it to the Results pool', async () => {
    const page = desk.page;
    await page.getByLabel('Sort by').selectOption('received');
    await page
      .getByRole('navigation', { name: 'Pools' })
      .getByRole('button', { name: /^Refills/ })
      .click();
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .click();
    const article = page.getByRole('article', { name: SUBJECT });
    await article.getByText('Topic: Prescription refill').waitFor();
    expect(await page.getByText(BODY).count()).toBe(0);
    expect(await page.content()).not.toContain('potassium');
    await article.getByLabel('Move to pool').selectOption({ label: 'Results' });
    await article.getByRole('button', { name: 'Move thread' }).click();
    await page
      .getByRole('navigation', { name: 'Pools' })
      .getByRole('button', { name: /^Results/ })
      .click();
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .waitFor();
    expect(desk.core.store.threads.byId(threadId)?.poolId).toBe('results');
    expect(await page.content()).not.toContain('potassium');
  });

  it('opens it with emergency access and a reason; the access ends after 60 minutes', async () => {
    const page = desk.page;
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .click();
    const article = page.getByRole('article', { name: SUBJECT });
    await article.getByRole('button', { name: 'Emergency access…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emergency access' });
    await dialog.getByRole('button', { name: 'Open record' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/State the reason/)
      .waitFor();
    await dialog
      .getByLabel('Reason (required)')
      .fill('Patient on the phone with chest pain, asks about her result');
    await dialog.getByRole('button', { name: 'Open record' }).click();
    await page.getByText(BODY).waitFor();
    // 61 minutes later, on the console's injected clock: the record closes again.
    nurse.portal.clock.advance(61 * 60_000);
    desk.idle.touch();
    // Another thread, then back to this one: it is read again, and refused.
    await threads(page).getByRole('option').nth(1).click();
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .click();
    await page.getByRole('article', { name: SUBJECT }).getByText('Topic: Prescription refill').waitFor();
    expect(await page.getByText(BODY).count()).toBe(0);
  });

  it('is in the admin’s break-glass report, with its reason, and is acknowledged there', async () => {
    const page = desk.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInUi(page, nurse.portal, 'admin1');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Emergency access' })
      .click();
    const report = page.getByRole('table');
    const row = report.getByRole('row', { name: /chest pain/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Rita Reyes');
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByText(/^Acknowledged /).waitFor();
  });
});
