/**
 * Server-Sent Events "poke" stream (DESIGN.md §5): tells consoles the change log advanced so they pull.
 * Pokes are debounced; a comment heartbeat keeps proxies from timing the stream out and re-checks the
 * session, ending the stream when its access token is no longer valid. `changed()` is wired to the store's
 * onChange, which on PostgreSQL fires on every instance (LISTEN/NOTIFY): a console connected to any
 * instance is poked whichever instance took the change.
 */
import type { ServerResponse } from 'node:http';

interface Stream {
  res: ServerResponse;
  stillValid: () => Promise<boolean>;
  lastSent: number;
  /** Who opened it (access-token hash, or the device id for a device-only stream): capped per key. */
  key: string;
}

/** Open event streams allowed per key (issue 10): a console needs one; a few cover reconnect overlap. */
export const MAX_STREAMS_PER_KEY = 3;

export interface PokeHubOptions {
  /** The change log's newest sequence number (a store read). */
  latestSeq: () => Promise<number>;
  /** Where a failed store read is reported (kind only, no data). */
  onError?: (err: unknown) => void;
  debounceMs?: number;
  heartbeatMs?: number;
}

export class PokeHub {
  private readonly streams = new Set<Stream>();
  private readonly debounceMs: number;
  private pending: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: PokeHubOptions) {
    this.debounceMs = options.debounceMs ?? 10;
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.streams.size;
  }

  /** Streams currently open under `key`. */
  countFor(key: string): number {
    let n = 0;
    for (const stream of this.streams) if (stream.key === key) n++;
    return n;
  }

  /** Ends, now, every stream whose session or device is no longer valid (after a revocation). */
  async revalidate(): Promise<void> {
    for (const stream of [...this.streams]) if (!(await stream.stillValid())) this.end(stream);
  }

  /** Takes over an HTTP response as an event stream and sends the current cursor at once. */
  async open(res: ServerResponse, stillValid: () => Promise<boolean>, key = ''): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    const stream: Stream = { res, stillValid, lastSent: -1, key };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
    res.write('retry: 3000\n\n');
    try {
      this.send(stream, await this.options.latestSeq());
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  /** Called on every change-log append; coalesces bursts into one poke. */
  changed(): void {
    if (this.pending || this.streams.size === 0) return;
    this.pending = setTimeout(() => {
      // Cleared before the read: a change during it schedules one more poke (a repeated cursor is not sent).
      this.pending = null;
      void this.options
        .latestSeq()
        .then((seq) => {
          for (const stream of this.streams) this.send(stream, seq);
        })
        .catch((err: unknown) => this.options.onError?.(err));
    }, this.debounceMs);
  }

  private send(stream: Stream, seq: number): void {
    if (seq === stream.lastSent || stream.res.writableEnded) return;
    stream.lastSent = seq;
    stream.res.write(`event: poke\ndata: ${JSON.stringify({ cursor: String(seq) })}\n\n`);
  }

  private beat(): void {
    for (const stream of this.streams) {
      void stream
        .stillValid()
        .then((valid) => {
          if (!this.streams.has(stream)) return;
          if (valid) stream.res.write(': heartbeat\n\n');
          else this.end(stream);
        })
        .catch((err: unknown) => this.options.onError?.(err));
    }
  }

  private end(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    stream.res.end();
  }

  /** Ends every stream so the HTTP server can close. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    for (const stream of [...this.streams]) this.end(stream);
  }
}
