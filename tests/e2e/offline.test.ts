/**
 * Offline: the portal backend goes away for real (its listener is closed). Work continues at the desk: a thread
 * is claimed and answered, an appointment is booked; the sync bar says offline and its pending count rises.
 * The backend comes back on the same port with the same data: the changes sync and pending returns to 0.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { openScheduleDay, screenshotPath, syncBar, TEST_TODAY, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Front desk offline' });

/** A call through the console's router, as the page makes it (for checks the screen does not show). */
async function ask<T>(method: string, input: unknown): Promise<T> {
  const result = await e2e.desk.core.router.call(method, input, {
    origin: e2e.desk.host.origin,
    isMainFrame: true,
  });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/** The pending count the sync bar shows (0 for "All changes synced"). */
async function pending(page: Page): Promise<number> {
  const text = (await syncBar(page).locator('.sync-pending').textContent()) ?? '';
  if (text === 'All changes synced') return 0;
  const m = /^([\d,]+) changes? waiting to sync$/.exec(text);
  if (!m) throw new Error(`Unexpected sync bar text: ${text}`);
  return Number(m[1]!.replace(/,/g, ''));
}

describe('offline and back', () => {
  const REPLY = 'We have received your message and will call you back this afternoon.';
  let subject = '';
  let bookedAt = '';
  let bookedName = '';

  it('keeps working while the backend is down, and counts the changes waiting', async () => {
    const page = e2e.page;
    await syncBar(page).getByText('All changes synced').waitFor();
    await e2e.portal.stop();

    // Inbox: claim a thread and reply.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Inbox/ })
      .click();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Unassigned/ })
      .click();
    const first = page.getByRole('listbox', { name: 'Threads' }).getByRole('option').first();
    await first.click();
    const thread = page.getByRole('article');
    subject = (await thread.getByRole('heading', { level: 2 }).textContent())!;
    await thread.getByRole('button', { name: /^Claim/ }).click();
    await thread.getByText('Assigned to Rita Reyes').waitFor();
    await syncBar(page).getByText('Offline: changes are kept on this PC').waitFor();
    const afterClaim = await pending(page);
    expect(afterClaim).toBeGreaterThan(0);

    await thread.getByLabel('Reply', { exact: true }).fill(REPLY);
    await thread.getByRole('button', { name: 'Send reply' }).click();
    const sent = thread.getByRole('listitem').filter({ hasText: REPLY });
    await sent.waitFor();
    await thread.getByText('Reply saved on this PC. It is sent when the connection is back.').waitFor();
    // The reply is marked as waiting in the outbox (soft: the rest of the offline flow is still checked).
    expect
      .soft(await sent.getByText('Not yet sent').count(), 'reply marked "Not yet sent" while offline')
      .toBe(1);
    await expect.poll(() => pending(page)).toBeGreaterThan(afterClaim);

    // Schedule: book a free slot.
    const beforeBooking = await pending(page);
    await openScheduleDay(page);
    const free = page.getByRole('button', { name: /^\d\d:\d\d Free: book with Dr\. Omar Haddad,/ }).first();
    bookedAt = ((await free.getAttribute('aria-label')) ?? '').slice(0, 5);
    await free.click();
    const dialog = page.getByRole('dialog', { name: 'Book appointment' });
    await dialog.getByLabel('Find patient (name or MRN)').fill(demoMrn(21));
    await dialog.getByRole('radio').first().check();
    bookedName = (await dialog.locator('.choice-main').first().textContent())!.trim();
    await dialog.getByLabel('Reason for visit').fill('Booked while offline');
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('button', { name: `${bookedAt} ${bookedName}, Booked, not confirmed yet`, exact: false })
      .waitFor();
    await expect.poll(() => pending(page)).toBeGreaterThan(beforeBooking);
    await page.screenshot({ path: screenshotPath('sync-offline') });
  });

  it('syncs everything when the backend is back, and pending returns to 0', async () => {
    const page = e2e.page;
    await e2e.portal.restart();
    await syncBar(page).getByRole('button', { name: 'Sync now' }).click();
    await syncBar(page).getByText('All changes synced').waitFor();
    await syncBar(page).getByText('Online', { exact: true }).waitFor();
    expect(await pending(page)).toBe(0);

    // The booking is no longer marked as waiting, and the server has it.
    await page
      .getByRole('button', { name: new RegExp(`^${bookedAt} ${bookedName}, Booked, (?!not confirmed yet)`) })
      .waitFor();
    const mine = (
      await ask<{ appointments: { id: string; start: string; patientName: string }[] }>('schedule.range', {
        from: TEST_TODAY,
        days: 1,
      })
    ).appointments.find((a) => a.start.slice(11, 16) === bookedAt && a.patientName === bookedName);
    expect(mine).toBeDefined();
    expect(await e2e.portal.server.store.appointment(mine!.id)).toMatchObject({
      status: 'booked',
      reason: 'Booked while offline',
    });

    // The reply and the claim reached the server too.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Inbox/ })
      .click();
    const thread = page.getByRole('article', { name: subject });
    const sent = thread.getByRole('listitem').filter({ hasText: REPLY });
    await sent.waitFor();
    await expect.poll(() => sent.getByText('Not yet sent').count()).toBe(0);
    const claimed = (
      await ask<{ threads: { id: string; subject: string }[] }>('inbox.list', {
        queue: 'mine',
        offset: 0,
        limit: 200,
      })
    ).threads.find((t) => t.subject === subject);
    expect(claimed).toBeDefined();
    expect(await e2e.portal.server.store.thread(claimed!.id)).toMatchObject({ assigneeId: 'stf-reception1' });
    expect((await e2e.portal.server.store.messagesOfThread(claimed!.id)).map((m) => m.body)).toContain(REPLY);
  });

  it('raised no error in the page (no uncaught exception, no console error, no CSP violation)', () => {
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
