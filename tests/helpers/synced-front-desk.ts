/**
 * The withheld-bodies integration tests' set-up in one call (session 9, s9dup: five files wrote the same
 * beforeAll/afterAll around `startSyncedFrontDesk`). Registers vitest hooks, so it lives apart from
 * console-harness.ts, which the bench imports too.
 */
import { afterAll, beforeAll } from 'vitest';
import type { RecordsResponse } from '../../src-shared/sync';
import { startPortal, startSyncedFrontDesk, type TestConsole, type TestPortal } from './console-harness';
import { FaultProxy } from './sync-fault-proxy';

/** What `useSyncedFrontDesk` opens. Read its fields inside tests and hooks: they throw before its beforeAll ran. */
export interface SyncedFrontDesk {
  /** The portal backend on loopback (demo clinic). */
  portal: TestPortal;
  /** The front-desk PC: first sync run for reception1 (clinical bodies withheld, their threads marked), signed out. */
  desk: TestConsole;
  /** The fault proxy between the desk and the backend (passes everything until a test sets a fault); only with
   * `faultProxy: true`. */
  proxy: FaultProxy;
}

/**
 * One call at the top of the file: a `beforeAll` that starts the portal (`portal`: startPortal's options), runs
 * `beforeDesk` (seed the backend, work on another console first), then opens the front desk with
 * `startSyncedFrontDesk` (through a `FaultProxy` when `faultProxy` is true); and an `afterAll` that closes the
 * desk, the proxy, then the portal. `hookTimeoutMs` is the beforeAll's timeout (default 180 s: a first sync of
 * the demo clinic). Later `beforeAll` hooks of the file run after this one and its `afterAll` after theirs
 * (vitest's hook order "stack"), so a file closes what its `beforeDesk` opened in an `afterAll` of its own.
 *
 *     const front = useSyncedFrontDesk({ faultProxy: true });
 *     it('…', async () => { await front.desk.signIn('clinician1'); });
 */
export function useSyncedFrontDesk(
  options: {
    portal?: Parameters<typeof startPortal>[0];
    faultProxy?: boolean;
    beforeDesk?: (portal: TestPortal) => Promise<void> | void;
    hookTimeoutMs?: number;
  } = {},
): SyncedFrontDesk {
  let portal: TestPortal | undefined;
  let desk: TestConsole | undefined;
  let proxy: FaultProxy | undefined;
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined)
      throw new Error(
        `useSyncedFrontDesk: ${name} was read before its beforeAll ran${name === 'proxy' && !options.faultProxy ? ' (or without faultProxy: true)' : ''}`,
      );
    return value;
  };

  beforeAll(async () => {
    portal = await startPortal(options.portal);
    await options.beforeDesk?.(portal);
    if (options.faultProxy) {
      proxy = new FaultProxy(Number(new URL(portal.url).port));
      desk = await startSyncedFrontDesk({ ...portal, url: await proxy.listen() });
    } else {
      desk = await startSyncedFrontDesk(portal);
    }
  }, options.hookTimeoutMs ?? 180_000);

  afterAll(async () => {
    await desk?.close();
    await proxy?.close();
    await portal?.close();
  });

  const opened = () => ({ portal, desk, proxy });
  const fields = {} as SyncedFrontDesk;
  for (const name of ['portal', 'desk', 'proxy'] as const)
    Object.defineProperty(fields, name, { get: () => ready(opened()[name], name) });
  return fields;
}

/**
 * Run `during` with the desk's withheld-bodies requests (its sync client's `records`: POST /sync/records) going
 * through `wrap(n, send)`, where `n` counts them from 0 and `send` makes the real request; the client's own
 * `records` is put back after. Resolves with what `during` returned and how many requests were made. Reaches into
 * the sync engine's private client: a test's way to act at an exact point of the fetch (an answer arriving late,
 * a change on the backend between two requests).
 */
export async function withRecordsRequests<T>(
  desk: TestConsole,
  wrap: (n: number, send: () => Promise<RecordsResponse>) => Promise<RecordsResponse>,
  during: () => Promise<T>,
): Promise<{ result: T; requests: number }> {
  const client = (
    desk.core.sync() as unknown as { client: { records: (...a: unknown[]) => Promise<RecordsResponse> } }
  ).client;
  const records = client.records.bind(client);
  let requests = 0;
  client.records = (...a: unknown[]) => wrap(requests++, () => records(...a));
  try {
    return { result: await during(), requests };
  } finally {
    client.records = records;
  }
}
