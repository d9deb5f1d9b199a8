/**
 * The queue counts through a first sync's bulk load (session 16): BulkLoad no longer rebuilds `thread_counts` at the
 * end, because the counting triggers (migrations 003, 016, 018) stay during the load. So the triggers alone must
 * leave the counts a count of the threads gives, whatever the load does to them: threads pulled as JSON rows and
 * as objects, pulled again with another status, priority, assignee or provider, deleted by the server, changed on
 * this PC while the load runs, marked seen. The expected counts are the GROUP BY over the threads table that the
 * rebuild ran, written here. Real encrypted store, no server.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../../src-shared/domain';
import type { Change, PullResponse } from '../../src-shared/sync';
import { patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { useTestStore, queueThreadChange } from '../../tests/helpers/sync-store';
import { CURSOR_KEY, applyPullBatch } from '../sync/apply-changes';
import { pullRows, splitPullPage } from '../sync/pull-rows';
import { BulkLoad } from './bulk-load';

const COUNTED = `SELECT status, priority, coalesce(assignee_id, '') AS assignee, coalesce(provider_id, '') AS provider,
    (seen_at IS NULL OR seen_at < last_message_at) AS unread, count(*) AS n
  FROM threads GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
const KEPT = `SELECT status, priority, assignee, provider, unread, n FROM thread_counts WHERE n > 0
  ORDER BY 1, 2, 3, 4, 5`;

const STATUSES = ['new', 'in_progress', 'done'] as const;
const PRIORITIES = ['routine', 'urgent', 'stat'] as const;
/** Thread `i` at `version`: its queue attributes cycle with i and version, so a second pull moves it. */
const thread = (i: number, version: number): ThreadRecord =>
  threadFixture({
    id: `thr-${i}`,
    patientId: `pat-${i % 3}`,
    status: STATUSES[(i + version) % 3]!,
    priority: PRIORITIES[(i * 2 + version) % 3]!,
    assigneeId: (i + version) % 4 === 0 ? null : `stf-${(i + version) % 4}`,
    providerId: (i + version) % 5 === 0 ? null : `prv-${(i + version) % 2}`,
    lastMessageAt: `2026-11-2${i % 10}T09:00:00.000Z`,
    version,
  });

describe('queue counts after a bulk load (session 16: kept by their triggers, not rebuilt)', () => {
  const freshStore = useTestStore('clinic-bulk-counts-');

  it('equal a count of the threads after pulls, re-pulls, deletions, a local change and seen marks', () => {
    const t = freshStore();
    const { store } = t;
    const bulk = BulkLoad.beginIfNew(store, CURSOR_KEY)!;
    expect(bulk).not.toBeNull();
    let cursor = 0;
    /** One pull page; as JSON rows (the worker's split, pull-rows.ts) where the page allows it. */
    const pull = (changes: Change[], asRows: boolean) => {
      const batch: PullResponse = { changes, cursor: String(++cursor), hasMore: true, remaining: 1 };
      const split = asRows ? splitPullPage(batch) : null;
      if (asRows) expect(split, `page ${cursor} as rows`).not.toBeNull();
      if (split) pullRows.set(split.rest, split.rows);
      applyPullBatch(store, split ? split.rest : batch, { bulk });
    };
    const patients = [0, 1, 2].map((p): Change => ({
      entity: 'patient',
      id: `pat-${p}`,
      data: patientFixture({ id: `pat-${p}` }),
    }));
    const threads = (from: number, to: number, version: number): Change[] =>
      Array.from({ length: to - from }, (_, k) => {
        const data = thread(from + k, version);
        return { entity: 'thread', id: data.id, data };
      });
    pull([...patients, ...threads(1, 41, 1)], true);
    pull(threads(1, 21, 2), true); // pulled again: status, priority, assignee, provider move
    pull(threads(11, 16, 3), false); // as objects
    pull(
      [11, 12, 30].map((i): Change => ({ entity: 'thread', id: `thr-${i}`, data: null })), // deleted on the server
      false,
    );
    queueThreadChange(store, { op: 'thread.setPriority', priority: 'stat' }); // thr-1, on this PC
    store.db.transaction(() => {
      store.threads.markSeen('thr-2', '2026-11-30T00:00:00.000Z');
      store.threads.markSeen('thr-25', '2026-11-30T00:00:00.000Z');
    })();
    pull(threads(21, 26, 2), true);
    bulk.markLoaded();
    bulk.finish();

    const expected = store.db.prepare(COUNTED).all();
    expect(expected.length).toBeGreaterThan(10);
    expect(store.db.prepare('SELECT count(*) FROM threads').pluck().get()).toBe(37);
    expect(store.db.prepare(KEPT).all()).toEqual(expected);
  });
});
