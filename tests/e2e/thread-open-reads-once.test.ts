/**
 * Review 9 (s8ui): an open asks for the thread's detail (an audited read that marks it seen) in the input's task and
 * tells the pane not to ask again (openedLoad, matched on the data version). Since session 8 the selection is shown
 * only when the read answers or after SHOW_CHOICE_AFTER_MS; if records change in between (any pull, another
 * window's write), the pane sees another data version when the choice shows and reads the thread a second time:
 * two audited reads (two 'read' events on the patient's trail) for one open. Before session 8 the pane took the
 * open's read in the click's own commit. The open's read is held past 30 ms and a write to ANOTHER thread is made
 * through the core meanwhile. Expected: one thread.get for the opened thread.
 */
import { describe, expect, it } from 'vitest';
import { holdRouterAnswers, openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('records change while an opened thread is read (review 9, R9-5)', () => {
  it('the opened thread is read once', async () => {
    const page = e2e.page;
    const { rows, subjectOf } = await openAllOpenQueue(e2e.desk, 4);
    const [first, second] = [await subjectOf(0), await subjectOf(1)];
    await rows.nth(0).click();
    await page.getByRole('article').getByRole('heading', { level: 2, name: first }).waitFor();

    const router = e2e.desk.core.router;
    const caller = { origin: new URL(e2e.desk.host.url).origin, isMainFrame: true };
    const hold = holdRouterAnswers(e2e.desk, 'thread.get');
    const gets = hold.inputs as { threadId: string }[];
    try {
      await rows.nth(1).click();
      await expect.poll(() => gets.length).toBe(1);
      const opened = gets[0]!.threadId;
      // The list shows the choice (SHOW_CHOICE_AFTER_MS passed without an answer).
      await expect.poll(() => rows.nth(1).getAttribute('aria-selected')).toBe('true');
      // Meanwhile a write to another thread (the one shown before) changes the data version.
      const other = e2e.desk.core.store.db
        .prepare('SELECT id FROM threads WHERE id <> ? AND status <> ? LIMIT 1')
        .pluck()
        .get(opened, 'done') as string;
      const changed = await router.call(
        'thread.setPriority',
        { threadId: other, priority: 'urgent' },
        caller,
      );
      expect(changed.ok).toBe(true);
      await page.getByText('Loading thread…').waitFor();
      hold.release();
      await page.getByRole('article').getByRole('heading', { level: 2, name: second }).waitFor();
      await expect.poll(() => page.getByRole('article').getAttribute('aria-busy')).toBeNull();
      expect(gets.filter((g) => g.threadId === opened)).toHaveLength(1);
    } finally {
      hold.release();
      hold.restore();
    }
  });
});
