/**
 * Issue 16 §5 (session 6, s6ui): opening a thread clears its row's unread mark in the frame that shows the
 * thread, from the read's own answer (its "seen" mark commits with the read), instead of reading the whole list
 * again 150 ms later; the queue's unread count follows. Chromium through the browser host, by role and label;
 * expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import { useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('opening an unread thread', () => {
  it('shows its row read together with the thread, counts it out of the queue badge, and reads no list again', async () => {
    const page = e2e.page;
    const queues = page.getByRole('navigation', { name: 'Queues' });
    await queues.getByRole('button', { name: /^All open/ }).click();
    const list = page.getByRole('listbox', { name: 'Threads' });
    const unread = list.getByRole('option', { name: /, unread$/ });
    await unread.first().waitFor();
    const row = unread.first();
    const rowId = (await row.getAttribute('id'))!;
    const label = (await row.getAttribute('aria-label'))!;
    const subject = label.split(', ')[1]!;
    // The queue button's badge: "<n> unread" (none when nothing is unread).
    const badge = async () => {
      const count = queues.getByRole('button', { name: /^All open/ }).getByLabel(/^\d+ unread$/);
      return (await count.count()) === 0
        ? 0
        : Number((await count.getAttribute('aria-label'))!.split(' ')[0]);
    };
    const before = await badge();
    expect(before).toBeGreaterThan(0);

    // The core's inbox.list calls from now on (the page's list reads).
    const listCalls: string[] = [];
    const router = e2e.desk.core.router;
    const call = router.call.bind(router);
    router.call = (method, input, caller) => {
      if (method === 'inbox.list') listCalls.push(method);
      return call(method, input, caller);
    };
    try {
      // In the page: the moment the thread's heading is in the DOM, what does its row say?
      const rowAtShow = page.evaluate(
        ([id, s]) =>
          new Promise<string>((resolve) => {
            const observer = new MutationObserver(() => {
              const h = document.querySelector('article.thread h2');
              if (h?.textContent !== s) return;
              observer.disconnect();
              resolve(document.getElementById(id)?.getAttribute('aria-label') ?? '');
            });
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          }),
        [rowId, subject] as const,
      );
      await row.click();
      expect(await rowAtShow).not.toMatch(/, unread$/);
      await page.getByRole('heading', { level: 2, name: subject }).waitFor();
      // The queue badge counts one unread thread fewer once the counts are read again.
      await expect.poll(badge).toBe(before - 1);
      expect(await page.locator(`#${rowId}`).getAttribute('aria-label')).not.toMatch(/, unread$/);
      expect(listCalls).toEqual([]);
    } finally {
      router.call = call;
    }
  });
});
