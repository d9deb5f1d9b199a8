/**
 * The sync bar tells the truth quickly (issue 12): when the backend dies, the console's status turns offline
 * within 2 s (the event stream drops; awaited as a status event, not slept for), a failed request does the
 * same, and when the backend is back the status returns to online by itself. Real backend on loopback behind
 * the fault proxy, which "kills" it the way a crash or a pulled cable does: every connection cut without a
 * goodbye, every new one reset. Real store, real SSE stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src-shared/views';
import { SyncEngine } from '../../src-main/sync/engine';
import { FaultProxy } from '../helpers/sync-fault-proxy';
import { TestCredentials, type TestServer, startTestServer, waitFor } from '../helpers/sync-harness';
import { type TestStore, makeTestStore } from '../helpers/sync-store';

/** Resolves with the time the engine first reports `connection`, or rejects after `withinMs`. */
function nextStatus(
  engine: SyncEngine,
  connection: SyncStatus['connection'],
  withinMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${connection}' status within ${withinMs} ms`));
    }, withinMs);
    const off = engine.onStatus((s) => {
      if (s.connection !== connection) return;
      clearTimeout(timer);
      off();
      resolve(Date.now());
    });
  });
}

describe('sync status truth', () => {
  let server: TestServer;
  let t: TestStore;
  let engine: SyncEngine;
  let proxy: FaultProxy;

  /** The backend as the console sees it dies: open connections cut, new ones reset. */
  const die = (): void => {
    proxy.set({ mode: 'reset' });
    proxy.dropAll();
  };

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    proxy = new FaultProxy(Number(new URL(server.url).port));
    await proxy.listen();
    t = makeTestStore('clinic-sync-status-');
    const creds = await TestCredentials.signIn(server, 'reception1');
    engine = new SyncEngine({
      store: t.store,
      serverUrl: proxy.url,
      credentials: creds,
      // Defaults of the product except a quick reconnect, so the test does not wait on a long backoff.
      backoff: { baseMs: 50, capMs: 300, floorMs: 10 },
    });
  });
  afterAll(async () => {
    await engine.stop();
    t.dispose();
    await proxy.close();
    await server.close();
  });

  it('offline within 2 s of the backend dying; online again by itself when it is back', async () => {
    engine.start();
    await waitFor('first sync, online, stream up', () => engine.status().connection === 'online', {
      engines: [engine],
    });
    // Let the event stream open (it is what notices the death without any request in flight).
    await waitFor(
      'the event stream to be open',
      () => (engine as unknown as { streamUp: boolean }).streamUp,
      {
        engines: [engine],
      },
    );
    // Idle, as a desk is most of the time: no sync running that could fail and report it.
    const idle = engine as unknown as { cycle: Promise<void> | null };
    await waitFor('no sync running', () => idle.cycle === null && engine.status().connection === 'online', {
      engines: [engine],
    });
    const offline = nextStatus(engine, 'offline', 2_000);
    const died = Date.now();
    die();
    const seenAt = await offline;
    expect(seenAt - died).toBeLessThan(2_000);
    expect(engine.status().connection).toBe('offline');

    const online = nextStatus(engine, 'online', 10_000);
    proxy.pass();
    await online;
    expect(engine.status()).toMatchObject({ connection: 'online', pending: 0 });
  });

  it('a failed request turns the status offline at once', async () => {
    const offline = nextStatus(engine, 'offline', 2_000);
    proxy.set({ mode: 'reset' });
    await expect(engine.syncNow()).rejects.toMatchObject({ kind: 'network' });
    await offline;
    proxy.pass();
    await engine.syncNow();
    expect(engine.status().connection).toBe('online');
  });
});
