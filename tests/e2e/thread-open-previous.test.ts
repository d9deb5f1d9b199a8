/**
 * Issue 16 §5 (session 8, s8ui): opening a thread within one frame. The opened thread replaces the one shown
 * before in one commit, when its read answers; until then the list shows the new choice at once and the previous
 * thread stays, marked busy and inert (nothing in it can be pressed), for at most SHOW_LOADING_AFTER_MS, after which
 * the pane says it is loading. Nothing of the opened thread shows before its read answers (no prefetch: review 6
 * D16). Chromium through the browser host and the real core; controls by role and label; the core's thread.get is
 * held back (a read that answers late) by wrapping the router, as a slow disk would.
 */
import { describe, expect, it } from 'vitest';
import { holdRouterAnswers, openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('opening another thread', () => {
  it('keeps the previous thread busy and inert until the opened one answers, then shows it', async () => {
    const page = e2e.page;
    // No background fetch of bodies withheld before sign-in changes the list or the open thread meanwhile.
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 4);
    const [first, second, third] = [await subjectOf(0), await subjectOf(1), await subjectOf(2)];
    expect(new Set([first, second, third]).size).toBe(3);
    const article = page.getByRole('article');
    const heading = (subject: string) => page.getByRole('heading', { level: 2, name: subject });

    await rows.nth(0).click();
    await heading(first).waitFor();
    expect(await article.getAttribute('aria-busy')).toBeNull();

    const hold = holdRouterAnswers(e2e.desk, 'thread.get');
    try {
      // In the page, at the commit that shows the choice in the list: what does the pane hold? (Read in that
      // commit's own task, so no timer can have run since.)
      const rowId = (await rows.nth(1).getAttribute('id'))!;
      const atChoice = page.evaluate(
        (id) =>
          new Promise<{ heading: string; busy: string | null; inert: boolean }>((resolve) => {
            const observer = new MutationObserver(() => {
              if (document.getElementById(id)?.getAttribute('aria-selected') !== 'true') return;
              observer.disconnect();
              const a = document.querySelector<HTMLElement>('article.thread');
              resolve({
                heading: a?.querySelector('h2')?.textContent ?? '',
                busy: a?.getAttribute('aria-busy') ?? null,
                inert: a?.inert ?? false,
              });
            });
            observer.observe(document.body, { subtree: true, childList: true, attributes: true });
          }),
        rowId,
      );
      await rows.nth(1).click();
      // The list shows the choice at once; the pane still holds the previous thread, busy and inert.
      expect(await atChoice).toEqual({ heading: first, busy: 'true', inert: true });
      await expect.poll(() => hold.inputs.length).toBeGreaterThan(0);
      expect(await heading(second).count()).toBe(0);
      // Still held past SHOW_LOADING_AFTER_MS: the pane says it is loading, and the previous thread is gone.
      await page.getByText('Loading thread…').waitFor();
      expect(await heading(first).count()).toBe(0);
      expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
      hold.release();
      await heading(second).waitFor();
      expect(await article.getAttribute('aria-busy')).toBeNull();
      expect(await article.evaluate((a) => (a as HTMLElement).inert)).toBe(false);
    } finally {
      hold.restore();
    }

    // Not held: the opened thread replaces the previous one.
    await rows.nth(2).click();
    await heading(third).waitFor();
    expect(await heading(second).count()).toBe(0);
    expect(await article.getAttribute('aria-busy')).toBeNull();
  });
});
