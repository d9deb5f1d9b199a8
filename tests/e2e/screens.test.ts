/**
 * Every screen, checked with axe-core (no serious or critical violations) and saved as a 1280×800 screenshot in
 * docs/screenshots/ (demo data only: the demo clinic's invented patients). Sign-in, inbox, thread, patient
 * panel, audit panel, account activity and the lock screen as a clinician; the schedule (day, week, booking and
 * appointment dialogs) as a receptionist; settings as an admin.
 */
import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openScheduleDay, screenshotPath, signInUi, useSignedInDesk, waitForFirstSync } from './harness';

// README screenshots show a clinic's local time (issue 13); each test signs in its own user.
const e2e = useSignedInDesk({ deviceName: 'Front desk 1', portal: { timeZone: 'America/New_York' } });

/** axe-core on the page as it is: no serious or critical violation (the rest are printed for the record). */
async function checkA11y(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.filter((v) => !blocking.includes(v));
  if (minor.length)
    console.log(`${screen}: minor axe findings: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  expect(
    blocking.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    })),
    `axe on ${screen}`,
  ).toEqual([]);
}

async function shoot(page: Page, name: string): Promise<void> {
  // Let focus rings and transitions settle, and keep the mouse out of the way (no hover states).
  await page.mouse.move(1279, 799);
  await page.screenshot({ path: screenshotPath(name) });
}

const main = (page: Page) => page.getByRole('navigation', { name: 'Main' });

describe('screens: accessibility and screenshots', () => {
  it('sign-in', async () => {
    const page = e2e.page;
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await checkA11y(page, 'sign-in');
    await shoot(page, 'sign-in');
    // A wrong code shows a clear error (and is still accessible).
    await page.getByLabel('Username').fill('clinician1');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByLabel('6-digit code').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong username, password or code.').waitFor();
    await checkA11y(page, 'sign-in with error');
  });

  it('the accessibility check can fail (an unlabelled field is caught)', async () => {
    const page = e2e.page;
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.id = 'axe-canary';
      document.querySelector('main')!.append(input);
    });
    const { violations } = await new AxeBuilder({ page }).include('#axe-canary').analyze();
    expect(violations.map((v) => [v.id, v.impact])).toContainEqual(['label', 'critical']);
    await page.evaluate(() => document.getElementById('axe-canary')?.remove());
  });

  it('inbox and an open thread (clinician)', async () => {
    const page = e2e.page;
    await signInUi(page, e2e.portal, 'clinician1');
    await waitForFirstSync(page);
    const rows = page.getByRole('listbox', { name: 'Threads' }).getByRole('option');
    await rows.nth(5).waitFor();
    await checkA11y(page, 'inbox');
    await shoot(page, 'inbox');
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    await rows.nth(1).click();
    await page.getByRole('article').locator('.message-body').first().waitFor();
    await page.getByRole('listbox', { name: 'Threads' }).focus();
    await checkA11y(page, 'thread');
    await shoot(page, 'thread');
  });

  it('the thread list is virtualized: few rows in the DOM, pages fetched as it scrolls', async () => {
    const page = e2e.page;
    const list = page.getByRole('listbox', { name: 'Threads' });
    const total = Number(((await page.locator('.list-summary').textContent()) ?? '').replace(/\D/g, ''));
    expect(total).toBeGreaterThan(300);
    const rendered = await list.getByRole('option').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    expect(await list.getByRole('option').first().getAttribute('aria-setsize')).toBe(String(total));
    // Jump to the end: the last page (offset ≥ 300) is fetched and its last row shows a patient.
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = list.locator(`[aria-posinset="${total}"]`);
    await last.locator('.trow-patient').waitFor();
    expect(await list.getByRole('option').count()).toBeLessThan(40);
    await list.evaluate((el) => (el.scrollTop = 0));
  });

  it('patient panel and audit panel', async () => {
    const page = e2e.page;
    const thread = page.getByRole('article');
    const patient = (await thread.locator('.thread-patient .link-button').textContent())!;
    await thread.locator('.thread-patient .link-button').click();
    const panel = page.getByRole('dialog', { name: patient });
    await panel.getByText('Upcoming appointments').waitFor();
    await checkA11y(page, 'patient panel');
    await shoot(page, 'patient');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    await thread.getByRole('button', { name: 'Audit trail' }).click();
    const audit = page.getByRole('dialog', { name: 'Audit trail · Thread' });
    await audit.getByRole('table').waitFor();
    await audit.getByRole('button', { name: 'Verify audit log' }).click();
    await audit.getByText(/^Audit log intact: [\d,]+ events verified on this PC\.$/).waitFor();
    const download = page.waitForEvent('download');
    await audit.getByRole('button', { name: 'Export (FHIR)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^audit-thread-.+\.json$/);
    const bundle = JSON.parse(fs.readFileSync(await file.path(), 'utf8')) as {
      resourceType: string;
      entry?: { resource: { resourceType: string } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry?.every((e) => e.resource.resourceType === 'AuditEvent')).toBe(true);
    await checkA11y(page, 'audit panel');
    await shoot(page, 'audit');
    await page.keyboard.press('Escape');
  });

  it('account activity and the keyboard shortcuts', async () => {
    const page = e2e.page;
    await main(page).getByRole('button', { name: 'Account activity' }).click();
    await page.getByRole('table').getByText('Signed in').first().waitFor();
    await checkA11y(page, 'account activity');
    await shoot(page, 'account-activity');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await checkA11y(page, 'shortcuts');
    await page.keyboard.press('Escape');
  });

  // session 4, 14c: the Coverage view (issue 14 §3), as a clinician sees it
  it('coverage (clinician)', async () => {
    const page = e2e.page;
    await main(page).getByRole('button', { name: 'Coverage' }).click();
    await page.getByRole('form', { name: 'Mark an absence' }).getByLabel('Covering colleague').waitFor();
    await checkA11y(page, 'coverage');
  });

  it('lock screen', async () => {
    const page = e2e.page;
    await main(page)
      .getByRole('button', { name: /^Inbox/ })
      .click();
    await page.getByRole('banner').getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    await checkA11y(page, 'lock screen');
    await shoot(page, 'lock');
  });

  it('schedule day and week, booking and appointment dialogs (receptionist)', async () => {
    const page = e2e.page;
    await page.getByRole('button', { name: 'Switch user' }).click();
    await signInUi(page, e2e.portal, 'reception1');
    await waitForFirstSync(page);
    await openScheduleDay(page);
    await page.locator('button.appt').first().waitFor();
    await page.getByRole('heading', { level: 2, name: /November 2026/ }).click();
    await checkA11y(page, 'schedule day');
    await shoot(page, 'schedule-day');

    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByLabel('Provider').selectOption({ label: 'Dr. Lukas Brenner' });
    await page.getByRole('heading', { level: 2, name: /Week of .* Dr\. Lukas Brenner/ }).waitFor();
    await page.locator('button.appt').first().waitFor();
    await checkA11y(page, 'schedule week');
    await shoot(page, 'schedule-week');

    await page
      .getByRole('button', { name: /^\d\d:\d\d Free: book with/ })
      .first()
      .click();
    const book = page.getByRole('dialog', { name: 'Book appointment' });
    await book.getByLabel('Find patient (name or MRN)').fill('MRN00000');
    await book.getByRole('radio').nth(2).waitFor();
    await checkA11y(page, 'book dialog');
    await shoot(page, 'book');
    await book.getByRole('button', { name: 'Cancel', exact: true }).click();
    await book.waitFor({ state: 'detached' });

    await page.locator('button.appt').first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Audit trail' }).waitFor();
    await checkA11y(page, 'appointment dialog');
    await shoot(page, 'appointment');
    await page.keyboard.press('Escape');
  });

  it('settings (admin)', async () => {
    const page = e2e.page;
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await signInUi(page, e2e.portal, 'admin1');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await expect.poll(() => page.getByLabel('Portal server address').inputValue()).toBe(e2e.portal.url);
    await checkA11y(page, 'settings');
    await shoot(page, 'settings');
  });

  // session 4, 13c: the admins' availability screen and the next-free-slot finder (issue 13 §3, §5)
  it('availability (admin) and the next-free-slot finder', async () => {
    const page = e2e.page;
    await main(page).getByRole('button', { name: 'Availability' }).click();
    await page.getByLabel('Provider').selectOption({ label: 'Grace Lindqvist, NP' });
    const template = page.getByRole('form', { name: 'Weekly template of Grace Lindqvist, NP' });
    await expect.poll(() => template.getByLabel('Monday lunch from').inputValue()).toBe('12:00');
    await checkA11y(page, 'availability');
    await shoot(page, 'availability');

    await openScheduleDay(page);
    await page.getByRole('button', { name: 'Find next free slot' }).click();
    const finder = page.getByRole('dialog', { name: 'Find next free slot' });
    await finder.getByRole('button', { name: 'Search' }).click();
    await finder
      .getByRole('button', { name: /^Book / })
      .first()
      .waitFor();
    await checkA11y(page, 'next free slot');
    await shoot(page, 'next-free-slot');
    await page.keyboard.press('Escape');
    await finder.waitFor({ state: 'detached' });
  });

  it('sign-in throttling says how long to wait', async () => {
    const page = e2e.page;
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    const attempt = async () => {
      await page.getByLabel('Username').fill('clinician2');
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      await page.getByLabel('6-digit code').fill('000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    for (let i = 0; i < 3; i++) {
      await attempt();
      await page.getByRole('alert').getByText('Wrong username, password or code.').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    }
    await attempt();
    await page
      .getByRole('alert')
      .getByText(/^Too many failed attempts\. Try again in \d+ s\.$/)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    await checkA11y(page, 'sign-in throttled');
  });

  it('raised no error in the page (no uncaught exception, no console error, no CSP violation)', () => {
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
