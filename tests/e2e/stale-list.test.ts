/**
 * Issue 16 §5 (session 7): a switch to a queue seen before a change of records shows its kept list at once, dimmed
 * and marked as updating (the listbox is aria-busy), only until the read that replaces it answers; a thread that
 * left the queue meanwhile (done elsewhere) is then gone. The read is held back here (the router's answer waits
 * for the test) to see the list in between; Chromium through the browser host, the real core, portal and store;
 * controls by role and label; expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../src-main/ipc/types';
import type { ThreadSummary } from '../../src-shared/views';
import { useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1', deviceName: 'Stale list desk', pageTimeoutMs: 10_000 });

describe('a queue seen before a change', () => {
  it('shows its kept list as updating until read again, then without the thread that left it', async () => {
    const page = e2e.page;
    const queues = page.getByRole('navigation', { name: 'Queues' });
    const list = page.getByRole('listbox', { name: 'Threads' });
    await queues.getByRole('button', { name: /^Unassigned/ }).click();
    const core = e2e.desk.core;
    const router = core.router;
    const call = router.call.bind(router);
    const caller = { origin: new URL(e2e.desk.host.url).origin, isMainFrame: true };
    // The first row's thread, as the core lists it for this queue (the page's order): it is done from elsewhere
    // below. Its row is found by its label, which begins with the patient's name and the subject.
    const top = await call('inbox.list', { queue: 'unassigned', offset: 0, limit: 1 }, caller);
    const thread = (top as { value: { threads: ThreadSummary[] } }).value.threads[0]!;
    const threadId = thread.id;
    const label = `${thread.patientName}, ${thread.subject}, `;
    const rowOf = () => list.getByRole('option', { name: label });
    await expect
      .poll(async () =>
        (await list.getByRole('option').first().getAttribute('aria-label'))?.startsWith(label),
      )
      .toBe(true);
    const rows = await rowOf().count();
    await queues.getByRole('button', { name: /^Closed/ }).click();
    await expect.poll(() => rowOf().count()).toBe(0);

    // The core's answers to the page: hold back the Unassigned list's reads until released.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const closedReads: Promise<CallResult>[] = [];
    router.call = async (method, input, from) => {
      const queue = method === 'inbox.list' ? (input as { queue?: string }).queue : undefined;
      if (queue === 'unassigned') await held;
      const answer = call(method, input, from);
      if (queue === 'closed') closedReads.push(answer);
      return answer;
    };
    try {
      // Done from elsewhere (through the core, as another window of this console would): the page hears of the
      // change, and the Closed list shown is read again.
      const done = await call('thread.setStatus', { threadId, status: 'done' }, caller);
      expect(done.ok).toBe(true);
      await expect.poll(() => closedReads.length).toBeGreaterThan(0);
      await Promise.all(closedReads);

      await queues.getByRole('button', { name: /^Unassigned/ }).click();
      // At once, while its read is held: the kept list, busy and saying so, with the thread done meanwhile.
      await expect.poll(() => list.getAttribute('aria-busy')).toBe('true');
      expect(await rowOf().count()).toBe(rows);
      await page.getByText('· updating…').waitFor();

      release();
      await expect.poll(() => list.getAttribute('aria-busy')).toBeNull();
      await expect.poll(() => rowOf().count()).toBe(rows - 1);
      expect(await page.getByText('· updating…').count()).toBe(0);
    } finally {
      release();
      router.call = call;
    }
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
