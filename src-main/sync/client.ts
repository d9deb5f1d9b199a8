/**
 * The HTTP side of sync: bearer auth with one retry after a 401, per-request timeouts linked to the engine's
 * stop signal, and failures sorted into kinds the engine can act on (retry later, or stop and show an error).
 * Every answer is validated with its zod schema before anyone uses it (DESIGN.md §2.4).
 */
import {
  PULL_LEAN_AUDIT_CHAIN,
  PULL_LEAN_HEADER,
  type PullResponse,
  PushResponse,
  type PushRequest,
  RecordResponse,
  type RecordsRequest,
  RecordsResponse,
  SYNC_ROUTES,
  ServerError,
} from '../../src-shared/sync';
import { SyncProtocolError, validateAnswer } from './apply-changes';
import { decodePullAnswer } from './pull-decode';
import { readCapped } from './read-capped';
import type { PullDecoder } from './pull-decoder';
import type { PullFeedSpec } from './pull-feed';
import { PortalRedirectError, PortalTransport } from './transport';
import type { SyncCredentials } from './types';
import { ServerUrlError } from './url-policy';

export type SyncFailureKind =
  /** DNS, refused, reset, TLS: the server could not be reached. */
  | 'network'
  | 'timeout'
  /** 5xx, 429: the server is there but cannot serve now. */
  | 'server'
  /** Nobody is signed in, or the device is not enrolled yet. */
  | 'no-credentials'
  /** Still 401 after a token refresh, or 403. */
  | 'auth'
  /** Any other 4xx. */
  | 'client'
  /** The answer failed validation. */
  | 'protocol'
  /** The engine stopped. */
  | 'aborted';

/** A sync failure. Its message never carries request or answer content (which may be PHI). */
export class SyncError extends Error {
  constructor(
    readonly kind: SyncFailureKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SyncError';
  }
  /** Worth trying again later without anyone doing anything. */
  get transient(): boolean {
    return (
      this.kind === 'network' ||
      this.kind === 'timeout' ||
      this.kind === 'server' ||
      this.kind === 'no-credentials'
    );
  }
}

export interface SyncClientOptions {
  baseUrl: string;
  credentials: SyncCredentials;
  fetchImpl: typeof fetch;
  requestTimeoutMs: number;
  /** The console's one portal transport; by default one over baseUrl, credentials and fetchImpl. */
  transport?: PortalTransport;
}

interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  signal: AbortSignal;
  /** For the event stream: no overall timeout, the caller watches the stream itself. */
  stream?: boolean;
  /** Keep the body as bytes, not decoded (a pull answer, decoded by the pull decoder: issue 16). */
  raw?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * Review 9 R9-3: asked once the token is taken, before the request goes out; false ends the request with
   * SyncError 'aborted' (the session the caller's step belongs to ended or changed meanwhile).
   */
  stillValid?: () => boolean;
}

/** Pulls ask for audit events without the chain hashes the console does not keep (PulledAuditRecord). */
const PULL_HEADERS: Record<string, string> = { [PULL_LEAN_HEADER]: PULL_LEAN_AUDIT_CHAIN };

/** The text of answers read whole by attempt(), so each body is decoded once. */
const decodedText = new WeakMap<Response, string>();
/** The bytes of answers read whole with `raw` (decoded once, by their reader). */
const rawBytes = new WeakMap<Response, Uint8Array>();
const noop = (): void => undefined;

/**
 * Largest answer the console reads: a pull batch stops at ~8 MB of attachments plus one attachment (≤ 14 MB
 * of base64), so anything far beyond is a broken or hostile server, not data to buffer.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

function toSyncError(error: unknown, timedOut: boolean, stopped: boolean): SyncError {
  if (error instanceof SyncError) return error;
  if (stopped) return new SyncError('aborted', 'Sync stopped.');
  if (timedOut) return new SyncError('timeout', 'The server did not answer in time.');
  if (error instanceof SyncProtocolError) return new SyncError('protocol', error.message);
  if (error instanceof PortalRedirectError)
    return new SyncError('client', error.message, error.status, 'REDIRECT');
  if (error instanceof ServerUrlError) return new SyncError('client', error.message);
  // fetch failures carry the cause's code (ECONNREFUSED, ECONNRESET, …): a kind name, never content.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return new SyncError('network', `The server could not be reached${code}.`);
}

export class SyncClient {
  private readonly transport: PortalTransport;
  constructor(private readonly options: SyncClientOptions) {
    this.transport =
      options.transport ??
      new PortalTransport({
        serverUrl: () => options.baseUrl,
        device: options.credentials,
        fetchImpl: options.fetchImpl,
      });
  }

  /** One request with auth; a 401 invalidates the token and retries once with a fresh one. */
  async request(req: RequestOptions): Promise<Response> {
    const first = await this.attempt(req);
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => undefined);
    this.options.credentials.invalidateToken();
    const second = await this.attempt(req);
    if (second.status !== 401) return second;
    await second.body?.cancel().catch(() => undefined);
    throw new SyncError('auth', 'The server refused this session; sign in again.', 401, 'UNAUTHENTICATED');
  }

  private async attempt(req: RequestOptions): Promise<Response> {
    const token = await this.options.credentials.accessToken();
    if (req.stillValid && !req.stillValid())
      throw new SyncError('aborted', 'The person signed in changed; the request was not sent.');
    // With the device credential the device syncs on its own (a session that began offline, issue 10); the
    // server attributes each pushed change to the person who made it.
    if (token === null && !this.transport.hasDeviceCredential()) {
      throw new SyncError('no-credentials', 'This PC is not enrolled and nobody is signed in online.');
    }
    const controller = new AbortController();
    // Every await below races this promise: an abort must end the request even if the fetch implementation
    // does not settle a pending body read on abort (seen with undici while a response body was being read).
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    aborted.catch(noop);
    const onStop = (): void => controller.abort();
    req.signal.addEventListener('abort', onStop, { once: true });
    if (req.signal.aborted) controller.abort();
    let timedOut = false;
    const timer = req.stream
      ? null
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, this.options.requestTimeoutMs);
    let res: Response | null = null;
    try {
      const headers: Record<string, string> = { ...req.headers, accept: 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      if (req.stream) headers.accept = 'text/event-stream';
      res = await Promise.race([
        this.transport.fetch(req.path, {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal: controller.signal,
        }),
        aborted,
      ]);
      if (req.stream || res.status === 401) return res;
      // Read the whole body under the same timeout: a server that stalls mid-answer counts as a timeout.
      const bytes = await readCapped(res, MAX_ANSWER_BYTES, aborted);
      if (req.raw && res.status >= 200 && res.status < 300) {
        const answer = new Response(null, { status: res.status, headers: res.headers });
        rawBytes.set(answer, bytes);
        return answer;
      }
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      const answer = new Response(text, { status: res.status, headers: res.headers });
      // Decoded once (issue 16): json() takes this text instead of decoding the body again.
      decodedText.set(answer, text);
      return answer;
    } catch (error) {
      res?.body?.cancel().catch(noop);
      throw toSyncError(error, timedOut, req.signal.aborted);
    } finally {
      if (timer) clearTimeout(timer);
      if (!req.stream) req.signal.removeEventListener('abort', onStop);
    }
  }

  /** The JSON of a 2xx answer, or a SyncError naming the failure. */
  private async json(res: Response, what: string): Promise<unknown> {
    const text = decodedText.get(res) ?? (await res.text());
    if (res.status >= 200 && res.status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new SyncError('protocol', `The server sent an invalid ${what} (not JSON).`, res.status);
      }
    }
    let code: string | undefined;
    let message = `The server answered ${res.status}.`;
    let retryAfterMs: number | undefined;
    try {
      const parsed = ServerError.safeParse(JSON.parse(text));
      if (parsed.success) {
        code = parsed.data.error;
        // Server messages are written to be safe to show (no request content); bounded anyway.
        message = parsed.data.message.slice(0, 300);
        if (parsed.data.retryAfterSeconds !== undefined) retryAfterMs = parsed.data.retryAfterSeconds * 1000;
      }
    } catch {
      // a non-JSON error page (proxy, load balancer): the status says enough
    }
    const header = res.headers.get('retry-after');
    if (retryAfterMs === undefined && header && /^\d+$/.test(header)) retryAfterMs = Number(header) * 1000;
    const kind =
      res.status >= 500 || res.status === 429 || res.status === 408
        ? 'server'
        : res.status === 403
          ? 'auth'
          : 'client';
    throw new SyncError(kind, message, res.status, code, retryAfterMs);
  }

  /**
   * One pull batch, validated. With a decoder (issue 16: a long pull), the answer's bytes are decoded, parsed
   * and validated by its worker thread; without, here. Errors: SyncError ('protocol' for an invalid answer).
   */
  async pull(
    after: string,
    limit: number,
    signal: AbortSignal,
    decoder?: PullDecoder,
  ): Promise<PullResponse> {
    const path = `${SYNC_ROUTES.pull}?after=${encodeURIComponent(after)}&limit=${limit}`;
    const res = await this.request({ method: 'GET', path, signal, raw: true, headers: PULL_HEADERS });
    const bytes = rawBytes.get(res);
    if (res.status < 200 || res.status >= 300 || !bytes) {
      await this.json(res, 'pull answer'); // throws the server's error
      throw new SyncError('protocol', 'The server sent an invalid pull answer.', res.status);
    }
    try {
      return await (decoder ? decoder.decode(bytes) : decodePullAnswer(bytes));
    } catch (error) {
      if (error instanceof SyncProtocolError) throw new SyncError('protocol', error.message, res.status);
      throw new SyncError('protocol', 'The pull answer could not be read.', res.status);
    }
  }

  /**
   * What the pull feed's worker needs to fetch pages after `after` itself (issue 16 §2, pull-feed.ts): the
   * route, the headers attempt() sends (bearer token, device credential), the time-out and the size cap; null
   * where a worker cannot send them (an injected fetch, no credentials: the caller pulls here, which also gives
   * the typed errors).
   */
  async pullFeedSpec(after: string, limit: number, window: number): Promise<PullFeedSpec | null> {
    const spec = this.transport.requestSpec(SYNC_ROUTES.pull);
    if (spec === null) return null;
    const token = await this.options.credentials.accessToken();
    if (token === null && !this.transport.hasDeviceCredential()) return null;
    const headers: Record<string, string> = { ...spec.headers, ...PULL_HEADERS, accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    return {
      url: spec.url,
      headers,
      timeoutMs: this.options.requestTimeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      after,
      limit,
      window,
    };
  }

  async push(body: PushRequest, signal: AbortSignal): Promise<PushResponse> {
    const res = await this.request({ method: 'POST', path: SYNC_ROUTES.push, body, signal });
    return validateAnswer(PushResponse, await this.json(res, 'push answer'), 'push answer');
  }

  /** One record as the server holds it now (GET /sync/record; issue 12). */
  async record(entity: 'appointment' | 'thread', id: string, signal: AbortSignal): Promise<RecordResponse> {
    const path = `${SYNC_ROUTES.record}?entity=${entity}&id=${encodeURIComponent(id)}`;
    const res = await this.request({ method: 'GET', path, signal });
    return validateAnswer(RecordResponse, await this.json(res, 'record answer'), 'record answer');
  }

  /**
   * Session 7, s7srv: several threads in one request (POST /sync/records, at most RECORDS_BATCH_MAX ids); each
   * served or refused as `record` would be, refusals named in `refused`. `stillValid`: see RequestOptions (the
   * request is not sent, SyncError 'aborted', when it answers false once the token is taken).
   */
  async records(ids: string[], signal: AbortSignal, stillValid?: () => boolean): Promise<RecordsResponse> {
    const body: RecordsRequest = { entity: 'thread', ids };
    const res = await this.request({ method: 'POST', path: SYNC_ROUTES.records, body, signal, stillValid });
    return validateAnswer(RecordsResponse, await this.json(res, 'records answer'), 'records answer');
  }

  /** Open the poke stream; the caller reads `body` until it ends. Throws when the stream is not available. */
  async events(signal: AbortSignal): Promise<Response> {
    const res = await this.request({ method: 'GET', path: SYNC_ROUTES.events, signal, stream: true });
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && type.startsWith('text/event-stream') && res.body) return res;
    await res.body?.cancel().catch(() => undefined);
    const kind = res.status >= 500 || res.status === 429 ? 'server' : res.status === 403 ? 'auth' : 'client';
    throw new SyncError(kind, `The event stream is not available (${res.status}).`, res.status);
  }
}
