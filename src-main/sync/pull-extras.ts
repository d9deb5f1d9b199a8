/**
 * Work derived from a pull page in the pull decoder's worker thread, for the main thread's apply (issue 16 §2;
 * session 8, s8sync). Imported by the worker (pull-worker.ts, pull-feed.ts) and by the main thread
 * (pull-decoder.ts, apply-changes.ts); each thread has its own copy of this module.
 */
import type { PullResponse } from '../../src-shared/sync';
import { vocabularyWordsOf } from '../store/repos/search-index';

/**
 * What the pull decoder's worker derives from a validated page for the main thread's apply, so that work leaves
 * the main thread (issue 16 §2; session 8, s8sync): the search-vocabulary words of the page's message bodies
 * (a bulk load adds them in the batch's transaction: BulkLoad.noteSearchWords; 0.7 CPU-s of the main thread at
 * scale 100, bench/profile-sync.ts).
 */
export interface PullExtras {
  /** The message changes with a body in the page: the words below are of exactly these bodies. */
  messages: number;
  /** vocabularyWordsOf the page's message bodies. */
  messageWords: string[];
}

/** The extras of a validated page (pure). */
export function pullExtrasOf(batch: PullResponse): PullExtras {
  const bodies: string[] = [];
  for (const change of batch.changes)
    if (change.entity === 'message' && change.data) bodies.push(change.data.body);
  return { messages: bodies.length, messageWords: vocabularyWordsOf(bodies) };
}

/**
 * On the main thread: the extras the worker sent with each page it decoded (PullDecoder, PullFeed), found by the
 * page's object; applyPullBatch uses them where they match what it writes, and makes its own otherwise.
 */
export const pullExtras = new WeakMap<PullResponse, PullExtras>();
