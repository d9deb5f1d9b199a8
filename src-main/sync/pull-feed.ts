/**
 * The pull feed (issue 16 §2): during a long pull the pull decoder's worker thread fetches the pages itself, so
 * fetching, reading, parsing and validating the next pages overlap the main thread's apply, and the main thread
 * never waits idle for the server (it sat idle ~30% of an initial sync with only the decode in the worker:
 * session 5, bench/profile-sync.ts).
 *
 * The next page's request needs this page's cursor. The server names it, and whether more follow, in two
 * headers (PULL_CURSOR_HEADER, PULL_HAS_MORE_HEADER), so the next request leaves as soon as this answer's headers
 * arrive, before its body is read and validated: the server prepares page k+2 while the worker validates k+1 and
 * the main thread applies k. The headers only decide when to ask; nothing is applied from them: the validated
 * body must name the same cursor and say more follow, or the feed stops with a protocol error (a server that
 * contradicts itself loses nothing: the main thread has applied only validated pages, each advancing the cursor
 * in its own transaction). A server without the headers is asked page after page (after each validation).
 *
 * The feed is an accelerator of the happy path only: any answer but 200, a network failure, a time-out or an
 * answer too large ends it with `fallback` at that page's cursor, and the engine asks that page again on the
 * main thread (SyncClient.pull: token refresh after a 401, typed errors, revocation, redirects refused).
 *
 * This module runs in the worker (pull-worker.ts); the main thread's side is PullDecoder.startFeed.
 */
import { PULL_CURSOR_HEADER, PULL_HAS_MORE_HEADER, type PullResponse } from '../../src-shared/sync';
import { SyncProtocolError } from './apply-changes';
import { decodePullAnswer } from './pull-decode';
import { type PullExtras, pullExtrasOf } from './pull-extras';
import { type PullRows, rowBuffers, splitPullPage } from './pull-rows';
import { type ReadBuffer, readCapped } from './read-capped';

/** What the worker needs to ask for pages: made on the main thread by SyncClient.pullFeedSpec. */
export interface PullFeedSpec {
  /** The pull route on the checked server address, without its query (url-policy.ts applied). */
  url: string;
  /** Accept, authorization and device credential headers, as the transport sends them. */
  headers: Record<string, string>;
  /** Per page: request and body read (ms). */
  timeoutMs: number;
  /** Refuse answers larger than this (bytes). */
  maxBytes: number;
  /** Cursor after which the first page starts. */
  after: string;
  limit: number;
  /**
   * Pages fetched but not yet taken by the main thread (in flight, being validated, or posted): at most this
   * many. 3 keeps the three stages busy (server, worker, main thread) while holding one page more than the
   * decode-only worker did (RSS, issue 16 §2).
   */
  window: number;
}

export type FeedEvent =
  /**
   * `rows`: the page's bulky records split off `batch` as JSON rows, UTF-8 in transferred buffers (pull-rows.ts;
   * sessions 9 and 10).
   */
  | { kind: 'batch'; batch: PullResponse; extras?: PullExtras; rows?: PullRows }
  /** Ask the page after `after` again on the main thread (it gives the typed error, or the page). */
  | { kind: 'fallback'; after: string }
  | { kind: 'error'; message: string };

const CURSOR = /^\d{1,19}$/;

interface Fetched {
  after: string;
  res: Response;
  controller: AbortController;
  timer: ReturnType<typeof setTimeout>;
}

/** The main thread's progress as the worker sees it. */
export interface FeedFlow {
  /** Pages the main thread has taken so far. */
  taken(): number;
  /** Resolves at the next page taken or at the stop. */
  next(): Promise<void>;
}

/**
 * Run one feed until the last page, a stop, or a fallback/error. `emit` posts each event in page order, with the
 * buffers of its rows to transfer (pull-rows.ts, rowBuffers).
 */
export async function runPullFeed(
  spec: PullFeedSpec,
  emit: (event: FeedEvent, transfer?: ArrayBuffer[]) => void,
  flow: FeedFlow,
  stopped: AbortSignal,
): Promise<void> {
  let fetched = 0; // pages requested so far
  /** Requests not yet read to the end: aborted when the feed ends, whatever ends it. */
  const open = new Set<AbortController>();
  const waitForRoom = async (): Promise<void> => {
    while (!stopped.aborted && fetched - flow.taken() >= spec.window) await flow.next();
  };
  const ask = (after: string): Promise<Fetched | { after: string; failed: true }> => {
    if (stopped.aborted) return Promise.resolve({ after, failed: true as const });
    fetched++;
    const controller = new AbortController();
    open.add(controller);
    const timer = setTimeout(() => controller.abort(), spec.timeoutMs);
    const url = `${spec.url}?after=${encodeURIComponent(after)}&limit=${spec.limit}`;
    return fetch(url, { headers: spec.headers, redirect: 'manual', signal: controller.signal }).then(
      (res) => ({ after, res, controller, timer }),
      () => {
        clearTimeout(timer);
        return { after, failed: true as const };
      },
    );
  };

  const onStop = (): void => {
    for (const c of open) c.abort();
  };
  stopped.addEventListener('abort', onStop, { once: true });
  try {
    await feedPages(ask(spec.after));
  } finally {
    stopped.removeEventListener('abort', onStop);
    onStop();
  }

  async function feedPages(first: ReturnType<typeof ask>): Promise<void> {
    let next = first;
    /** One buffer for every page's body, read one after another (read-capped.ts, ReadBuffer). */
    const readBuffer: ReadBuffer = { bytes: new Uint8Array(0) };
    for (;;) {
      const got = await next;
      if (stopped.aborted) return;
      if ('failed' in got || got.res.status !== 200 || got.res.type === 'opaqueredirect') {
        if (!('failed' in got)) {
          clearTimeout(got.timer);
          open.delete(got.controller);
          got.res.body?.cancel().catch(() => undefined);
        }
        emit({ kind: 'fallback', after: got.after });
        return;
      }
      // The next request leaves now, on the headers' word, while this body is read and validated.
      const headerCursor = got.res.headers.get(PULL_CURSOR_HEADER);
      const early =
        got.res.headers.get(PULL_HAS_MORE_HEADER) === 'true' &&
        headerCursor !== null &&
        CURSOR.test(headerCursor)
          ? headerCursor
          : null;
      // (Once the window has room: this page is read meanwhile, so a full window never blocks its own page.)
      let pending: typeof next | null = null;
      if (early !== null) {
        pending = waitForRoom().then(() => ask(early));
        pending.catch(() => undefined);
      }
      let batch: PullResponse;
      try {
        // Decoded at once: the bytes are a view of `readBuffer`, which the next page's read overwrites.
        const bytes = await readCapped(got.res, spec.maxBytes, undefined, readBuffer);
        batch = decodePullAnswer(bytes);
      } catch (error) {
        if (stopped.aborted) return;
        if (error instanceof SyncProtocolError) emit({ kind: 'error', message: error.message });
        else emit({ kind: 'fallback', after: got.after }); // time-out or a read cut short: ask again on main
        return;
      } finally {
        clearTimeout(got.timer);
        open.delete(got.controller);
      }
      if (early !== null && (batch.cursor !== early || !batch.hasMore)) {
        emit({
          kind: 'error',
          message: 'The server sent an invalid pull answer (its cursor headers disagree with its body).',
        });
        return;
      }
      // Validated whole above; the bulky records then travel as JSON text (pull-rows.ts).
      const split = splitPullPage(batch);
      emit(
        split
          ? { kind: 'batch', batch: split.rest, extras: pullExtrasOf(batch), rows: split.rows }
          : { kind: 'batch', batch, extras: pullExtrasOf(batch) },
        split ? rowBuffers(split.rows) : undefined,
      );
      if (!batch.hasMore) return;
      if (pending === null) {
        await waitForRoom();
        if (stopped.aborted) return;
        pending = ask(batch.cursor);
      }
      next = pending;
    }
  }
}
