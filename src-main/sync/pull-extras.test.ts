/**
 * Issue 16 §2 (session 8, s8sync): the pull decoder's worker makes each page's search-vocabulary words
 * (PullExtras), so a bulk load's batch adds them without folding the bodies again on the main thread. The words
 * are those the store's own fold gives (written here by hand); the apply takes them only when they are of exactly
 * the bodies it writes, and folds the bodies itself otherwise (a message skipped for a pending local reply).
 * Real worker thread, real encrypted stores.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Change, PullResponse } from '../../src-shared/sync';
import { messageFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore } from '../../tests/helpers/sync-store';
import { BulkLoad } from '../store/bulk-load';
import type { Store } from '../store/store';
import { CURSOR_KEY, applyPullBatch } from './apply-changes';
import { PullDecoder, PullFeed } from './pull-decoder';
import { pullExtras, pullExtrasOf } from './pull-extras';
import type { FeedRequest } from './pull-worker';

const BODIES = ['Blood PRESSURE 120/80 today, thanks', 'Café crème: my BLOOD test', 'ok'];
/** Words of three or more characters, folded (lower case, accents gone), each once: by hand. */
const WORDS = ['blood', 'cafe', 'creme', 'pressure', 'test', 'thanks', 'today', '120'].sort();

function page(): PullResponse {
  const changes: Change[] = [{ entity: 'patient', id: 'p1', data: patientFixture({ id: 'p1' }) }];
  BODIES.forEach((body, i) => {
    const thread = threadFixture({ id: `t${i}`, patientId: 'p1' });
    changes.push({ entity: 'thread', id: thread.id, data: thread });
    changes.push({
      entity: 'message',
      id: `m${i}`,
      data: messageFixture({ id: `m${i}`, threadId: `t${i}`, body }),
    });
  });
  changes.push({ entity: 'message', id: 'm-gone', data: null });
  return { changes, cursor: String(changes.length), hasMore: true, remaining: 5 };
}

const stores: TestStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.dispose();
});
function bulkStore(): { store: Store; bulk: BulkLoad } {
  const s = makeTestStore('clinic-pull-extras-');
  stores.push(s);
  return { store: s.store, bulk: BulkLoad.beginIfNew(s.store, CURSOR_KEY)! };
}
const vocabulary = (store: Store): string[] =>
  store.db.prepare<[], string>('SELECT term FROM search_vocab ORDER BY term').pluck().all();

describe('pull extras: the page vocabulary words are made in the worker (issue 16 §2)', () => {
  const decoder = new PullDecoder();
  afterAll(() => decoder.close());

  it('the worker sends the words of the page message bodies with the page', async () => {
    expect(await decoder.whenReady()).toBe(true);
    const batch = await decoder.decode(new TextEncoder().encode(JSON.stringify(page())));
    const extras = pullExtras.get(batch);
    expect(extras?.messages).toBe(3); // the deletion has no body
    expect([...extras!.messageWords].sort()).toEqual(WORDS);
    expect(new Set(extras!.messageWords).size).toBe(extras!.messageWords.length);
  });

  it('a feed event hands its extras to the page and drops them from the event', async () => {
    const sent: FeedRequest[] = [];
    const feed = new PullFeed(1, (m) => sent.push(m));
    const batch = page();
    feed.deliver({ feedId: 1, event: { kind: 'batch', batch, extras: pullExtrasOf(batch) } });
    const event = await feed.next();
    expect(event.kind === 'batch' && event.batch).toBe(batch);
    expect(event).not.toHaveProperty('extras');
    expect([...pullExtras.get(batch)!.messageWords].sort()).toEqual(WORDS);
  });

  it('a bulk load batch adds the worker words without folding the bodies again', () => {
    const { store, bulk } = bulkStore();
    const batch = page();
    // A word no body holds: it reaches the vocabulary only if the apply took the worker's list.
    pullExtras.set(batch, { messages: 3, messageWords: [...WORDS, 'fromtheworker'] });
    applyPullBatch(store, batch, { bulk });
    expect(vocabulary(store)).toEqual([...WORDS, 'fromtheworker'].sort());
    bulk.finish();
  });

  it('folds the bodies itself when a message was skipped for a pending local reply', () => {
    const { store, bulk } = bulkStore();
    store.outbox.add({
      id: 'o1',
      entity: 'message',
      entityId: 'm1',
      baseVersion: null,
      mutation: { op: 'message.send', messageId: 'm1', body: 'Café crème: my BLOOD test' },
      staffId: 's1',
      createdAt: new Date().toISOString(),
    });
    const batch = page();
    pullExtras.set(batch, { messages: 3, messageWords: [...WORDS, 'fromtheworker'] });
    applyPullBatch(store, batch, { bulk });
    // m1 (the café body) was not written: its words are not added, nor is the worker's list used.
    expect(vocabulary(store)).toEqual(['blood', 'pressure', 'thanks', 'today', '120'].sort());
    bulk.finish();
  });
});
