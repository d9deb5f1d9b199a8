/**
 * Review 9, suspicion 5 (session 9, s9sec): every `data.changed` a console core emits, for its own writes as for
 * pulled ones, says whether the change may have taken out of the person's reach something a list showed
 * (OUT_OF_REACH, src-shared/data-changes.ts): the renderer drops a search answer asked before such a change only.
 * Session 8's marker saw pulled deletions only, and a console's own `thread.route` (a receptionist's "Move to pool")
 * was emitted as a plain local change. Real console core, store and backend on loopback; expected values by hand.
 */
import { describe, expect, it } from 'vitest';
import { OUT_OF_REACH } from '../../src-shared/data-changes';
import { useSyncedConsole } from '../helpers/synced-consoles';

const set = useSyncedConsole('reception1');

describe('data.changed from the console’s own changes', () => {
  /** The entity lists of the data.changed events `act` causes (its own; the pushes and pulls it starts later too). */
  async function changedBy(act: () => Promise<unknown>): Promise<string[][]> {
    const seen: string[][] = [];
    const stop = set.console.core.events.subscribe((event, payload) => {
      if (event === 'data.changed') seen.push([...(payload as { entities: string[] }).entities]);
    });
    try {
      await act();
    } finally {
      stop();
    }
    return seen;
  }

  const frontDeskThread = () =>
    set.console.core.store.db
      .prepare(`SELECT id FROM threads WHERE pool_id = 'front-desk' AND status <> 'done' ORDER BY id LIMIT 1`)
      .pluck()
      .get() as string;

  it('is not marked for a change that withholds nothing (a priority), and is for a move to a clinical pool', async () => {
    const clinic = set.console;
    const threadId = frontDeskThread();
    expect(await changedBy(() => clinic.ok('thread.setPriority', { threadId, priority: 'urgent' }))).toEqual([
      ['local'],
    ]);
    expect(await changedBy(() => clinic.ok('thread.route', { threadId, poolId: 'results' }))).toEqual([
      ['local', OUT_OF_REACH],
    ]);
    // The push and the pull that bring the server's copy back (the same pool) withhold nothing more.
    const later = await changedBy(() => clinic.ok('sync.now'));
    expect(later.filter((entities) => entities.includes(OUT_OF_REACH))).toEqual([]);
  });
});
