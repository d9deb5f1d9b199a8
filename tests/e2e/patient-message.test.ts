/**
 * A patient writes through the portal API; the message appears in an open console without a reload; a clinician
 * claims it, sets its priority (keyboard), replies from a saved template and closes it; the patient's portal then
 * shows the reply. Also: full-text search with a snippet, and j/k/Enter in the thread list.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { patientRequest, patientSignIn, syncBar, useSignedInDesk } from './harness';

let patientToken: string;

const SUBJECT = 'Dizzy after the new tablets';
const BODY =
  'Since starting the new blood pressure tablets on Friday I feel dizzy whenever I stand up quickly.';
/** A 1×1 PNG: the patient's photo attachment. */
const PHOTO_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const TEMPLATE_START = 'Thank you for letting us know. This is best looked at in person';

interface PortalThread {
  id: string;
  subject: string;
  status: string;
  messages: { authorKind: string; authorName: string; body: string }[];
}

const e2e = useSignedInDesk({ user: 'clinician1', deviceName: 'Triage desk', pageTimeoutMs: 10_000 });
beforeAll(async () => {
  patientToken = await patientSignIn(e2e.portal, demoMrn(3));
});

describe('a patient message, from the portal to a reply', () => {
  let threadId = '';

  it('appears in the open inbox without a reload', async () => {
    const page = e2e.page;
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Unassigned/ })
      .click();
    // Newest first (the default order is priority since issue 14a): the new thread then comes first.
    await page.getByLabel('Sort by').selectOption('received');
    const threads = page.getByRole('listbox', { name: 'Threads' });
    const before = await threads.getByRole('option').first().getAttribute('aria-label');
    expect(before).not.toContain(SUBJECT);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));

    const created = await patientRequest<{ thread: PortalThread }>(
      e2e.portal,
      patientToken,
      'POST',
      '/portal/threads',
      {
        subject: SUBJECT,
        body: BODY,
        attachment: { fileName: 'blood-pressure.png', mimeType: 'image/png', contentBase64: PHOTO_BASE64 },
      },
    );
    threadId = created.thread.id;

    const row = threads.getByRole('option', { name: new RegExp(SUBJECT) });
    await row.waitFor();
    expect(await row.getAttribute('aria-label')).toContain('unread');
    expect(navigations).toEqual([]);
  });

  it('is claimed and prioritised from the keyboard (j/k, Enter, c, 2)', async () => {
    const page = e2e.page;
    const list = page.getByRole('listbox', { name: 'Threads' });
    await list.focus();
    // The new thread is the newest: it is first. Move away and back with j/k, then open it with Enter.
    await page.keyboard.press('j');
    await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('thread-row-1');
    await page.keyboard.press('k');
    await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('thread-row-0');
    await page.keyboard.press('Enter');
    const thread = page.getByRole('article', { name: SUBJECT });
    await thread.getByText(BODY).waitFor();

    await page.keyboard.press('c');
    await thread.getByText('Assigned to Dr. Amara Okafor').waitFor();
    await page.keyboard.press('2');
    await thread.locator('.thread-badges').getByText('Urgent', { exact: true }).waitFor();
    await expect.poll(() => thread.getByLabel('Priority').inputValue()).toBe('urgent');
  });

  it("downloads and previews the patient's attachment from the encrypted store", async () => {
    const page = e2e.page;
    const thread = page.getByRole('article', { name: SUBJECT });
    const download = page.waitForEvent('download');
    await thread.getByRole('button', { name: 'Download blood-pressure.png' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('blood-pressure.png');
    expect(fs.readFileSync(await file.path()).toString('base64')).toBe(PHOTO_BASE64);
    await thread.getByRole('button', { name: 'Preview blood-pressure.png' }).click();
    const img = thread.getByRole('img', { name: 'Preview of blood-pressure.png' });
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(1);
  });

  it('is answered from a saved template and closed; the patient sees the reply', async () => {
    const page = e2e.page;
    const thread = page.getByRole('article', { name: SUBJECT });
    await thread.getByLabel('Template').selectOption({ label: 'Please book a visit' });
    const reply = thread.getByLabel('Reply', { exact: true });
    await expect.poll(() => reply.inputValue()).toContain(TEMPLATE_START);
    await thread.getByRole('button', { name: 'Send reply' }).click();
    await thread.getByRole('listitem').filter({ hasText: TEMPLATE_START }).waitFor();
    await thread.getByRole('button', { name: /^Mark done/ }).click();
    // Done: it leaves the queue and the next thread opens (issue 14).
    await thread.waitFor({ state: 'detached' });
    await syncBar(page).getByText('All changes synced').waitFor();

    await expect
      .poll(
        async () => {
          const { threads } = await patientRequest<{ threads: PortalThread[] }>(
            e2e.portal,
            patientToken,
            'GET',
            '/portal/threads',
          );
          const mine = threads.find((t) => t.id === threadId);
          return {
            status: mine?.status,
            reply: mine?.messages.some(
              (m) =>
                m.authorKind === 'staff' &&
                m.authorName === 'Dr. Amara Okafor' &&
                m.body.startsWith(TEMPLATE_START),
            ),
          };
        },
        { timeout: 15_000 },
      )
      .toEqual({ status: 'done', reply: true });
  });

  it('finds the message by full-text search, with the match highlighted in a snippet', async () => {
    const page = e2e.page;
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Closed/ })
      .click();
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('inbox-search');
    await page.keyboard.type('dizzy');
    await page.getByText(/^[\d,]+ threads? matching “dizzy”$/).waitFor();
    const row = page
      .getByRole('listbox', { name: 'Threads' })
      .getByRole('option', { name: new RegExp(SUBJECT) });
    await expect.poll(() => row.locator('mark').first().textContent()).toMatch(/dizzy/i);
  });

  it('raised no error in the page (no uncaught exception, no console error, no CSP violation)', () => {
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
