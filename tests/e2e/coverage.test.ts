/**
 * Session 4, 14c (issue 14 §3-§5) in Chromium, by role and label:
 * - coverage: a clinician marks an absence with a covering colleague; the colleague signs in and finds the
 *   clinician's thread in "Mine"; once the shared clock passes the end of the absence the thread is back in the
 *   clinician's "Mine" (the server hands over and back; the consoles see it by sync);
 * - an admin sets the clinic's emergency-access time (15 minutes) and creates a Front desk pool template; a
 *   receptionist inserts that template into a reply (fields filled), and an emergency access they open lasts
 *   15 minutes on the injected clock.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  patientRequest,
  patientSignIn,
  signInUi,
  syncBar,
  useSignedInDesk,
  waitForFirstSync,
} from './harness';

// One PC, left on its sign-in screen: each test signs in the person it is about.
const e2e = useSignedInDesk({ deviceName: 'Clinic room 2' });

/** A main view by its button (the Inbox button's name also carries its unread count). */
const nav = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
const threads = (page: Page) => page.getByRole('listbox', { name: 'Threads' });

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').waitFor();
}

/** The Mine queue, newest first, and whether a thread with this subject is in it (after a sync). */
async function mineHas(page: Page, subject: string): Promise<boolean> {
  await syncBar(page).getByRole('button', { name: 'Sync now' }).click();
  await nav(page, 'Inbox');
  await page.getByRole('navigation', { name: 'Queues' }).getByRole('button', { name: /^Mine/ }).click();
  await page.getByLabel('Sort by').selectOption('received');
  // Loaded: the list's summary counts the queue ("3 threads"; "0 threads" when empty).
  await page.getByText(/^[\d,]+ threads?$/).waitFor();
  return (
    (await threads(page)
      .getByRole('option', { name: new RegExp(subject) })
      .count()) > 0
  );
}

describe('coverage', () => {
  const SUBJECT = 'Swelling after the tetanus shot';

  beforeAll(async () => {
    const token = await patientSignIn(e2e.portal, demoMrn(11));
    await patientRequest(e2e.portal, token, 'POST', '/portal/threads', {
      subject: SUBJECT,
      body: 'My arm is red and warm since yesterday evening.',
      topic: 'clinical-question',
    });
  });

  it('a clinician claims a thread and marks an absence with a covering colleague', async () => {
    const { page, portal } = e2e;
    await signInUi(page, portal, 'clinician1');
    await waitForFirstSync(page);
    await page.getByLabel('Sort by').selectOption('received');
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .click();
    const thread = page.getByRole('article', { name: SUBJECT });
    await thread.getByRole('button', { name: /^Claim/ }).click();
    await expect.poll(() => mineHas(page, SUBJECT)).toBe(true);

    await nav(page, 'Coverage');
    const form = page.getByRole('form', { name: 'Mark an absence' });
    expect(await form.getByLabel('Absent clinician').inputValue()).toBe('stf-clinician1');
    await form.getByLabel('Covering colleague').selectOption({ label: 'Dr. Lukas Brenner' });
    // Today only: the clinic's today is the form's default.
    await form.getByRole('button', { name: 'Mark absence' }).click();
    const row = page.getByRole('table', { name: 'Absences' }).getByRole('row', { name: /Dr. Lukas Brenner/ });
    await row.getByText('Away now: threads with the colleague').waitFor();
    await expect.poll(() => mineHas(page, SUBJECT)).toBe(false);
    await signOut(page);
  });

  it('the colleague signs in and finds the thread in Mine', async () => {
    const { page, portal } = e2e;
    await signInUi(page, portal, 'clinician2');
    await expect.poll(() => mineHas(page, SUBJECT), { timeout: 30_000 }).toBe(true);
    // The move is in the thread's audit trail, saying why and for whom.
    await threads(page)
      .getByRole('option', { name: new RegExp(SUBJECT) })
      .click();
    await page.getByRole('article', { name: SUBJECT }).getByRole('button', { name: 'Audit trail' }).click();
    const trail = page.getByRole('dialog', { name: /^Audit trail/ });
    const row = trail.getByRole('row', { name: /coverage hand-over: Dr\. Amara Okafor away/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('assigneeId, coverage.hand-over');
    await page.keyboard.press('Escape');
    await signOut(page);
  });

  it('when the clock passes the end of the absence, the thread is back with the clinician', async () => {
    const { page, portal } = e2e;
    // 08:00 UTC on the clinic's today + 16 h = just past midnight: the absence has ended.
    portal.clock.advance(16 * 3600_000 + 1000);
    await signInUi(page, portal, 'clinician2');
    await expect.poll(() => mineHas(page, SUBJECT), { timeout: 30_000 }).toBe(false);
    await signOut(page);
    await signInUi(page, portal, 'clinician1');
    await expect.poll(() => mineHas(page, SUBJECT), { timeout: 30_000 }).toBe(true);
    await nav(page, 'Coverage');
    await page.getByRole('table', { name: 'Absences' }).getByText('Ended: threads handed back').waitFor();
    await signOut(page);
  });
});

describe('clinic-set emergency access time and a pool template', () => {
  const ADMIN_SUBJECT = 'Moving my appointment to Friday';
  const CLINICAL_SUBJECT = 'Blood pressure readings this week';
  let firstName = '';

  beforeAll(async () => {
    const token = await patientSignIn(e2e.portal, demoMrn(12));
    await patientRequest(e2e.portal, token, 'POST', '/portal/threads', {
      subject: ADMIN_SUBJECT,
      body: 'Can we move it?',
      topic: 'scheduling',
    });
    await patientRequest(e2e.portal, token, 'POST', '/portal/threads', {
      subject: CLINICAL_SUBJECT,
      body: 'They were 150 over 95 twice.',
      topic: 'clinical-question',
    });
  });

  it('an admin sets 15 minutes and creates a Front desk template', async () => {
    const { page, portal } = e2e;
    await signInUi(page, portal, 'admin1');
    await nav(page, 'Settings');
    const settings = page.getByRole('region', { name: 'Clinic-wide triage' });
    const minutes = settings.getByLabel('Emergency access lasts (minutes)');
    // The hint under the field is the control's description (aria-describedby), as a screen reader reads it.
    const description = await minutes.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    expect(description).toMatch(/^For the whole clinic, on every PC \(\d+ to \d+; default 60\)\.$/);
    await minutes.fill('15');
    await settings.getByRole('button', { name: 'Save emergency access time' }).click();
    await settings.getByText('Emergency access time saved for the clinic.').waitFor();
    const form = settings.getByRole('form', { name: 'New pool template' });
    await form.getByLabel('Pool').selectOption({ label: 'Front desk' });
    await form.getByLabel('Template title').fill('New time confirmed');
    await form.getByLabel('Template text').fill('Dear {{first_name}}, your visit has been moved as asked.');
    await form.getByRole('button', { name: 'Save pool template' }).click();
    await settings
      .getByRole('table', { name: 'Pool templates' })
      .getByRole('row', { name: /New time confirmed/ })
      .waitFor();
    // Another pool's template: not offered on a Front desk thread.
    await form.getByLabel('Pool').selectOption({ label: 'Refills' });
    await form.getByLabel('Template title').fill('Refill sent');
    await form.getByLabel('Template text').fill('Your refill went to the pharmacy.');
    await form.getByRole('button', { name: 'Save pool template' }).click();
    await settings
      .getByRole('table', { name: 'Pool templates' })
      .getByRole('row', { name: /Refill sent/ })
      .waitFor();
    await signOut(page);
  });

  it('a receptionist inserts the pool template into a reply, filled with the first name', async () => {
    const { page, portal } = e2e;
    await signInUi(page, portal, 'reception1');
    await syncBar(page).getByRole('button', { name: 'Sync now' }).click();
    await nav(page, 'Inbox');
    await page.getByLabel('Sort by').selectOption('received');
    await threads(page)
      .getByRole('option', { name: new RegExp(ADMIN_SUBJECT) })
      .click();
    const thread = page.getByRole('article', { name: ADMIN_SUBJECT });
    await thread.waitFor();
    // The patient's first name as this PC holds it (demo patient 12 wrote the thread).
    firstName = (
      e2e.desk.core.store.db.prepare('SELECT given_name FROM patients WHERE mrn = ?').get(demoMrn(12)) as {
        given_name: string;
      }
    ).given_name;
    await expect
      .poll(() =>
        thread.getByLabel('Template').locator('optgroup[label="This pool"] option').allTextContents(),
      )
      .toEqual(['New time confirmed']);
    await thread.getByLabel('Template').selectOption({ label: 'New time confirmed' });
    await expect
      .poll(() => thread.getByLabel('Reply', { exact: true }).inputValue())
      .toBe(`Dear ${firstName}, your visit has been moved as asked.`);
  });

  it('an emergency access the receptionist opens lasts the clinic’s 15 minutes', async () => {
    const { page, portal } = e2e;
    await threads(page)
      .getByRole('option', { name: new RegExp(CLINICAL_SUBJECT) })
      .click();
    const article = page.getByRole('article', { name: CLINICAL_SUBJECT });
    await article.getByRole('button', { name: 'Emergency access…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emergency access' });
    await dialog.getByText(/outside your role for 15 minutes/).waitFor();
    await dialog.getByLabel('Reason (required)').fill('Patient at the desk feels faint, asks about readings');
    await dialog.getByRole('button', { name: 'Open record' }).click();
    await page.getByText('They were 150 over 95 twice.').waitFor();
    // 16 minutes later on the console's injected clock: the record is closed to the role again.
    portal.clock.advance(16 * 60_000);
    e2e.desk.idle.touch();
    await threads(page)
      .getByRole('option', { name: new RegExp(ADMIN_SUBJECT) })
      .click();
    await threads(page)
      .getByRole('option', { name: new RegExp(CLINICAL_SUBJECT) })
      .click();
    await page
      .getByRole('article', { name: CLINICAL_SUBJECT })
      .getByText('Topic: Clinical question')
      .waitFor();
    expect(await page.getByText('They were 150 over 95 twice.').count()).toBe(0);
  });

  it('raised no error in the page', () => {
    expect(e2e.desk.pageErrors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  });
});
