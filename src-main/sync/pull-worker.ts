/**
 * The pull decoder's worker thread (issue 16 §2: fetch answers are parsed and validated off the main thread,
 * overlapped with the apply). It receives a pull answer's bytes (transferred, not copied), decodes them once,
 * parses and validates them with the one PullResponse schema, and posts back the validated batch or the error's
 * kind and path-only message (never content: it may be PHI). During a long pull it also fetches the pages itself
 * (pull-feed.ts). See pull-decoder.ts for the protocol.
 */
import { parentPort } from 'node:worker_threads';
import { decodePullAnswer, type DecodeReply, type DecodeRequest } from './pull-decode';
import { pullExtrasOf } from './pull-extras';
import { type FeedEvent, type PullFeedSpec, runPullFeed } from './pull-feed';

/**
 * Messages from the main thread about the feed (pull-decoder.ts). `release`: the buffers of an applied page's rows,
 * handed back (transferred) so the main thread holds none of them; dropped here (PullFeed.next).
 */
export type FeedRequest =
  | { feed: PullFeedSpec; feedId: number }
  | { took: number }
  | { release: ArrayBuffer[] }
  | { stopFeed: number };
/** A feed event posted to the main thread, tagged with its feed. */
export type FeedReply = { feedId: number; event: FeedEvent };

let feed: { id: number; taken: number; stop: AbortController; wake: (() => void) | null } | null = null;

function startFeed(id: number, spec: PullFeedSpec): void {
  const state = { id, taken: 0, stop: new AbortController(), wake: null as (() => void) | null };
  feed?.stop.abort();
  feed?.wake?.();
  feed = state;
  const flow = {
    taken: () => state.taken,
    next: () =>
      new Promise<void>((resolve) => {
        state.wake = resolve;
      }),
  };
  const emit = (event: FeedEvent, transfer: ArrayBuffer[] = []): void => {
    if (!state.stop.signal.aborted)
      parentPort!.postMessage({ feedId: id, event } satisfies FeedReply, transfer);
  };
  runPullFeed(spec, emit, flow, state.stop.signal).catch(() => emit({ kind: 'fallback', after: spec.after }));
}

parentPort?.on('message', (message: DecodeRequest | FeedRequest) => {
  if ('feed' in message) return startFeed(message.feedId, message.feed);
  if ('release' in message) return; // the buffers go with this message
  if ('took' in message || 'stopFeed' in message) {
    const id = 'took' in message ? message.took : message.stopFeed;
    if (feed?.id !== id) return;
    if ('took' in message) feed.taken++;
    else feed.stop.abort();
    const wake = feed.wake;
    feed.wake = null;
    wake?.();
    return;
  }
  const { id, bytes } = message;
  let reply: DecodeReply;
  try {
    const batch = decodePullAnswer(bytes);
    reply = { id, batch, extras: pullExtrasOf(batch) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : 'The server sent an invalid pull answer.' };
  }
  parentPort!.postMessage(reply);
});
// Loaded and listening: the decoder sends bytes from now on (until then it decodes on its own thread).
parentPort?.postMessage({ ready: true });
