/**
 * Lock (DESIGN.md §2.2, §6): with a 1-minute idle timeout set by an admin, the core locks after a minute of no
 * input; the page then holds none of the patient data that was on screen (visible text and the whole DOM), only
 * the locked person's name. Unlocking restores the view. Ctrl+L and the OS lock screen lock too, and "Switch
 * user" gives the next person a fresh console.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoStaff } from '../../server/demo/credentials';
import { pageTextAndHtml, signInUi, useSignedInDesk } from './harness';

// Idle time runs on the test clock here, so a minute of idleness takes no minute.
const e2e = useSignedInDesk({ user: 'admin1', deviceName: 'Shared desk', idleOnPortalClock: true });

const DRAFT = 'Draft reply mentioning the swollen ankle';

/** Open the first thread of "All open" with a patient panel on top and a draft reply; return the PHI on screen. */
async function putPhiOnScreen(page: Page): Promise<{ phi: string[]; subject: string }> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: /^Inbox/ })
    .click();
  await page
    .getByRole('navigation', { name: 'Queues' })
    .getByRole('button', { name: /^All open/ })
    .click();
  const rows = page.getByRole('listbox', { name: 'Threads' }).getByRole('option');
  await rows.nth(3).waitFor();
  const listed = await rows.evaluateAll((els) =>
    els.slice(0, 4).map((e) => e.querySelector('.trow-patient')?.textContent ?? ''),
  );
  await rows.first().click();
  const thread = page.getByRole('article');
  await thread.locator('.message-body').first().waitFor();
  const subject = (await thread.getByRole('heading', { level: 2 }).textContent())!;
  const bodies = await thread.locator('.message-body').allTextContents();
  const patient = (await thread.locator('.thread-patient .link-button').textContent())!;
  const mrn = (await thread.locator('.thread-patient .muted').first().textContent())!;
  await thread.getByLabel('Reply', { exact: true }).fill(DRAFT);
  await thread.locator('.thread-patient .link-button').click();
  const panel = page.getByRole('dialog', { name: patient });
  await panel.getByText('Patient details').waitFor();
  const phone = (await panel.locator('dl div').filter({ hasText: 'Phone' }).locator('dd').textContent())!;
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  const phi = [...listed, subject, patient, mrn, DRAFT, ...bodies, phone].filter(
    (s) => s && s !== 'Not on file',
  );
  const { text, html } = await pageTextAndHtml(page);
  // The check below must be able to fail: all of it is on screen now.
  for (const s of [patient, subject, DRAFT]) expect(text + html).toContain(s);
  expect(phi.length).toBeGreaterThan(6);
  return { phi, subject };
}

async function expectNoPhi(page: Page, phi: string[]): Promise<void> {
  const { text, html } = await pageTextAndHtml(page);
  for (const s of phi) {
    expect(text, 'visible text').not.toContain(s);
    expect(html, 'DOM').not.toContain(s);
  }
}

describe('lock', () => {
  let phi: string[] = [];
  let subject = '';

  it('an admin sets the idle timeout to 1 minute', async () => {
    const page = e2e.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    const idle = page.getByLabel('Lock after idle (minutes)');
    await expect.poll(() => idle.inputValue()).not.toBe('');
    await idle.fill('61');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('The idle timeout must be a whole number of minutes from 1 to 60.').waitFor();
    await idle.fill('1');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.', { exact: true }).first().waitFor();
    expect(e2e.desk.core.settings.get().idleTimeoutMinutes).toBe(1);
  });

  it('locks after a minute idle and leaves no patient data in the page', async () => {
    const page = e2e.page;
    ({ phi, subject } = await putPhiOnScreen(page));
    // The person's last input is now; then no input for just under a minute: still open.
    e2e.desk.idle.touch();
    e2e.portal.clock.advance(59_000);
    expect(e2e.desk.core.lock.tick()).toBe(false);
    e2e.portal.clock.advance(2_000);
    e2e.desk.core.lock.tick();
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    await expectNoPhi(page, phi);
    const { text } = await pageTextAndHtml(page);
    expect(text).toContain(demoStaff('admin1').displayName);
    // Nothing of the console behind the lock: no navigation, no sync bar, no thread list.
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('listbox').count()).toBe(0);
  });

  it('refuses a wrong password, and unlocking restores the view (drafts are not kept)', async () => {
    const page = e2e.page;
    await page.getByLabel('Password').fill('not-my-password');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').getByText('Wrong password.').waitFor();
    await expectNoPhi(page, phi);
    await page.getByLabel('Password').fill(demoStaff('admin1').password);
    await page.getByRole('button', { name: 'Unlock' }).click();
    // Same view: the inbox, the "All open" queue, the same thread open again.
    const thread = page.getByRole('article', { name: subject });
    await thread.locator('.message-body').first().waitFor();
    expect(
      await page.getByRole('navigation', { name: 'Queues' }).locator('[aria-current="page"]').textContent(),
    ).toMatch(/^All open/);
    expect(await thread.getByLabel('Reply', { exact: true }).inputValue()).toBe('');
  });

  it('locks on Ctrl+L and when the OS locks the screen', async () => {
    const page = e2e.page;
    await page.getByRole('article', { name: subject }).waitFor();
    await page.keyboard.press('Control+l');
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    await expectNoPhi(page, phi);
    await page.getByLabel('Password').fill(demoStaff('admin1').password);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('article', { name: subject }).waitFor();

    e2e.desk.idle.emitSystemLock('lock-screen');
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    await expectNoPhi(page, phi);
  });

  it('"Switch user" signs the next person in with a fresh console', async () => {
    const page = e2e.page;
    await page.getByRole('button', { name: 'Switch user' }).click();
    await page.getByRole('heading', { name: 'Switch user' }).waitFor();
    await signInUi(page, e2e.portal, 'clinician2');
    // A clinician starts in the inbox, on the unassigned queue, with no thread open.
    await page.getByText('No thread open').waitFor();
    expect(
      await page.getByRole('navigation', { name: 'Queues' }).locator('[aria-current="page"]').textContent(),
    ).toMatch(/^Unassigned/);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).count(),
    ).toBe(0);
  });

  it('raised no error in the page (no uncaught exception, no console error, no CSP violation)', () => {
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
