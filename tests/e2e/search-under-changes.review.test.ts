/**
 * Review 9, unconfirmed suspicion 5 (sec8), confirmed by fix9a: a search list is blanked at every change of
 * records and any search answer asked before a change is dropped (state/inbox.ts staleFirstPages, loadPage). Under a
 * steady stream of changes faster than a search read (a long first sync, a catch-up pull), no search answer is ever
 * shown. Here each search read takes 60 ms (its answer is held back: a slow disk) and a change is made through the
 * core every ~20 ms (as another window or a pull would), at most 80 changes. Expected: the search shows its rows
 * while the changes go on. Kept as a review test (not in `npm test`): it fails until the fix (see REVIEW9 notes).
 */
import { describe, expect, it } from 'vitest';
import { openAllOpenQueue, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('a search while records keep changing', () => {
  it('shows its rows before the changes stop', async () => {
    const page = e2e.page;
    const { rows } = await openAllOpenQueue(e2e.desk);
    const word = (await rows.nth(0).getAttribute('aria-label'))!.split(', ')[1]!.split(' ')[0]!;
    const target = e2e.desk.core.store.db
      .prepare('SELECT id FROM threads WHERE status <> ? LIMIT 1')
      .pluck()
      .get('done') as string;

    const router = e2e.desk.core.router;
    const call = router.call.bind(router);
    const caller = { origin: new URL(e2e.desk.host.url).origin, isMainFrame: true };
    let searches = 0;
    router.call = async (method, input, from) => {
      const result = await call(method, input, from);
      if (method === 'inbox.list' && (input as { search?: string }).search !== undefined) {
        searches++;
        await new Promise((r) => setTimeout(r, 60));
      }
      return result;
    };
    try {
      await page.getByLabel('Search messages').fill(word);
      let shown = false;
      for (let i = 0; i < 80 && !shown; i++) {
        const priority = i % 2 === 0 ? 'urgent' : 'routine';
        expect((await call('thread.setPriority', { threadId: target, priority }, caller)).ok).toBe(true);
        await new Promise((r) => setTimeout(r, 20));
        shown = (await rows.count()) > 0;
      }
      expect(searches).toBeGreaterThan(1);
      expect(shown).toBe(true);
    } finally {
      router.call = call;
    }
  });
});
