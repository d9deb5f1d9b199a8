/**
 * Pull answers decoded off the main thread (issue 16 §2): a worker thread (pull-worker.ts) decodes, parses and
 * validates the next batch while the main thread applies the current one, so JSON.parse and the zod schema
 * (about a third of an initial sync's main-thread CPU, bench/profile-apply.ts) overlap with the apply. The body
 * bytes are transferred to the worker (no copy) and decoded once there; the validated batch comes back by
 * structured clone. Used for long pulls only (the engine starts one when a batch says more follow): a worker
 * costs a thread and a module load.
 *
 * Batches are decoded on the calling thread until the worker says it is loaded (under tsx that takes a second;
 * the first batches of a long pull do not wait for it), and for good where it cannot load (a build without its
 * file), so sync works either way; `inWorker` tells which. A worker that dies after that fails the decodes in
 * flight (a protocol error: the cycle is retried with a new decoder).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PullResponse } from '../../src-shared/sync';
import { SyncProtocolError } from './apply-changes';
import { type DecodeReply, decodePullAnswer } from './pull-decode';
import { pullExtras } from './pull-extras';
import type { FeedEvent, PullFeedSpec } from './pull-feed';
import { pullRows, rowBuffers } from './pull-rows';
import type { FeedReply, FeedRequest } from './pull-worker';

/** Beside this module: pull-worker.ts under tsx/vitest, pull-worker.js in the build (electron.vite.config.ts). */
const WORKER_FILE = `./pull-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`;

/**
 * The worker from TypeScript source (tests, bench, `npm start` under tsx): a worker does not inherit the loader
 * hooks of `--import tsx`, so it registers tsx itself, then loads the source. Its CommonJS hook, not its ESM
 * loader: the ESM loader runs its hooks on a thread of their own, a third V8 heap in the process (~20 MB of the
 * initial sync's peak RSS; session 6, s6sync). Development only: the build runs pull-worker.js.
 */
function typeScriptWorker(url: URL): Worker {
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(url))});`;
  return new Worker(boot, { eval: true, resourceLimits: WORKER_LIMITS });
}

/**
 * The worker's V8 heap limits (RSS, issue 16 §2; session 10, s10rss). With V8's defaults the worker's heap grew to
 * 100–131 MB committed during an initial sync (a 48 MB young generation; each page's parsed and validated objects
 * outlive a scavenge and die in old space, which V8 lets grow to ~4x its live size before a mark-compact): the
 * largest part of the pull's peak RSS. A smaller young generation and an old generation capped at 512 MB (V8 then
 * grows it by a smaller factor between mark-compacts) keep it at 37–48 MB. bench/profile-sync-memory.ts at scale
 * 100, every run with the rows as bytes (pull-rows.ts), alternating, load 3.4–5.3, peak RSS of the console
 * process: defaults 358, 329 MB; old 512 MB + young 8 MB 272, 276; old 256 + young 8 269, 288; old 256 alone 278,
 * 285 (worker 65 MB); earlier, young 8 alone 300, 318 (worker 76–83 MB). Records/s were within the noise of that
 * machine's load (39–42k in the last four runs of each).
 *
 * Young 16 MB, not 8: the same peak with less garbage collection. `npm run bench -- --only sync`, alternating, session
 * 10 (19:00-19:05 UTC, load 1.4-1.8): young 8 MB 52.9k and 43.8k records/s (console 41.2k and 33.6k records per
 * CPU-second), peak RSS 277 and 271 MB; young 16 MB 54.6k and 48.7k (42.8k and 37.7k), 271 and 275 MB.
 *
 * 512 MB, not less: a pull answer may be up to MAX_ANSWER_BYTES (64 MB), whose text, parsed objects and rows must
 * fit at once. Should a page not fit, the worker stops (ERR_WORKER_OUT_OF_MEMORY, the process lives on) and the
 * engine asks that page again on the main thread, which decodes from then on (PullDecoder.fail, engine pullFrom).
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 } as const;

export class PullDecoder {
  private worker: Worker | null = null;
  /** The worker said it is loaded: bytes sent from now on are decoded there. */
  private ready = false;
  private nextId = 0;
  private feed: PullFeed | null = null;
  private nextFeedId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (b: PullResponse) => void; reject: (e: Error) => void }
  >();

  /** Start the worker; false (decoding on this thread) when it cannot be made. */
  constructor() {
    try {
      const url = new URL(WORKER_FILE, import.meta.url);
      const worker = WORKER_FILE.endsWith('.ts')
        ? typeScriptWorker(url)
        : new Worker(url, { resourceLimits: WORKER_LIMITS });
      worker.unref();
      worker.on('message', (reply: DecodeReply | FeedReply | { ready: true }) => {
        if ('ready' in reply) this.ready = true;
        else if ('feedId' in reply) this.feed?.deliver(reply);
        else this.settle(reply);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', () => this.fail(new Error('The pull decoder stopped.')));
      this.worker = worker;
    } catch {
      this.worker = null;
    }
  }

  /** Whether the next decode runs in the worker (false while it loads, and for good if it could not). */
  get inWorker(): boolean {
    return this.worker !== null && this.ready;
  }

  /** Resolves once the worker is loaded (true) or could not be (false). */
  whenReady(): Promise<boolean> {
    const worker = this.worker;
    if (!worker || this.ready) return Promise.resolve(this.inWorker);
    return new Promise((resolve) => {
      const done = () => {
        worker.off('message', done);
        worker.off('exit', done);
        resolve(this.inWorker);
      };
      worker.on('message', done);
      worker.on('exit', done);
    });
  }

  /**
   * The validated batch in `bytes` (which this call takes over: its buffer is transferred). Rejects with
   * SyncProtocolError for an answer that is not JSON or not a pull answer.
   */
  decode(bytes: Uint8Array): Promise<PullResponse> {
    const worker = this.worker;
    // Until the worker is loaded (or if it never is: a build without its file), decode here: the bytes are
    // only handed over to a worker that is known to listen.
    if (!worker || !this.ready) return new Promise((resolve) => resolve(decodePullAnswer(bytes)));
    const id = this.nextId++;
    return new Promise<PullResponse>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Transfer only a buffer the bytes own whole (a pooled Buffer's is shared with others).
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const view = owned ? bytes : bytes.slice();
      worker.postMessage({ id, bytes: view }, [view.buffer as ArrayBuffer]);
    });
  }

  /**
   * Let the worker fetch the pages after `spec.after` itself (pull-feed.ts), or null while it cannot (still
   * loading, or gone): the caller then fetches on its own thread. One feed at a time: a new one ends the last.
   */
  startFeed(spec: PullFeedSpec): PullFeed | null {
    const worker = this.worker;
    if (!worker || !this.ready) return null;
    this.feed?.close();
    const feed = new PullFeed(this.nextFeedId++, (m, transfer) => this.worker?.postMessage(m, transfer));
    this.feed = feed;
    worker.postMessage({ feed: spec, feedId: feed.id } satisfies FeedRequest);
    return feed;
  }

  /** Stop the worker; pending decodes reject. */
  close(): void {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('The pull decoder was closed.'));
    void worker?.terminate();
  }

  private settle(reply: DecodeReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if ('batch' in reply) {
      pullExtras.set(reply.batch, reply.extras);
      w.resolve(reply.batch);
    } else w.reject(new SyncProtocolError(reply.error));
  }

  private fail(error: Error): void {
    // A worker that died cannot decode: later batches are decoded here.
    this.worker = null;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    this.feed?.fail(error);
    this.feed = null;
  }
}

/**
 * The main thread's end of a pull feed: the worker's events in page order. Each batch taken with next() is
 * acknowledged, which lets the worker fetch one page further (PullFeedSpec.window).
 */
export class PullFeed {
  private readonly events: FeedEvent[] = [];
  private waiter: { resolve: (e: FeedEvent) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private closed = false;
  /** The batch taken last: its rows go when the next event is asked for. */
  private last: PullResponse | null = null;

  constructor(
    readonly id: number,
    private readonly post: (message: FeedRequest, transfer?: ArrayBuffer[]) => void,
  ) {}

  /**
   * The next event (a validated batch, a fallback, or a protocol error); rejects if the worker died.
   *
   * Asking for the next event says the batch taken before it is applied: its rows (pullRows) are let go, their
   * buffers transferred back to the worker, which drops them. The transfer detaches them here at once, so a
   * page's rows never wait on this thread for a garbage collection (RSS, issue 16 §2; see PullRows).
   */
  next(): Promise<FeedEvent> {
    this.release();
    const event = this.events.shift();
    if (event) return Promise.resolve(this.taken(event));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve: (e) => resolve(this.taken(e)), reject };
    });
  }

  /** Stop the feed: the worker aborts its request and posts nothing more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post({ stopFeed: this.id });
    this.fail(new Error('The pull feed was closed.'));
  }

  /** @internal the decoder hands over this feed's events. */
  deliver(reply: FeedReply): void {
    if (reply.feedId !== this.id || this.closed) return;
    const { event } = reply;
    if (event.kind === 'batch' && event.extras) {
      pullExtras.set(event.batch, event.extras);
      delete event.extras; // the WeakMap keeps them (for as long as the batch lives), not the event
    }
    if (event.kind === 'batch' && event.rows) {
      pullRows.set(event.batch, event.rows);
      delete event.rows;
    }
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(reply.event);
    else this.events.push(reply.event);
  }

  /** @internal the worker stopped. */
  fail(error: Error): void {
    this.failure = error;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
  }

  /** Let the rows of the batch taken last go (see next()). */
  private release(): void {
    const last = this.last;
    this.last = null;
    const rows = last && pullRows.get(last);
    if (!rows) return;
    pullRows.delete(last!);
    const buffers = rowBuffers(rows);
    if (buffers.length > 0 && !this.closed) this.post({ release: buffers }, buffers);
  }

  private taken(event: FeedEvent): FeedEvent {
    if (event.kind === 'batch') this.last = event.batch;
    if (event.kind === 'batch' && !this.closed) this.post({ took: this.id });
    return event;
  }
}
