/**
 * The set-up most console integration tests share: a real portal backend (the demo clinic) and one console per
 * staff member, each on its own PC (enrolled, own encrypted store and keychain entry), signed in and synced
 * once. Registered as hooks of the calling file or describe; everything is closed after its tests.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startConsole, startPortal, type TestConsole, type TestPortal } from './console-harness';

export interface SyncedConsolesOptions {
  /** `startPortal` options (the demo clinic's zone, a shared clock). */
  portal?: Parameters<typeof startPortal>[0];
  /** `startConsole` options for every console (default `autoStart: true`: sync runs on its own too). */
  console?: Omit<Parameters<typeof startConsole>[1], 'dataDir'>;
  /** Run one `sync.now` on each console after sign-in (default true). */
  sync?: boolean;
  /** The set-up's time limit in ms (default the project's hookTimeout). */
  timeoutMs?: number;
}

/** What `useSyncedConsoles` opens. Read it inside tests and hooks: it throws before its beforeAll ran. */
export interface SyncedConsoles<U extends readonly string[]> {
  readonly portal: TestPortal;
  /** The consoles, one per username given, in that order. */
  readonly consoles: { readonly [K in keyof U]: TestConsole };
}

/**
 * Registers a `beforeAll` that starts a portal, opens a console per username (one after another: enrolment takes
 * the admin's TOTP step), signs each in (failing the set-up unless it succeeds) and syncs each once, and an
 * `afterAll` that closes them and the portal.
 */
export function useSyncedConsoles<const U extends readonly string[]>(
  usernames: U,
  options: SyncedConsolesOptions = {},
): SyncedConsoles<U> {
  let portal: TestPortal | undefined;
  const consoles: TestConsole[] = [];
  beforeAll(async () => {
    portal = await startPortal(options.portal);
    for (const username of usernames) {
      const c = await startConsole(portal, options.console);
      consoles.push(c);
      expect((await c.signIn(username)).ok, `sign-in of ${username}`).toBe(true);
    }
    if (options.sync ?? true) for (const c of consoles) await c.ok('sync.now');
  }, options.timeoutMs);
  afterAll(async () => {
    for (const c of consoles.splice(0)) await c.close();
    await portal?.close();
  });
  return {
    get portal() {
      if (!portal)
        throw new Error('useSyncedConsoles: read before its beforeAll ran (read it inside a test or hook)');
      return portal;
    },
    get consoles() {
      if (consoles.length !== usernames.length)
        throw new Error('useSyncedConsoles: read before its beforeAll ran (read it inside a test or hook)');
      return consoles as unknown as SyncedConsoles<U>['consoles'];
    },
  };
}

/** `useSyncedConsoles` for one staff member: the portal and their console. */
export function useSyncedConsole(
  username: string,
  options: SyncedConsolesOptions = {},
): { readonly portal: TestPortal; readonly console: TestConsole } {
  const set = useSyncedConsoles([username] as const, options);
  return {
    get portal() {
      return set.portal;
    },
    get console() {
      return set.consoles[0];
    },
  };
}
