/**
 * Session 11 (left from session 10's reviews): a reply draft of a thread the person switched away from. A nurse who
 * typed a reply, went to another queue and came back finds her draft in the reply box; drafts are PHI in memory, so
 * at most DRAFTS_KEPT (5) are kept, the least recently typed going first (src-renderer/src/state/inbox.ts).
 * Real Chromium through the browser host, real core, portal and store; expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { openInboxByReceived, postPatientThreads, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1', deviceName: 'Drafts desk' });

const THREADS = [1, 2, 3, 4, 5, 6].map((n) => ({
  subject: `Question ${n} about the Tarvelgrun clinic`,
  body: `Patient question number ${n}: where is the Tarvelgrun clinic entrance?`,
  topic: 'scheduling',
}));
const draft = (n: number) => `Dear patient, answer ${n} about Tarvelgrun`;

beforeAll(async () => {
  await postPatientThreads(e2e.portal, demoMrn(17), THREADS, e2e.desk);
  await openInboxByReceived(e2e.page);
});

describe('reply drafts of threads switched away from (clinician)', () => {
  const page = () => e2e.page;
  const queue = (name: RegExp) =>
    page().getByRole('navigation', { name: 'Queues' }).getByRole('button', { name }).click();
  const reply = () => page().getByLabel('Reply', { exact: true });
  async function open(n: number): Promise<void> {
    const t = THREADS[n - 1]!;
    await page()
      .getByRole('listbox', { name: 'Threads' })
      .getByRole('option')
      .filter({ hasText: t.subject })
      .click();
    await page().getByText(t.body).waitFor();
  }
  async function typeDraft(n: number): Promise<void> {
    await open(n);
    await reply().click();
    await page().keyboard.type(draft(n));
    await expect.poll(() => reply().inputValue()).toBe(draft(n));
  }

  it('keeps a draft across a queue switch: it is back in the reply box on return', async () => {
    await queue(/^All open/);
    await typeDraft(1);
    await queue(/^Closed/);
    await queue(/^All open/);
    await open(1);
    await expect.poll(() => reply().inputValue()).toBe(draft(1));
  });

  it('keeps the five most recently typed: a sixth drops the draft typed least recently', async () => {
    for (const n of [2, 3, 4, 5, 6]) await typeDraft(n);
    await open(1);
    await expect.poll(() => reply().inputValue()).toBe('');
    for (const n of [2, 3, 4, 5, 6]) {
      await open(n);
      await expect.poll(() => reply().inputValue()).toBe(draft(n));
    }
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
