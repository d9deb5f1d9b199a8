/**
 * Engine behaviour that the real backend cannot be made to show on demand: ten minutes of an unreachable
 * server (fake timers), answers that break the protocol, a batch the server refuses as a whole. The fetch
 * stand-ins here play the network; the store is the real encrypted one. Everything else runs against the
 * real backend in tests/integration/sync-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushRequest } from '../../src-shared/sync';
import { threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore, queueThreadChange } from '../../tests/helpers/sync-store';
import { SyncEngine } from './engine';
import type { SyncCredentials } from './types';

const creds = (): SyncCredentials & { invalidated: number } => ({
  invalidated: 0,
  deviceId: () => 'dev-1',
  accessToken: async () => 'token-0123456789abcdef',
  invalidateToken() {
    this.invalidated++;
  },
});

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const emptyPull = { changes: [], cursor: '0', hasMore: false, remaining: 0 };

describe('SyncEngine', () => {
  let t: TestStore;
  beforeEach(() => {
    t = makeTestStore();
    t.store.threads.upsert(threadFixture({ version: 1 }));
  });
  afterEach(() => {
    vi.useRealTimers();
    t.dispose();
  });

  const reply = (body: string) =>
    queueThreadChange(t.store, { op: 'message.send', messageId: `m-${body}`, body });

  it('offline for ten minutes: exponential backoff to a 60 s cap, never a busy loop; stop() leaves no timer', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const fetchImpl = async (): Promise<Response> => {
      calls.push(Date.now());
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl,
      live: false,
      random: () => 0.5,
    });
    const seen: string[] = [];
    engine.onStatus((s) => seen.push(s.connection));
    reply('hello');
    engine.start();
    await vi.advanceTimersByTimeAsync(600_000);
    // Delays ≈ 0.55, 1.05, 2.05, 4.05, 8.05, 16.05 s, then 30 s (half the 60 s cap, as random() = 0.5).
    expect(calls.length).toBeGreaterThanOrEqual(20);
    expect(calls.length).toBeLessThanOrEqual(30);
    const gaps = calls.slice(1).map((c, i) => c - calls[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(gaps.slice(-5).every((g) => g >= 29_000)).toBe(true);
    expect(engine.status()).toMatchObject({ connection: 'offline', pending: 1 });
    expect(seen).toContain('syncing');
    await engine.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(t.store.outbox.count()).toBe(1);
  });

  it('a second 401 after a token refresh is an auth error; the token was invalidated once per request', async () => {
    const c = creds();
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: c,
      fetchImpl: async () =>
        json(401, { error: 'UNAUTHENTICATED', message: 'Access token expired or unknown.' }),
      live: false,
    });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'auth', status: 401 });
    expect(c.invalidated).toBe(1);
    expect(engine.status().connection).toBe('error');
    await engine.stop();
  });

  it('no one signed in: nothing is sent, the engine waits', async () => {
    let calls = 0;
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: {
        deviceId: () => 'dev-1',
        accessToken: async () => null,
        invalidateToken: () => undefined,
      },
      fetchImpl: async () => {
        calls++;
        return json(200, emptyPull);
      },
      live: false,
    });
    reply('x');
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'no-credentials' });
    expect(calls).toBe(0);
    expect(engine.status()).toMatchObject({ connection: 'offline', pending: 1 });
    await engine.stop();
  });

  it('a push answer naming a change that was not sent is refused and the outbox kept', async () => {
    reply('a');
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl: async () => json(200, { results: [{ id: 'someone-else', status: 'applied', version: 2 }] }),
      live: false,
    });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'protocol' });
    expect(t.store.outbox.count()).toBe(1);
    expect(engine.status().connection).toBe('error');
    await engine.stop();
  });

  it('a batch refused as a whole (400) is split until the one bad change is alone; the rest go through', async () => {
    for (const b of ['one', 'two', 'poison', 'four', 'five']) reply(b);
    const sizes: number[] = [];
    const fetchImpl = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (String(url).includes('/sync/pull')) return json(200, emptyPull);
      const req = JSON.parse(String(init?.body)) as PushRequest;
      sizes.push(req.mutations.length);
      if (req.mutations.some((m) => m.mutation.op === 'message.send' && m.mutation.body === 'poison')) {
        return json(400, {
          error: 'VALIDATION',
          message: 'Invalid body: mutations.2.mutation.body: too_big',
        });
      }
      return json(200, { results: req.mutations.map((m) => ({ id: m.id, status: 'applied', version: 2 })) });
    };
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl,
      live: false,
    });
    await engine.syncNow();
    expect(t.store.outbox.count()).toBe(0);
    expect(sizes[0]).toBe(5);
    expect(sizes.length).toBeLessThanOrEqual(7);
    const problems = engine.problems();
    expect(problems).toEqual([expect.objectContaining({ kind: 'rejected', operation: 'message.send' })]);
    expect(problems[0]!.message).toMatch(/^Reply to a patient on ".+" not saved: Invalid body/);
    // The refused reply's optimistic message is gone; the others stay.
    expect(t.store.messages.exists('m-poison')).toBe(false);
    expect(t.store.messages.exists('m-four')).toBe(true);
    await engine.stop();
  });

  it('a change the server failed on unexpectedly (result not stored) is retried a few times, then reported', async () => {
    reply('flaky');
    reply('fine');
    let failing = 2;
    const pushes: string[][] = [];
    const fetchImpl = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (String(url).includes('/sync/pull')) return json(200, emptyPull);
      const req = JSON.parse(String(init?.body)) as PushRequest;
      pushes.push(req.mutations.map((m) => (m.mutation.op === 'message.send' ? m.mutation.body : '?')));
      return json(200, {
        results: req.mutations.map((m) =>
          m.mutation.op === 'message.send' && m.mutation.body === 'flaky' && failing-- > 0
            ? {
                id: m.id,
                status: 'rejected',
                reason: 'The server could not apply this change.',
                current: null,
              }
            : { id: m.id, status: 'applied', version: 2 },
        ),
      });
    };
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl,
      live: false,
    });
    await engine.syncNow();
    expect(t.store.outbox.count()).toBe(1);
    await engine.syncNow();
    expect(t.store.outbox.count()).toBe(1);
    await engine.syncNow();
    expect(t.store.outbox.count()).toBe(0);
    expect(pushes).toEqual([['flaky', 'fine'], ['flaky'], ['flaky']]);
    expect(engine.problems()).toEqual([]);
    expect(t.store.messages.exists('m-flaky')).toBe(true);

    // A server that never manages it: after five tries the change is dropped and the person told.
    reply('doomed');
    failing = Infinity;
    const doomed = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (String(url).includes('/sync/pull')) return json(200, emptyPull);
      const req = JSON.parse(String(init?.body)) as PushRequest;
      return json(200, {
        results: req.mutations.map((m) => ({
          id: m.id,
          status: 'rejected',
          reason: 'The server could not apply this change.',
          current: null,
        })),
      });
    };
    const engine2 = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl: doomed,
      live: false,
    });
    for (let i = 0; i < 4; i++) await engine2.syncNow();
    expect(t.store.outbox.count()).toBe(1);
    await engine2.syncNow();
    expect(t.store.outbox.count()).toBe(0);
    expect(engine2.problems()).toEqual([
      expect.objectContaining({
        kind: 'rejected',
        message: expect.stringMatching(
          /^Reply to a patient on ".+" not saved: The server could not apply this change\. Open the thread/,
        ),
      }),
    ]);
    await engine.stop();
    await engine2.stop();
  });

  it('an answer larger than any real one is refused before it is buffered', async () => {
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://127.0.0.1:9',
      credentials: creds(),
      fetchImpl: async () =>
        new Response('{}', { status: 200, headers: { 'content-length': String(1024 * 1024 * 1024) } }),
      live: false,
    });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'protocol', message: /too large/ });
    await engine.stop();
  });

  it('an invalid server address is an error status, not a crash at start-up', async () => {
    const engine = new SyncEngine({
      store: t.store,
      serverUrl: 'http://portal.example.org',
      credentials: creds(),
      live: false,
    });
    await expect(engine.syncNow()).rejects.toMatchObject({
      kind: 'client',
      message: expect.stringMatching(/https/),
    });
    expect(engine.status().connection).toBe('error');
    await engine.stop();
  });
});
