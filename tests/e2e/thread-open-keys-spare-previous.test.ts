/**
 * Review 9 (s8ui): since session 8 an open (Enter, a click) leaves the selection on the previous thread until the
 * opened one's read answers (or SHOW_CHOICE_AFTER_MS), while that previous thread stays fully interactive. The
 * thread shortcuts act on `openThreadId()` (detail shown AND selected): in that window they act on the thread the
 * person just left. Keys typed in a burst (j, Enter, d: open the next thread and mark it done) mark the PREVIOUS
 * thread done. Before session 8, Enter selected the new thread in its own task and `d` then acted on nothing.
 * The opened thread's read is held (a slow disk) so the window is certain; the keys are dispatched back to back in
 * one task of the page, as queued key events are. Expected: no action lands on the thread the person left.
 */
import { describe, expect, it } from 'vitest';
import { openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('a shortcut typed right after opening another thread (review 9, R9-2)', () => {
  it('does not act on the thread shown before', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 4);
    const first = await subjectOf(0);

    const router = e2e.desk.core.router;
    const call = router.call.bind(router);
    const calls: { method: string; threadId?: string }[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let holding = false;
    router.call = async (method, input, caller) => {
      calls.push({ method, threadId: (input as { threadId?: string } | null)?.threadId });
      const result = await call(method, input, caller);
      if (method === 'thread.get' && holding) await gate;
      return result;
    };
    try {
      await rows.nth(0).click();
      await page.getByRole('heading', { level: 2, name: first }).waitFor();
      const shown = calls.filter((c) => c.method === 'thread.get').at(-1)!.threadId!;
      expect(shown).toBeTruthy();

      holding = true;
      // j: cursor to the next row; Enter: open it; d: "mark the open thread done" — typed in a burst.
      await page.evaluate(() => {
        for (const key of ['j', 'Enter', 'd'])
          document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      });
      // The opened thread's read reached the core (asked in Enter's task, before d); then let it answer and wait
      // for the pane to show a thread that is not busy, so every call the keys made has arrived.
      await expect
        .poll(() => calls.some((c) => c.method === 'thread.get' && c.threadId !== shown))
        .toBe(true);
      open();
      await page.getByRole('heading', { level: 2, name: await subjectOf(1) }).waitFor();
      await expect.poll(() => page.getByRole('article').getAttribute('aria-busy')).toBeNull();
      // Nothing was done to the thread the person left.
      const onShown = calls
        .filter((c) => c.method !== 'thread.get' && c.threadId === shown)
        .map((c) => c.method);
      expect(onShown).toEqual([]);
      expect(e2e.desk.core.store.threads.byId(shown)?.status).not.toBe('done');
    } finally {
      open();
      router.call = call;
    }
  });
});
