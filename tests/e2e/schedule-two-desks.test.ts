/**
 * Two front desks on one clinic: a receptionist books, reschedules, cancels (with a reason) and checks in at
 * desk A; desk B (another console, data folder and receptionist) sees each change after its own sync. Then the
 * two conflict: once caught by the local check ("booked at another desk"), once only when the later push is
 * refused by the server (a sync problem shown to the person who caused it).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { type E2EConsole, openScheduleDay, syncBar, useSignedInDesk } from './harness';

// Both desks keep Playwright's default timeout (30 s), as before.
const deskA = useSignedInDesk({ user: 'reception1', deviceName: 'Front desk A', pageTimeoutMs: 30_000 });
let deskB: E2EConsole;
beforeAll(async () => {
  deskB = await deskA.openDesk({ user: 'reception2', deviceName: 'Front desk B', pageTimeoutMs: 30_000 });
  await Promise.all([openScheduleDay(deskA.page), openScheduleDay(deskB.page)]);
});

const PROVIDER = 'Dr. Lukas Brenner';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first free slot of a provider in the day view; returns its time ("HH:MM") and the button. */
async function firstFreeSlot(page: Page, provider = PROVIDER, after = '00:00') {
  const slots = page.getByRole('button', {
    name: new RegExp(`^\\d\\d:\\d\\d Free: book with ${escape(provider)},`),
  });
  await slots.first().waitFor();
  for (const label of await slots.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))) {
    const time = label.slice(0, 5);
    if (time > after) return { time, button: page.getByRole('button', { name: label, exact: true }) };
  }
  throw new Error(`No free slot for ${provider} after ${after}`);
}

function appointment(page: Page, time: string, name: string, status?: string) {
  const tail = status ? `, ${escape(status)}` : '';
  return page.getByRole('button', { name: new RegExp(`^${time} ${escape(name)}${tail}`) });
}

async function allSynced(page: Page): Promise<void> {
  await syncBar(page).getByText('All changes synced').waitFor();
}

/** Book through the dialog; returns the patient's name as the dialog showed it. */
async function book(
  page: Page,
  slot: { button: ReturnType<Page['getByRole']> },
  mrn: string,
  reason: string,
) {
  await slot.button.click();
  const dialog = page.getByRole('dialog', { name: 'Book appointment' });
  await dialog.getByLabel('Find patient (name or MRN)').fill(mrn);
  const choice = dialog.getByRole('radio').first();
  await choice.waitFor();
  const name = (await dialog.locator('.choice-main').first().textContent())!.trim();
  await choice.check();
  await dialog.getByLabel('Reason for visit').fill(reason);
  await dialog.getByRole('button', { name: 'Book appointment' }).click();
  return { name, dialog };
}

describe('schedule across two desks', () => {
  let name = '';
  let time = '';

  it('books at desk A; desk B sees the booking after its sync', async () => {
    const slot = await firstFreeSlot(deskA.page);
    time = slot.time;
    const booked = await book(deskA.page, slot, demoMrn(7), 'E2E follow-up');
    name = booked.name;
    await booked.dialog.waitFor({ state: 'detached' });
    await appointment(deskA.page, time, name).waitFor();
    await allSynced(deskA.page);
    await appointment(deskB.page, time, name, 'Booked').waitFor();
  });

  it('reschedules at desk A; desk B sees it move', async () => {
    await appointment(deskA.page, time, name).click();
    const dialog = deskA.page.getByRole('dialog', { name });
    await dialog.getByRole('button', { name: 'Reschedule' }).click();
    const select = dialog.getByLabel('New time (UTC)');
    await expect.poll(() => select.locator('option').count()).toBeGreaterThan(1);
    const options = await select
      .locator('option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
    const later = options.find((v) => v.slice(11, 16) > time) ?? options[0]!;
    await select.selectOption(later);
    await dialog.getByRole('button', { name: 'Move appointment' }).click();
    await dialog.getByRole('button', { name: 'Reschedule' }).waitFor();
    await deskA.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const moved = later.slice(11, 16);
    await appointment(deskA.page, moved, name).waitFor();
    await appointment(deskB.page, moved, name, 'Booked').waitFor();
    await expect.poll(() => appointment(deskB.page, time, name).count()).toBe(0);
    time = moved;
  });

  it('cancels at desk A only with a reason; desk B sees the cancellation', async () => {
    await appointment(deskA.page, time, name).click();
    const dialog = deskA.page.getByRole('dialog', { name });
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.getByRole('button', { name: 'Confirm cancellation' }).click();
    await dialog.getByText('A reason is required to cancel.').waitFor();
    await dialog
      .getByLabel('Reason for cancelling (required)')
      .selectOption({ label: 'Patient asked to cancel' });
    await dialog.getByLabel('Details (optional)').fill('Patient asked to cancel by phone');
    await dialog.getByRole('button', { name: 'Confirm cancellation' }).click();
    await dialog.getByText('Patient asked to cancel by phone').waitFor();
    await deskA.page.keyboard.press('Escape');
    await appointment(deskB.page, time, name, 'Cancelled').waitFor();
    // The slot is free again at both desks.
    await deskB.page
      .getByRole('button', { name: new RegExp(`^${time} Free: book with ${escape(PROVIDER)},`) })
      .waitFor();
  });

  it('checks a patient in at desk A; desk B sees "Checked in"', async () => {
    const booked = deskA.page.getByRole('button', { name: /^\d\d:\d\d .+, Booked, (?!.*not confirmed yet)/ });
    const label = (await booked.first().getAttribute('aria-label'))!;
    const [, at, who] = /^(\d\d:\d\d) (.+?), Booked/.exec(label)!;
    await booked.first().click();
    const dialog = deskA.page.getByRole('dialog', { name: who! });
    await dialog.getByRole('button', { name: 'Check in' }).click();
    await dialog.getByText('Checked in', { exact: true }).waitFor();
    await deskA.page.keyboard.press('Escape');
    await appointment(deskB.page, at!, who!, 'Checked in').waitFor();
  });

  it('refuses a slot another desk booked first: locally, and after a later push', async () => {
    // Local check: desk B opens the dialog on a free slot, desk A books that slot, desk B's booking is refused.
    const slot = await firstFreeSlot(deskB.page, PROVIDER, time);
    await slot.button.click();
    const dialogB = deskB.page.getByRole('dialog', { name: 'Book appointment' });
    await dialogB.getByLabel('Find patient (name or MRN)').fill(demoMrn(9));
    await dialogB.getByRole('radio').first().check();
    const atA = await book(
      deskA.page,
      await firstFreeSlot(deskA.page, PROVIDER, time),
      demoMrn(11),
      'First come',
    );
    await atA.dialog.waitFor({ state: 'detached' });
    await allSynced(deskA.page);
    // (Behind desk B's open dialog the grid is inert, so it is found by its element, not its role.)
    await deskB.page.locator(`button.appt[aria-label^="${slot.time} ${atA.name},"]`).waitFor();
    await dialogB.getByRole('button', { name: 'Book appointment' }).click();
    await dialogB.getByText('This slot was booked at another desk').waitFor();
    await deskB.page.keyboard.press('Escape');

    // Later conflict: desk B books while its sync is paused; the server refuses the push and desk B is told.
    await deskB.core.sync().stop();
    const next = await firstFreeSlot(deskA.page, PROVIDER, slot.time);
    const atA2 = await book(deskA.page, next, demoMrn(12), 'Booked at A');
    await atA2.dialog.waitFor({ state: 'detached' });
    await allSynced(deskA.page);
    const stale = deskB.page.getByRole('button', {
      name: new RegExp(`^${next.time} Free: book with ${escape(PROVIDER)},`),
    });
    const atB = await book(deskB.page, { button: stale }, demoMrn(13), 'Booked at B');
    await atB.dialog.waitFor({ state: 'detached' });
    await appointment(deskB.page, next.time, atB.name, 'Booked, not confirmed yet').waitFor();
    deskB.core.sync().start();
    // Told in words: which patient (as the schedule shows them), slot and provider, and what to do.
    const refused = deskB.page.getByRole('alert').filter({ hasText: 'This slot was booked at another desk' });
    await refused.waitFor();
    await refused
      .getByText(new RegExp(`Booking for ${escape(atB.name)} with ${escape(PROVIDER)} on `))
      .waitFor();
    await refused.getByText(/Choose another time\./).waitFor();
    await refused.getByRole('button', { name: 'Open schedule' }).waitFor();
    // The refused booking is gone; desk A's stands.
    await appointment(deskB.page, next.time, atA2.name).waitFor();
    await expect.poll(() => appointment(deskB.page, next.time, atB.name).count()).toBe(0);
    await deskB.page.getByRole('button', { name: /1 change refused/ }).click();
    const problems = deskB.page.getByRole('dialog', { name: 'Sync problems' });
    await problems.getByRole('button', { name: 'Dismiss' }).click();
    await problems.getByText('No sync problems.').waitFor();
  });

  it('tells the desk that loses a booking race in its dialog, and books another free time there', async () => {
    // issue 13 reproduction: "the desk that loses a booking race sees its dialog close as if it succeeded".
    const problems = deskB.page.getByRole('dialog', { name: 'Sync problems' });
    if (await problems.count()) {
      await deskB.page.keyboard.press('Escape');
      await problems.waitFor({ state: 'detached' });
    }
    const slotA = await firstFreeSlot(deskA.page, PROVIDER, '12:00');
    const slotB = {
      button: deskB.page.getByRole('button', {
        name: new RegExp(`^${slotA.time} Free: book with ${escape(PROVIDER)},`),
      }),
    };
    const open = async (page: Page, slot: { button: ReturnType<Page['getByRole']> }, mrn: string) => {
      await slot.button.click();
      const dialog = page.getByRole('dialog', { name: 'Book appointment' });
      await dialog.getByLabel('Find patient (name or MRN)').fill(mrn);
      await dialog.getByRole('radio').first().check();
      await dialog.getByLabel('Reason for visit').fill('Race');
      return dialog;
    };
    const dialogA = await open(deskA.page, slotA, demoMrn(14));
    const dialogB = await open(deskB.page, slotB, demoMrn(15));
    // Both desks press Book at once: both local checks pass, the server takes one.
    await Promise.all([
      dialogA.getByRole('button', { name: 'Book appointment' }).click(),
      dialogB.getByRole('button', { name: 'Book appointment' }).click(),
    ]);
    const closed = async (d: typeof dialogA) => {
      try {
        await d.waitFor({ state: 'detached', timeout: 3000 });
        return true;
      } catch {
        return false;
      }
    };
    const [aClosed, bClosed] = await Promise.all([closed(dialogA), closed(dialogB)]);
    expect([aClosed, bClosed].sort()).toEqual([false, true]);
    const [loser, loserPage] = aClosed ? [dialogB, deskB.page] : [dialogA, deskA.page];
    // Told at that moment, in the dialog, which stays open with the person's choices kept.
    await loser.getByRole('alert').getByText('This slot was booked at another desk').waitFor();
    expect(await loser.getByLabel('Reason for visit').inputValue()).toBe('Race');
    // Not told a second time in the sync bar.
    await allSynced(loserPage);
    expect(await loserPage.getByRole('button', { name: /change refused/ }).count()).toBe(0);
    // Another free time is offered in the dialog; booking it closes the dialog, confirmed.
    const other = loser.getByLabel('Another free time (UTC)');
    await expect.poll(() => other.locator('option').count()).toBeGreaterThan(1);
    const value = await other
      .locator('option')
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).find((v) => v !== ''));
    expect(value!.slice(11, 16)).not.toBe(slotA.time);
    await other.selectOption(value!);
    await loser.getByRole('button', { name: 'Book appointment' }).click();
    await loser.waitFor({ state: 'detached' });
    await loserPage
      .getByRole('button', {
        name: new RegExp(`^${value!.slice(11, 16)} .+, Booked, ${escape(PROVIDER)},`),
      })
      .waitFor();
  });

  it('raised no error in either page (no uncaught exception, no console error, no CSP violation)', () => {
    expect([...deskA.desk.pageErrors, ...deskB.pageErrors]).toEqual([]);
  });
});
