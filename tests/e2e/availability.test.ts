/**
 * Issue 13 §3 and §5 in Chromium, found by role and label as people would: an admin closes the clinic for a
 * holiday and gives a provider a lunch break on the Availability screen; the front desk then sees no free slot that
 * day (the holiday named, not bookable), sees lunch as not bookable, and finds the next free slot for a visit type
 * and books it from the finder. The clinic is in New York; the demo's today is Monday 23 November 2026 and the
 * clock starts at 08:00Z (03:00 EST).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { openMainView, openScheduleDay, useSignedInDesk, type E2EConsole } from './harness';

const e2e = useSignedInDesk({
  user: 'admin1',
  deviceName: 'IT desk',
  portal: { timeZone: 'America/New_York' },
});
let admin: E2EConsole;
let desk: E2EConsole;

beforeAll(async () => {
  admin = e2e.desk;
  desk = await e2e.openDesk({ user: 'reception1', deviceName: 'Front desk', timezoneId: 'Europe/London' });
});

const freeSlots = (page: Page, provider = '') =>
  page.getByRole('button', { name: new RegExp(`^\\d\\d:\\d\\d Free: book with ${provider}`) });

describe('availability set on the admin screen reaches the front desk', () => {
  // Session 8, s8rec: choosing the provider already shown cleared the template and waited for a reload that only
  // a change of provider or of the data starts, so on a quiet console the page said "Loading…" for good. This
  // test passed only while a slow sync step (withheld bodies fetched one request each) was still running and
  // its end reloaded the page by chance. Playwright's selectOption fires `change` like a re-pick would.
  it('picking the provider already shown keeps their weekly template on screen', async () => {
    const page = admin.page;
    await openMainView(page, 'Availability');
    const provider = page.getByLabel('Provider');
    const shown = (await provider.locator('option:checked').textContent())!;
    const template = page.getByRole('form', { name: `Weekly template of ${shown}` });
    await template.getByLabel('Monday from').waitFor();
    await provider.selectOption({ label: shown });
    expect(await template.getByLabel('Monday from').inputValue({ timeout: 5_000 })).toBe('08:00');
    expect(await page.getByText('Loading…').count()).toBe(0);
  });

  it('admin adds a holiday and a lunch break: the desk sees no free slot that day, and lunch not bookable', async () => {
    const page = admin.page;
    await openMainView(page, 'Availability');
    await page.getByRole('heading', { name: 'Availability' }).waitFor();
    await page.getByLabel('Provider').selectOption({ label: 'Dr. Amara Okafor' });
    const template = page.getByRole('form', { name: 'Weekly template of Dr. Amara Okafor' });
    await expect.poll(() => template.getByLabel('Monday from').inputValue()).toBe('08:00');
    await template.getByLabel('Wednesday lunch from').fill('12:00');
    await template.getByLabel('Wednesday lunch to').fill('13:00');
    await template.getByRole('button', { name: 'Save weekly template' }).click();
    await page.getByRole('status').getByText('Weekly template of Dr. Amara Okafor saved.').waitFor();

    const add = page.getByRole('form', { name: 'Add an exception' });
    await add.getByLabel('Kind').selectOption({ label: 'Holiday (whole clinic closed)' });
    await add.getByLabel('First day').fill('2026-11-26');
    await add.getByLabel('Label (optional)').fill('Thanksgiving');
    await add.getByRole('button', { name: 'Add exception' }).click();
    await page.getByRole('button', { name: 'Remove Holiday "Thanksgiving", 2026-11-26' }).waitFor();

    // The desk: Thanksgiving has no free slot for anyone, and says why.
    await openScheduleDay(desk.page, '2026-11-26');
    await desk.page
      .getByRole('note', { name: /^08:00 Holiday: Thanksgiving, not bookable, Dr\. Amara Okafor/ })
      .waitFor();
    await expect.poll(() => freeSlots(desk.page).count()).toBe(0);
    expect(await desk.page.getByRole('note', { name: /Holiday: Thanksgiving, not bookable/ }).count()).toBe(
      6,
    );

    // Wednesday: Dr. Okafor's new lunch; Grace Lindqvist's seeded one; the slots around lunch stay free.
    await openScheduleDay(desk.page, '2026-11-25');
    await desk.page.getByRole('note', { name: /^12:00 Lunch, not bookable, Dr\. Amara Okafor/ }).waitFor();
    await desk.page.getByRole('note', { name: /^12:00 Lunch, not bookable, Grace Lindqvist, NP/ }).waitFor();
    const okafor = await freeSlots(desk.page, 'Dr\\. Amara Okafor,').evaluateAll((els) =>
      els.map((e) => (e.getAttribute('aria-label') ?? '').slice(0, 5)),
    );
    expect(okafor.length).toBeGreaterThan(0);
    expect(okafor.filter((t) => t >= '12:00' && t < '13:00')).toEqual([]);
    expect(desk.pageErrors).toEqual([]);
  });

  it('the receptionist finds the next free slot for a visit type and books it in the dialog', async () => {
    const page = desk.page;
    await openScheduleDay(page, '2026-11-26');
    await page.getByRole('button', { name: 'Find next free slot' }).click();
    const finder = page.getByRole('dialog', { name: 'Find next free slot' });
    await finder.getByLabel('Visit type').selectOption({ label: 'Follow-up (30 min)' });
    await finder.getByLabel('From').fill('2026-11-26');
    await finder.getByLabel('To').fill('2026-11-27');
    await finder.getByLabel('Time of day').selectOption({ label: 'Mornings (before 12:00)' });
    await finder.getByRole('button', { name: 'Search' }).click();
    await finder.getByText(/earliest free slots?$/).waitFor();
    const results = finder.getByRole('button', { name: /^Book / });
    const labels = await results.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.length).toBeGreaterThan(0);
    // Nothing on the holiday; mornings only; in the clinic's zone.
    for (const l of labels)
      expect(l).toMatch(/^Book Fri 27 Nov (0\d|1[01]):\d\d–\d\d:\d\d EST with .+, Main clinic$/);
    const [, time, provider] = /^Book Fri 27 Nov (\d\d:\d\d)–\d\d:\d\d EST with (.+), Main clinic$/.exec(
      labels[0]!,
    )!;

    await results.first().click();
    const dialog = page.getByRole('dialog', { name: 'Book appointment' });
    await expect
      .poll(async () => (await dialog.getByLabel('Visit type').locator('option:checked').textContent()) ?? '')
      .toBe('Follow-up (30 min)');
    await dialog.getByLabel('Find patient (name or MRN)').fill(demoMrn(21));
    const choice = dialog.getByRole('radio').first();
    await choice.waitFor();
    const name = (await dialog.locator('.choice-main').first().textContent())!.trim();
    await choice.check();
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .getByText(`Appointment booked for ${time} EST with ${provider}.`)
      .waitFor();

    await openScheduleDay(page, '2026-11-27');
    await page
      .getByRole('button', {
        name: new RegExp(`^${time} ${name}, Booked, .*${provider!.replace(/[.]/g, '\\.')}`),
      })
      .waitFor();
    expect(desk.pageErrors).toEqual([]);
  });
});
