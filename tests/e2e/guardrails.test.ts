/**
 * Issue 13a §6 guardrails in Chromium, found by role and label as a receptionist would: past slots are not
 * offered ("Free: book" at 09:00 with the clock at 10:00 was the reproduction), check-in and no-show are not
 * offered days ahead, a check-in can be undone the same day, and a second visit of the same patient at one time
 * warns and needs a reason. The clinic is in UTC; the console's clock is moved to 10:00 on the demo's today.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { openScheduleDay, TEST_TODAY, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({
  user: 'reception1',
  timezoneId: 'Asia/Kolkata',
  portal: { advanceMs: 2 * 3600_000 }, // 10:00 UTC on the demo's today
  pageTimeoutMs: 30_000, // Playwright's default: this file never set its own
});

const freeSlots = (page: Page, provider: string) =>
  page.getByRole('button', {
    name: new RegExp(`^\\d\\d:\\d\\d Free: book with ${provider.replace('.', '\\.')},`),
  });

async function bookFirstFree(page: Page, provider: string, mrn: number, after = '00:00') {
  const labels = await freeSlots(page, provider).evaluateAll((els) =>
    els.map((e) => e.getAttribute('aria-label') ?? ''),
  );
  const label = labels.find((l) => l.slice(0, 5) >= after)!;
  await page.getByRole('button', { name: label, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Book appointment' });
  await dialog.getByLabel('Find patient (name or MRN)').fill(demoMrn(mrn));
  const choice = dialog.getByRole('radio').first();
  await choice.waitFor();
  const name = (await dialog.locator('.choice-main').first().textContent())!.trim();
  await choice.check();
  return { time: label.slice(0, 5), name, dialog };
}

describe('guardrails on screen', () => {
  it('offers no slot that has passed beyond the walk-in allowance', async () => {
    const page = e2e.page;
    await openScheduleDay(page, TEST_TODAY);
    await freeSlots(page, 'Dr. Lukas Brenner').first().waitFor();
    const times = await page
      .getByRole('button', { name: /^\d\d:\d\d Free: book with / })
      .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? '').slice(0, 5)));
    expect(times.length).toBeGreaterThan(0);
    // 30-minute walk-in allowance: 09:30 may still be booked at 10:00, 09:15 not.
    expect(times.filter((t) => t < '09:30')).toEqual([]);
  });

  it('does not offer check-in or no-show days ahead; undoes a check-in the same day', async () => {
    const page = e2e.page;
    await openScheduleDay(page, '2026-11-26');
    const ahead = await bookFirstFree(page, 'Dr. Lukas Brenner', 11);
    await ahead.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await ahead.dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: new RegExp(`^${ahead.time} ${ahead.name}`) }).click();
    const aheadDialog = page.getByRole('dialog', { name: ahead.name });
    await aheadDialog.getByRole('button', { name: 'Reschedule' }).waitFor();
    expect(await aheadDialog.getByRole('button', { name: 'Check in' }).count()).toBe(0);
    expect(await aheadDialog.getByRole('button', { name: 'No-show' }).count()).toBe(0);
    await aheadDialog.getByRole('button', { name: 'Close' }).click();

    await openScheduleDay(page, TEST_TODAY);
    const today = await bookFirstFree(page, 'Dr. Lukas Brenner', 12, '11:00');
    await today.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await today.dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: new RegExp(`^${today.time} ${today.name}`) }).click();
    const dialog = page.getByRole('dialog', { name: today.name });
    await dialog.getByRole('button', { name: 'Check in' }).click();
    await dialog.getByRole('button', { name: 'Undo check-in' }).click();
    await dialog.getByRole('button', { name: 'Check in' }).waitFor();
    expect(await dialog.getByText('Booked', { exact: true }).count()).toBeGreaterThan(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('warns when the patient already has a visit at that time and books only with a reason', async () => {
    const page = e2e.page;
    await openScheduleDay(page, '2026-11-27');
    const first = await bookFirstFree(page, 'Dr. Lukas Brenner', 13, '14:00');
    await first.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await first.dialog.waitFor({ state: 'detached' });
    const second = await bookFirstFree(page, 'Dr. Hiroshi Tanaka', 13, first.time);
    expect(second.time).toBe(first.time);
    await second.dialog.getByText('This patient already has a visit at this time').waitFor();
    await second.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await second.dialog.getByText('give a reason to book both').waitFor();
    await second.dialog.getByLabel('Reason for booking both (required)').fill('Seen together');
    await second.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await second.dialog.waitFor({ state: 'detached' });
  });

  it('books by visit type: a 30-minute follow-up with a 15-minute provider holds two slots', async () => {
    const page = e2e.page;
    await openScheduleDay(page, '2026-11-30');
    const visit = await bookFirstFree(page, 'Dr. Amara Okafor', 14, '15:00');
    await visit.dialog.getByLabel('Visit type').selectOption({ label: 'Follow-up (30 min)' });
    await visit.dialog.getByRole('button', { name: 'Book appointment' }).click();
    await visit.dialog.waitFor({ state: 'detached' });
    const block = page.getByRole('button', { name: new RegExp(`^${visit.time} ${visit.name}`) });
    await block.waitFor();
    const booked = e2e.desk.core.store.appointments
      .range('2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z', 'prv-001')
      .find((a) => a.start.slice(11, 16) === visit.time && a.reason === 'Follow-up');
    expect(booked && Date.parse(booked.end) - Date.parse(booked.start)).toBe(30 * 60_000);
  });
});
