/**
 * Issue 16 §5: opening a thread from the list changes nothing on screen in the input's own task; the input only
 * sends `thread.get`, and the thread, the selection and (for a click) the list's cursor are shown together when the
 * read answers (state/inbox.ts openThread; state/ui.ts shownCursor). Why it matters: Chromium defers a page's other
 * tasks after a discrete input whose task asks for a frame (a DOM or style change, a requestAnimationFrame) until
 * that frame has begun (DeferRendererTasksAfterInput, on by default), the WebSocket message carrying the read's
 * answer included. A trace of the UI bench showed every keyboard open's answer waiting so, for up to a display
 * refresh (16.7 ms), while the bench's frame counter asked for that frame (session 9); in session 14 the mouse open
 * still did, because the click moved the list's cursor on screen in its own task (`--only ui`, 100 mouse opens a
 * run: the thread in the first frame after the click in 67–85 opens on main, 99 with the cursor shown with the
 * answer; docs/performance-history.md, "Session 14"). A click that brings the focus to the list from elsewhere
 * changes the screen anyway (the focused list's style): then the cursor is shown at once, with the focus.
 * Real keys and a real mouse through Playwright; the read is held so its answer cannot land inside the window
 * watched. The same watch on ↓ (which moves the cursor: a change on screen) shows the watch sees changes.
 */
import { describe, expect, it } from 'vitest';
import {
  holdRouterAnswers,
  openAllOpenQueue,
  seenInInputTask,
  useSignedInDesk,
  watchNextInputTask,
} from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('opening a thread from the list (issue 16 §5)', () => {
  it('by Enter changes nothing on screen in its own task: it only asks for the thread', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 3);
    const subjects = await Promise.all([0, 1].map(subjectOf));
    expect(subjects[0]).not.toBe(subjects[1]);
    await rows.nth(0).click();
    await page.getByRole('heading', { level: 2, name: subjects[0] }).waitFor();
    const list = page.getByRole('listbox', { name: 'Threads' });
    await list.focus();

    // ↓ moves the cursor: the watch sees that change in ↓'s own task.
    await watchNextInputTask(page, 'keydown');
    await page.keyboard.press('ArrowDown');
    expect(await seenInInputTask(page)).not.toEqual([]);
    await expect
      .poll(() => list.getAttribute('aria-activedescendant'))
      .toBe(await rows.nth(1).getAttribute('id'));

    const held = holdRouterAnswers(e2e.desk, 'thread.get');
    try {
      await watchNextInputTask(page, 'keydown');
      await page.keyboard.press('Enter');
      // Enter's task asked for the thread (the read reached the core) and changed nothing in the DOM.
      await expect.poll(() => held.inputs.length).toBe(1);
      expect(await seenInInputTask(page)).toEqual([]);
      held.release();
      // The open went through: the thread under the cursor is shown once its read answers.
      await page.getByRole('heading', { level: 2, name: subjects[1] }).waitFor();
      expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
    } finally {
      held.release();
      held.restore();
    }
  });

  it('by a click changes nothing on screen in its own task; the cursor moves with the thread', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 4);
    const subjects = await Promise.all([0, 2].map(subjectOf));
    expect(subjects[0]).not.toBe(subjects[1]);
    await rows.nth(0).click();
    await page.getByRole('heading', { level: 2, name: subjects[0] }).waitFor();
    const list = page.getByRole('listbox', { name: 'Threads' });
    const firstRow = await rows.nth(0).getAttribute('id');
    expect(await list.getAttribute('aria-activedescendant')).toBe(firstRow);

    const held = holdRouterAnswers(e2e.desk, 'thread.get');
    try {
      await watchNextInputTask(page, 'click');
      await rows.nth(2).click();
      // The click's task asked for the thread and changed nothing in the DOM (main before session 14 moved the
      // cursor there: the row's class and the list's aria-activedescendant).
      await expect.poll(() => held.inputs.length).toBe(1);
      expect(await seenInInputTask(page)).toEqual([]);
      held.release();
      // The thread, its selection and the cursor on its row are shown together once the read answers (a read
      // held past SHOW_CHOICE_AFTER_MS shows the selection and the cursor first, state/inbox.ts).
      await page.getByRole('heading', { level: 2, name: subjects[1] }).waitFor();
      expect(await rows.nth(2).getAttribute('aria-selected')).toBe('true');
      expect(await list.getAttribute('aria-activedescendant')).toBe(await rows.nth(2).getAttribute('id'));
    } finally {
      held.release();
      held.restore();
    }
  });

  it('by a click from outside the list shows the cursor at once, with the focus it brings', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 4);
    const subjects = await Promise.all([0, 2].map(subjectOf));
    await rows.nth(0).click();
    await page.getByRole('heading', { level: 2, name: subjects[0] }).waitFor();
    await page.getByRole('searchbox').focus();

    const held = holdRouterAnswers(e2e.desk, 'thread.get');
    try {
      await watchNextInputTask(page, 'click');
      await rows.nth(2).click();
      await expect.poll(() => held.inputs.length).toBe(1);
      // The click's task showed the cursor on the clicked row (its class), not only the focus.
      const seen = await seenInInputTask(page);
      expect(seen.filter((line) => line === 'DIV class').length).toBeGreaterThanOrEqual(2);
      const list = page.getByRole('listbox', { name: 'Threads' });
      expect(await list.getAttribute('aria-activedescendant')).toBe(await rows.nth(2).getAttribute('id'));
      held.release();
      await page.getByRole('heading', { level: 2, name: subjects[1] }).waitFor();
      expect(await rows.nth(2).getAttribute('aria-selected')).toBe('true');
    } finally {
      held.release();
      held.restore();
    }
  });
});
