/**
 * Review 9 (s8ui, the kind of R9-2): a row click no longer moves the list's cursor in its own task; the cursor moves
 * with the opened thread when its read answers (state/inbox.ts openThread, `ui` kept in pendingOpen). Keys typed
 * right after the click (a slow read) act from the OLD cursor: click row 3, then `j` and `Enter` (the next row)
 * opens row 1 — an audited read that marks a thread seen which nobody chose — instead of row 4. Before session 8
 * the click moved the cursor at once. The reads are held (a slow disk) so the window is certain; the click and the
 * keys are dispatched back to back in one task of the page, as queued input is. Expected: row 4 opens.
 * Session 14: the clicked row's cursor is shown only with the read's answer (state/ui.ts shownCursor), so the list's
 * own keys (↓, ↑, Space, on the focused list) must move on from the clicked row too, not from the cursor still shown:
 * the second case (↓ then Enter on the focused list) opened row 1 before VirtualList took `keyCursor`.
 */
import { describe, expect, it } from 'vitest';
import { holdRouterAnswers, openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

/**
 * Opens row 0, then, with every `thread.get` answer held (a slow disk), clicks row 3 and dispatches `keys` as
 * keydowns on `keyTarget` ('body': the app's shortcuts; 'list': the focused list's own keys) in the same task of
 * the page, as queued input is. Releases the reads and checks that the thread opened last is row 4's (the row after
 * the clicked one), with the list's cursor on it.
 */
async function clickRowThenKeys(keys: string[], keyTarget: 'body' | 'list'): Promise<void> {
  const page = e2e.page;
  const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 6);
  const subjects = await Promise.all([0, 1, 2, 3, 4].map(subjectOf));
  expect(new Set(subjects).size).toBe(5);
  await rows.nth(0).click();
  await page.getByRole('heading', { level: 2, name: subjects[0] }).waitFor();
  const list = page.getByRole('listbox', { name: 'Threads' });
  if (keyTarget === 'list') await list.focus();

  const held = holdRouterAnswers(e2e.desk, 'thread.get');
  try {
    const rowId = (await rows.nth(3).getAttribute('id'))!;
    await page.evaluate(
      ({ id, keys, keyTarget }) => {
        const target =
          keyTarget === 'list'
            ? document.querySelector('[role="listbox"][aria-label="Threads"]')!
            : document.body;
        document.getElementById(id)!.click();
        for (const key of keys)
          target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      },
      { id: rowId, keys, keyTarget },
    );
    await expect.poll(() => held.inputs.length).toBeGreaterThan(1);
    held.release();
    await expect.poll(() => page.getByRole('article').getAttribute('aria-busy')).toBeNull();
    const heading = page.getByRole('article').getByRole('heading', { level: 2 });
    await expect.poll(async () => (await heading.textContent()) ?? '').not.toBe(subjects[0]);
    expect(await heading.textContent()).toBe(subjects[4]);
    expect(await list.getAttribute('aria-activedescendant')).toBe(await rows.nth(4).getAttribute('id'));
  } finally {
    held.release();
    held.restore();
  }
}

describe('keys typed right after a row click (review 9, R9-4)', () => {
  it('move on from the clicked row, not from the row before', async () => {
    await clickRowThenKeys(['j', 'Enter'], 'body');
  });

  it('move on from the clicked row when they reach the focused list itself (↓, then Enter)', async () => {
    await clickRowThenKeys(['ArrowDown', 'Enter'], 'list');
  });
});
