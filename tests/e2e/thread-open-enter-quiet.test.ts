/**
 * Issue 16 §5 (session 9, s9ui): Enter on the thread list opens the thread under the cursor without changing
 * anything on screen in its own task: it only sends `thread.get`; the thread and the selection are shown together
 * when the read answers (state/inbox.ts openThread). Why it matters: Chromium defers a page's other tasks after a
 * discrete input whose task asks for a frame (a DOM or style change, a requestAnimationFrame) until that frame has
 * begun (DeferRendererTasksAfterInput, on by default), the WebSocket message carrying the read's answer included.
 * A trace of the UI bench showed every keyboard open's answer waiting so, for up to a display refresh (16.7 ms),
 * while the bench's own frame counter asked for that frame; a change made in Enter's task would do the same to a
 * person's every keyboard open. Real keys through Playwright; the read is held so its answer cannot land inside
 * the window watched. The same watch on ↓ (which moves the cursor: a change on screen) shows the watch sees changes.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

/**
 * Watch the DOM during the task of the next keydown: mutation records delivered from the keydown's dispatch until
 * a message posted from its first listener runs (that message runs once the keydown's task, with its microtasks and
 * React's render of a discrete event, is over). Resolves `window.__seen` with "tag attr/childList" per record.
 */
function watchNextKeyTask(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __seen: Promise<string[]> };
    w.__seen = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      let during = false;
      const observer = new MutationObserver((records) => {
        if (!during) return;
        for (const r of records)
          seen.push(`${(r.target as Element).tagName ?? '#text'} ${r.attributeName ?? r.type}`);
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
      window.addEventListener(
        'keydown',
        () => {
          during = true;
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            // Records queued by the task's last changes are delivered before this message (a microtask).
            observer.takeRecords().forEach(() => seen.push('late record'));
            during = false;
            observer.disconnect();
            resolve(seen);
          };
          channel.port2.postMessage(null);
        },
        { capture: true, once: true },
      );
    });
  });
}

const seenInKeyTask = (page: Page) =>
  page.evaluate(() => (window as unknown as { __seen: Promise<string[]> }).__seen);

describe('Enter on the thread list (issue 16 §5)', () => {
  it('changes nothing on screen in its own task: it only asks for the thread', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 3);
    const subjects = await Promise.all([0, 1].map(subjectOf));
    expect(subjects[0]).not.toBe(subjects[1]);
    await rows.nth(0).click();
    await page.getByRole('heading', { level: 2, name: subjects[0] }).waitFor();
    const list = page.getByRole('listbox', { name: 'Threads' });
    await list.focus();

    // ↓ moves the cursor: the watch sees that change in ↓'s own task.
    await watchNextKeyTask(page);
    await page.keyboard.press('ArrowDown');
    expect(await seenInKeyTask(page)).not.toEqual([]);
    await expect
      .poll(() => list.getAttribute('aria-activedescendant'))
      .toBe(await rows.nth(1).getAttribute('id'));

    const router = e2e.desk.core.router;
    const call = router.call.bind(router);
    const reads: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    router.call = async (method, input, caller) => {
      const result = await call(method, input, caller);
      if (method === 'thread.get') {
        reads.push((input as { threadId: string }).threadId);
        await gate;
      }
      return result;
    };
    try {
      await watchNextKeyTask(page);
      await page.keyboard.press('Enter');
      // Enter's task asked for the thread (the read reached the core) and changed nothing in the DOM.
      await expect.poll(() => reads.length).toBe(1);
      expect(await seenInKeyTask(page)).toEqual([]);
      release();
      // The open went through: the thread under the cursor is shown once its read answers.
      await page.getByRole('heading', { level: 2, name: subjects[1] }).waitFor();
      expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
    } finally {
      release();
      router.call = call;
    }
  });
});
