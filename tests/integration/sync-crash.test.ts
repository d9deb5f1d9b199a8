/**
 * A console process killed with SIGKILL while it writes and syncs. After a restart on the same data folder:
 * the store passes PRAGMA integrity_check, every change the process acknowledged is there (in the outbox or
 * already applied on the server), and after a sync every one of them is on the server, exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../src-main/sync/engine';
import {
  TestCredentials,
  type TestServer,
  serverSnapshot,
  startTestServer,
  waitFor,
} from '../helpers/sync-harness';
import { openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const FIXTURE = path.join(import.meta.dirname ?? __dirname, 'fixtures/sync-crash-console.ts');

interface Ack {
  mutationId: string;
  messageId: string | null;
}

describe('console crash', () => {
  let server: TestServer;
  let data: { dir: string; cleanup: () => void };
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    data = tempDir('clinic-sync-crash-');
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
    data.cleanup();
  });

  it('SIGKILL mid-way loses no acknowledged change and corrupts nothing', async () => {
    const key = randomKeyHex();
    const creds = await TestCredentials.signIn(server, 'clinician2', 'crashing desk');

    // First run in this process: the initial sync, so the console has threads to work on.
    const first = openStoreAt(data.dir, key);
    const warmup = new SyncEngine({ store: first, serverUrl: server.url, credentials: creds, live: false });
    await warmup.syncNow();
    await warmup.stop();
    const threads = first.threads
      .page({ queue: 'all', staffId: creds.staffId, offset: 0, limit: 4 })
      .rows.map((r) => r.id);
    expect(threads).toHaveLength(4);
    first.close();

    child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: path.resolve(import.meta.dirname ?? __dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CRASH_DATA_DIR: data.dir,
        CRASH_STORE_KEY: key,
        CRASH_SERVER_URL: server.url,
        CRASH_DEVICE_ID: creds.deviceId()!,
        CRASH_DEVICE_SECRET: creds.deviceSecret()!,
        CRASH_STAFF_ID: creds.staffId,
        CRASH_ACCESS_TOKEN: creds.tokens.access,
        CRASH_REFRESH_TOKEN: creds.tokens.refresh,
        CRASH_THREADS: threads.join(','),
      },
    });
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [word, mutationId, messageId] = line.split(' ');
        if (word === 'ack' && mutationId && messageId)
          acks.push({ mutationId, messageId: messageId === '-' ? null : messageId });
      }
    });
    const serverStore = server.server.store;
    const deviceId = creds.deviceId()!;
    const isApplied = async (mutationId: string) =>
      (await serverStore.appliedMutation(deviceId, mutationId)) !== null;
    // Kill it once it has written a good number of changes and the server has taken some of them.
    await waitFor(
      'the console to write and push',
      async () => {
        if (child!.exitCode !== null) throw new Error(`console exited early: ${stderr.slice(0, 500)}`);
        if (acks.length < 300) return false;
        for (const a of acks.slice(0, 50)) if (await isApplied(a.mutationId)) return true;
        return false;
      },
      { timeoutMs: 30_000 },
    );
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    let onServerAtKill = 0;
    for (const a of acks) if (await isApplied(a.mutationId)) onServerAtKill++;
    expect(onServerAtKill).toBeGreaterThan(0);

    // Restart on the same folder.
    const store = openStoreAt(data.dir, key);
    try {
      expect(store.integrityCheck()).toBe('ok');
      const pending = new Set(store.outbox.peek(1_000_000).map((r) => r.id));
      for (const a of acks) {
        const applied = await isApplied(a.mutationId);
        expect(pending.has(a.mutationId) || applied, `ack ${a.mutationId} kept`).toBe(true);
        if (a.messageId)
          expect(store.messages.exists(a.messageId), `message of ${a.mutationId} kept`).toBe(true);
      }
      // Some were still waiting when it died: the test covers both kinds.
      expect(acks.some((a) => pending.has(a.mutationId))).toBe(true);

      const engine = new SyncEngine({ store, serverUrl: server.url, credentials: creds, live: false });
      await engine.syncNow();
      expect(store.outbox.count()).toBe(0);
      expect(engine.problems()).toEqual([]);
      await engine.stop();

      const remote = await serverSnapshot(server.url, creds.tokens.access);
      const bodies = new Map<string, number>();
      for (const m of remote.messages.values()) bodies.set(m.body, (bodies.get(m.body) ?? 0) + 1);
      for (const a of acks) {
        expect(
          JSON.parse((await serverStore.appliedMutation(deviceId, a.mutationId)) ?? 'null'),
          `ack ${a.mutationId}`,
        ).toMatchObject({
          status: 'applied',
        });
        if (a.messageId) {
          const m = remote.messages.get(a.messageId);
          expect(m, `message ${a.messageId} on the server`).toBeDefined();
          expect(bodies.get(m!.body)).toBe(1);
          expect(store.messages.exists(a.messageId)).toBe(true);
        }
      }
      // The console now holds what the server holds for the threads it worked on.
      for (const id of threads) expect(store.threads.byId(id)).toEqual(remote.threads.get(id));
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });
});
