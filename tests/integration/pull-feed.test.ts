/**
 * Issue 16 §2 (session 6, s6sync): during a long pull the pull decoder's worker fetches the pages itself (the
 * pull feed, src-main/sync/pull-feed.ts), asking for the next page as soon as an answer's cursor headers arrive.
 * - It gives exactly the batches a page-by-page pull on the main thread gives, with one request per page.
 * - It applies nothing from the headers: an answer whose body disagrees with them is a protocol error, and the
 *   pages before it are delivered, nothing after.
 * - Anything but a 200 (here a 503 and a 401) ends the feed with a fallback at that page's cursor, so the engine
 *   asks the page again on the main thread (typed errors, token refresh).
 * - An engine pulling through the feed writes the same store as one pulling on the main thread; a server fault
 *   mid-feed fails the cycle with a typed error, keeps every page applied before it, and the next sync completes.
 * Real backend on 127.0.0.1 behind the fault-injecting proxy (tests/helpers/sync-fault-proxy.ts), real stores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  PULL_LEAN_HEADER,
  PullResponse,
} from '../../src-shared/sync';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { SyncClient, SyncError } from '../../src-main/sync/client';
import { SyncEngine } from '../../src-main/sync/engine';
import { PullDecoder, type PullFeed } from '../../src-main/sync/pull-decoder';
import type { FeedEvent } from '../../src-main/sync/pull-feed';
import { changesOfRows, pullRows } from '../../src-main/sync/pull-rows';
import { FaultProxy, isPull } from '../helpers/sync-fault-proxy';
import { TestCredentials, type TestServer, startTestServer } from '../helpers/sync-harness';
import { type TestStore, makeTestStore } from '../helpers/sync-store';

const PAGE = 50;
/** The entities a feed sends as JSON rows, in the order changesOfRows gives them back (written by hand). */
const ROWS: string[] = ['thread', 'message', 'appointment', 'audit'];

/** A raw HTTP 200 answer with the given cursor headers and body. */
function answer(body: string, cursor: string, hasMore: boolean): string {
  return (
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `${PULL_CURSOR_HEADER}: ${cursor}\r\n${PULL_HAS_MORE_HEADER}: ${hasMore}\r\nconnection: close\r\n\r\n${body}`
  );
}

describe('pull feed: the worker fetches the pages of a long pull (issue 16 §2)', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let creds: TestCredentials;
  let client: SyncClient;
  /** The whole change log, page by page, pulled on this thread. */
  const reference: PullResponse[] = [];
  const decoders: PullDecoder[] = [];
  const stores: TestStore[] = [];

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.3 });
    proxy = new FaultProxy(Number(new URL(server.url).port));
    await proxy.listen();
    creds = await TestCredentials.signIn(server, 'clinician1');
    client = new SyncClient({
      baseUrl: proxy.url,
      credentials: creds,
      fetchImpl: fetch,
      requestTimeoutMs: 10_000,
    });
    let after = '0';
    for (;;) {
      const batch = await client.pull(after, PAGE, new AbortController().signal);
      reference.push(batch);
      if (!batch.hasMore) break;
      after = batch.cursor;
    }
    expect(reference.length).toBeGreaterThan(10);
  });
  afterEach(() => {
    proxy.pass();
    vi.restoreAllMocks();
    for (const d of decoders.splice(0)) d.close();
  });
  afterAll(async () => {
    for (const s of stores) s.dispose();
    await proxy.close();
    await server.close();
  });

  /** `limit`: a page size of the test's own, so a request still on its way from an earlier test never counts. */
  async function startFeed(after: string, window = 3, limit = PAGE): Promise<PullFeed> {
    const decoder = new PullDecoder();
    decoders.push(decoder);
    expect(await decoder.whenReady()).toBe(true);
    const spec = await client.pullFeedSpec(after, limit, window);
    expect(spec).not.toBeNull();
    const feed = decoder.startFeed(spec!);
    expect(feed).not.toBeNull();
    return feed!;
  }

  /**
   * Events until the last page, a fallback or an error; each batch with its rows as changes again, read as it is
   * taken (asking for the next event lets them go: PullFeed.next).
   */
  async function drain(feed: PullFeed): Promise<FeedEvent[]> {
    const events: FeedEvent[] = [];
    for (;;) {
      const e = await feed.next();
      const rows = e.kind === 'batch' ? pullRows.get(e.batch) : undefined;
      const out =
        e.kind === 'batch' && rows
          ? { ...e, batch: { ...e.batch, changes: [...e.batch.changes, ...changesOfRows(rows)] } }
          : e;
      if (rows) withRows.add(out);
      events.push(out);
      if (e.kind !== 'batch' || !e.batch.hasMore) return events;
    }
  }
  /** The events drain() took with rows. */
  const withRows = new WeakSet<FeedEvent>();

  const pullsSeen = (): number => proxy.seen.filter(isPull).length;
  /**
   * Matches the n-th pull request from now on, recording its request line (the server's change log can move
   * between tests: a record changed again moves to its end, so page boundaries are counted, not remembered).
   */
  const nthPull = (n: number, limit: number, also: number[] = []) => {
    let seen = 0;
    const hit = { head: '' };
    const match = (head: string): boolean => {
      if (!isPull(head) || !head.includes(`&limit=${limit} `)) return false;
      seen++;
      if (seen !== n && !also.includes(seen)) return false;
      hit.head = head;
      return true;
    };
    return { match, hit, after: () => /after=(\d+)&/.exec(hit.head)?.[1] };
  };
  /** The change log now, page by page, pulled on this thread. */
  async function pullAll(): Promise<PullResponse[]> {
    const out: PullResponse[] = [];
    let after = '0';
    for (;;) {
      const batch = await client.pull(after, PAGE, new AbortController().signal);
      out.push(batch);
      if (!batch.hasMore) return out;
      after = batch.cursor;
    }
  }
  const latest = async (): Promise<string> => String(await server.server.store.latestSeq());

  it('gives the batches a page-by-page pull gives, one request per page', async () => {
    const now = await pullAll();
    const before = pullsSeen();
    const events = await drain(await startFeed('0'));
    expect(events.every((e) => e.kind === 'batch')).toBe(true);
    // The feed sends a page's threads, messages, appointments and audit events as JSON rows (pull-rows.ts):
    // the page again is its other changes, then those, entity by entity (drain).
    const batches = events.map((e) => (e as { batch: PullResponse }).batch);
    const byEntity = (b: PullResponse): PullResponse => ({
      ...b,
      changes: [
        ...b.changes.filter((c) => !ROWS.includes(c.entity)),
        ...ROWS.flatMap((e) => b.changes.filter((c) => c.entity === e)),
      ],
    });
    expect(events.some((e) => withRows.has(e))).toBe(true);
    expect(batches).toEqual(now.map(byEntity));
    expect(pullsSeen() - before).toBe(now.length);
  });

  it('never runs more than its window of pages ahead of the main thread', async () => {
    const before = pullsSeen();
    const feed = await startFeed('0', 2);
    const first = await feed.next(); // taken: the worker may now hold two more
    expect(first.kind).toBe('batch');
    // Wait for the two pages it may hold to arrive, then check it asked for no more.
    await vi.waitFor(() => expect(pullsSeen() - before).toBe(3), { timeout: 5_000, interval: 10 });
    const second = await feed.next();
    const third = await feed.next();
    expect([second, third].map((e) => e.kind)).toEqual(['batch', 'batch']);
    expect(pullsSeen() - before).toBeLessThanOrEqual(5);
    feed.close();
  });

  it("hands each page's rows back to the worker once the next event is asked for (RSS, session 10)", async () => {
    // The rows' UTF-8 buffers are transferred back, which detaches them here at once: no page's rows wait on the
    // main thread for a garbage collection (pull-rows.ts, PullRows; PullFeed.next).
    const feed = await startFeed('0', 3, 44);
    // The first pages hold staff, patients and the like (no rows): the first page with rows.
    let batch: PullResponse;
    do {
      const e = await feed.next();
      expect(e.kind).toBe('batch');
      batch = (e as { batch: PullResponse }).batch;
      expect(batch.hasMore).toBe(true);
    } while (!pullRows.has(batch));
    const rows = pullRows.get(batch)!;
    const buffers = Object.values(rows.json);
    expect(buffers.length).toBeGreaterThan(0);
    expect(buffers.every((b) => b.byteLength > 0)).toBe(true);
    const changes = changesOfRows(rows); // readable until the next event is asked for
    expect(changes.length).toBeGreaterThan(0);
    const second = await feed.next();
    expect(second.kind).toBe('batch');
    expect(buffers.map((b) => b.byteLength)).toEqual(buffers.map(() => 0));
    expect(pullRows.has(batch)).toBe(false);
    // The next page's rows are whole, and the feed goes on to its end.
    const next = pullRows.get((second as { batch: PullResponse }).batch)!;
    expect(Object.values(next.json).every((b) => b.byteLength > 0)).toBe(true);
    const rest = await drain(feed);
    expect(rest.at(-1)).toMatchObject({ kind: 'batch', batch: { hasMore: false } });
  });

  it('refuses an answer whose body disagrees with its cursor headers, delivering nothing after it', async () => {
    const body = JSON.stringify(reference[3]);
    proxy.set({
      mode: 'respond',
      match: nthPull(4, 49).match,
      times: 1,
      response: answer(body, String(Number(reference[3]!.cursor) + 1), true),
    });
    const events = await drain(await startFeed('0', 3, 49));
    expect(events.map((e) => e.kind)).toEqual(['batch', 'batch', 'batch', 'error']);
    expect((events[3] as { message: string }).message).toMatch(/cursor headers disagree/);
  });

  it('refuses garbage from the server with a protocol error that names no content', async () => {
    proxy.set({
      mode: 'respond',
      match: nthPull(3, 48).match,
      times: 1,
      response: answer('{"changes": [{"entity": "patient", "id": "Secret Name"', '999', true),
    });
    const events = await drain(await startFeed('0', 3, 48));
    expect(events.map((e) => e.kind)).toEqual(['batch', 'batch', 'error']);
    expect((events[2] as { message: string }).message).toMatch(/not JSON/);
    expect(JSON.stringify(events[2])).not.toContain('Secret');
  });

  it('refuses a page with an invalid record before splitting it into rows, with the typed error of a pull', async () => {
    // session 9 (pull-rows.ts): a page is split into JSON rows only after the whole page is validated.
    const page = structuredClone(reference[2]!);
    const at = page.changes.findIndex((c) => c.entity === 'thread');
    (page.changes[at]!.data as { status: string }).status = 'Secret status';
    proxy.set({
      mode: 'respond',
      match: nthPull(3, 46).match,
      times: 1,
      response: answer(JSON.stringify(page), page.cursor, page.hasMore),
    });
    const events = await drain(await startFeed('0', 3, 46));
    expect(events.map((e) => e.kind)).toEqual(['batch', 'batch', 'error']);
    expect((events[2] as { message: string }).message).toBe(
      `The server sent an invalid pull answer (changes.${at}.data.status: invalid_value).`,
    );
    expect(JSON.stringify(events[2])).not.toContain('Secret');
  });

  it.each([
    ['a 503', '{"error":"UNAVAILABLE","message":"down"}', 503],
    ['a 401', '{"error":"UNAUTHENTICATED","message":"expired"}', 401],
  ])('ends with a fallback at the page that got %s', async (_name, body, status) => {
    const sixth = nthPull(6, 47);
    proxy.set({
      mode: 'respond',
      match: sixth.match,
      times: 1,
      response: `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    });
    const events = await drain(await startFeed('0', 3, 47));
    expect(events.map((e) => e.kind)).toEqual([...Array(5).fill('batch'), 'fallback']);
    expect(events[5]).toEqual({ kind: 'fallback', after: sixth.after() });
    expect(sixth.after()).toBe((events[4] as { batch: PullResponse }).batch.cursor);
  });

  it('asks for audit events without their chain hashes; an older console without the header still gets them', async () => {
    const audits = (b: PullResponse[]) => b.flatMap((x) => x.changes).filter((c) => c.entity === 'audit');
    const lean = audits(reference);
    expect(lean.length).toBeGreaterThan(100);
    expect(lean.every((c) => c.data !== null && !('hash' in c.data) && !('prevHash' in c.data))).toBe(true);
    // The same page asked without the header (a console of the release before): every event with both hashes.
    const page = reference.findIndex((b) => b.changes.some((c) => c.entity === 'audit'));
    const spec = (await client.pullFeedSpec('0', PAGE, 1))!;
    const { [PULL_LEAN_HEADER]: _lean, ...headers } = spec.headers;
    const res = await fetch(
      `${server.url}/sync/pull?after=${page === 0 ? '0' : reference[page - 1]!.cursor}&limit=${PAGE}`,
      {
        headers,
      },
    );
    const full = PullResponse.parse(await res.json());
    const withChain = audits([full]);
    expect(withChain.length).toBeGreaterThan(0);
    for (const c of withChain)
      expect(c.data).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Apart from the hashes, the same events.
    const strip = ({ prevHash: _p, hash: _h, ...rest }: Record<string, unknown>) => rest;
    expect(withChain.map((c) => strip(c.data as Record<string, unknown>))).toEqual(
      audits([reference[page]!]).map((c) => c.data),
    );
  });

  it('still refuses a pulled audit event whose hash is not a hash', async () => {
    const page = reference.find((b) => b.changes.some((c) => c.entity === 'audit'))!;
    const i = page.changes.findIndex((c) => c.entity === 'audit');
    const bad = structuredClone(page);
    (bad.changes[i]!.data as Record<string, unknown>).hash = 'x'.repeat(65);
    const at = reference[reference.indexOf(page) - 1]?.cursor ?? '0';
    proxy.set({
      mode: 'respond',
      match: nthPull(1, 46).match,
      times: 1,
      response: answer(JSON.stringify(bad), bad.cursor, bad.hasMore),
    });
    const events = await drain(await startFeed(at, 3, 46));
    expect(events.map((e) => e.kind)).toEqual(['error']);
    expect((events[0] as { message: string }).message).toMatch(new RegExp(`changes\\.${i}\\.data\\.hash`));
  });

  describe('in the engine', () => {
    /** Until the worker is loaded a batch is decoded here: wait for it, so the feed starts on the next page. */
    const workerFirst = (): void => {
      const decode = PullDecoder.prototype.decode;
      vi.spyOn(PullDecoder.prototype, 'decode').mockImplementation(async function (this: PullDecoder, bytes) {
        await this.whenReady();
        return decode.call(this, bytes);
      });
    };
    const sync = async (options: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}) => {
      const s = makeTestStore('clinic-feed-');
      stores.push(s);
      const engine = new SyncEngine({
        store: s.store,
        serverUrl: proxy.url,
        credentials: creds,
        live: false,
        pullBatchSize: PAGE,
        requestTimeoutMs: 10_000,
        ...options,
      });
      return { store: s.store, engine };
    };
    const contents = (t: TestStore['store']) =>
      ['patients', 'threads', 'messages', 'appointments', 'audit_remote', 'staff', 'providers'].map((table) =>
        t.db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw(true).all(),
      );

    it('writes the same store as a pull on the main thread', async () => {
      workerFirst();
      const feeds = vi.spyOn(PullDecoder.prototype, 'startFeed');
      const viaFeed = await sync();
      await viaFeed.engine.syncNow();
      await viaFeed.engine.stop();
      expect(feeds.mock.results.some((r) => r.value !== null)).toBe(true);
      // An injected fetch cannot be used by a worker: this engine fetches every page on the main thread.
      const onMain = await sync({ fetchImpl: (input, init) => fetch(input, init) });
      await onMain.engine.syncNow();
      await onMain.engine.stop();
      const end = await latest();
      expect(viaFeed.store.syncState.get(CURSOR_KEY)).toBe(end);
      expect(onMain.store.syncState.get(CURSOR_KEY)).toBe(end);
      expect(contents(viaFeed.store)).toEqual(contents(onMain.store));
    });

    it("writes the feed's audit events as JSON rows with the default handler, one by one with a handler given (session 11)", async () => {
      workerFirst();
      const { AuditRepo } = await import('../../src-main/store/repos/audit');
      const oneByOne = vi.spyOn(AuditRepo.prototype, 'upsertRemote');
      // As the product wires it (src-main/core/create-core.ts): no handler, so the default one.
      const plain = await sync();
      await plain.engine.syncNow();
      await plain.engine.stop();
      const pulled = plain.store.db.prepare('SELECT count(*) FROM audit_remote').pluck().get() as number;
      expect(pulled).toBeGreaterThan(0);
      // Only the pages decoded on this thread before the feed started go one by one: most go as rows.
      const rowCalls = oneByOne.mock.calls.length;
      expect(rowCalls).toBeLessThan(pulled / 2);
      // A handler of its own is still told every pulled event, one by one.
      const told: string[] = [];
      const handled = await sync({ onAuditRecord: (r) => void told.push(r.id) });
      await handled.engine.syncNow();
      await handled.engine.stop();
      expect(new Set(told).size).toBe(pulled);
      expect(contents(plain.store).slice(0, 4)).toEqual(contents(handled.store).slice(0, 4));
    });

    it('carries on on the main thread when the worker dies mid-feed, and completes the store', async () => {
      workerFirst();
      const startFeed = PullDecoder.prototype.startFeed;
      let killed = false;
      vi.spyOn(PullDecoder.prototype, 'startFeed').mockImplementation(function (this: PullDecoder, spec) {
        const feed = startFeed.call(this, spec);
        if (feed && !killed) {
          killed = true;
          // The worker thread ends abruptly once the feed has started (as an out-of-memory death would).
          const worker = (this as unknown as { worker: { terminate(): Promise<number> } | null }).worker;
          setTimeout(() => void worker?.terminate(), 20);
        }
        return feed;
      });
      const { store, engine } = await sync();
      await engine.syncNow();
      await engine.stop();
      expect(killed).toBe(true);
      expect(store.syncState.get(CURSOR_KEY)).toBe(await latest());
      const now = await pullAll();
      const count = (t: string) =>
        (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      const expected = (e: string) =>
        new Set(
          now
            .flatMap((b) => b.changes)
            .filter((c) => c.entity === e && c.data)
            .map((c) => c.id),
        ).size;
      expect(count('messages')).toBe(expected('message'));
      expect(count('threads')).toBe(expected('thread'));
      expect(count('audit_remote')).toBe(expected('audit'));
    });

    it('a server fault mid-feed fails the cycle with a typed error, keeps the pages before it, then completes', async () => {
      workerFirst();
      // The feed's request for the 8th page and the engine's own retry of that page both get the 503.
      const eighth = nthPull(8, 45, [9]);
      proxy.set({ mode: 'respond', match: eighth.match, times: 2 });
      const { store, engine } = await sync({
        pullBatchSize: 45,
        backoff: { baseMs: 60_000, capMs: 60_000, floorMs: 60_000 },
      });
      const error = await engine.syncNow().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncError);
      expect((error as SyncError).kind).toBe('server');
      expect(proxy.injected.respond).toBeGreaterThanOrEqual(2);
      expect(eighth.after()).toMatch(/^[1-9]\d*$/);
      expect(store.syncState.get(CURSOR_KEY)).toBe(eighth.after());
      proxy.pass();
      await engine.syncNow();
      await engine.stop();
      expect(store.syncState.get(CURSOR_KEY)).toBe(await latest());
    });
  });
});
