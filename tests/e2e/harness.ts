/**
 * End-to-end pieces: the real portal backend (tests/helpers: restartable on the same port and data folder, for
 * the offline test), the patient portal API as a patient's browser calls it, real console cores with the real keychain behind the real browser host, and Debian's Chromium driven by
 * playwright-core. Builds nothing: it serves out/renderer, which `npm run build` makes (npm test runs it first).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { totp } from '../../src-shared/totp';
import { DEMO_PORTAL_PASSWORD, demoStaff } from '../../server/demo/credentials';
import { ManualIdleSource, systemClock, type Clock } from '../../src-main/base/adapters';
import { createCore, type Core } from '../../src-main/core/create-core';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { KeytarKeyStore } from '../../src-main/keys/keytar-store';
import { keyAccountFor } from '../../src-main/keys/store-key';
import { enrolConsole, startPortal, TEST_TODAY, type TestPortal } from '../helpers/console-harness';
import { TEST_PASSWORD_COST } from '../helpers/sign-in-limits';
import { tempDir } from '../helpers/tmp';
import { settleAfterSignIn } from '../../bench/ui/settle';

export { startPortal, TEST_TODAY, type TestPortal };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_DIR = path.join(repoRoot, 'out/renderer');
/**
 * Where screenshots go: the README's docs/screenshots only when asked for (`CLINIC_UPDATE_SCREENSHOTS=1`), else
 * a folder under the OS temp dir, so a test run leaves the work tree clean.
 */
export const SCREENSHOT_DIR =
  process.env.CLINIC_UPDATE_SCREENSHOTS === '1'
    ? path.join(repoRoot, 'docs/screenshots')
    : path.join(os.tmpdir(), 'clinic-console-screenshots');
export const VIEWPORT = { width: 1280, height: 800 };
const CHROMIUM = '/usr/bin/chromium';

/** Fail fast, and say how to fix it, when the renderer has not been built. */
export function assertRendererBuilt(): void {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(
      `No built renderer in ${RENDERER_DIR}. The end-to-end tests serve the built UI: run "npm run build" ` +
        '(npm test does it before vitest) and run them again.',
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  assertRendererBuilt();
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the end-to-end tests drive Debian's Chromium (apt-get install chromium).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/* ---- the patient portal API, as a patient's browser would call it ---- */

export async function patientSignIn(portal: TestPortal, mrn: string): Promise<string> {
  const res = await fetch(`${portal.url}/portal/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mrn, password: DEMO_PORTAL_PASSWORD }),
  });
  if (!res.ok) throw new Error(`portal sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function patientRequest<T>(
  portal: TestPortal,
  token: string,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${portal.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${route} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface E2EConsole {
  core: Core;
  host: BrowserHost;
  idle: ManualIdleSource;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** Uncaught exceptions and console errors in the page, for a "nothing went wrong" check. */
  pageErrors: string[];
  close(): Promise<void>;
}

const keyStore = new KeytarKeyStore();

/**
 * A console: its own core (own data folder, own store key in the keychain) behind its own browser host, and a
 * fresh browser context at 1280×800 on the host's URL. `idleClock` drives idle time (default: wall time, so the
 * tests' moves of the shared test clock for TOTP steps never lock a console by accident).
 */
export async function openConsole(
  portal: TestPortal,
  browser: Browser,
  options: {
    idleClock?: Clock;
    deviceName?: string;
    /** Enrol the PC as the demo admin before the UI loads (default true; false shows the enrolment screen). */
    enrol?: boolean;
    /** The PC's time zone as Chromium sees it (Playwright `timezoneId`; issue 13a). */
    timezoneId?: string;
  } = {},
): Promise<E2EConsole> {
  const { dir: dataDir, cleanup } = tempDir('clinic-e2e-console-');
  const idle = new ManualIdleSource(options.idleClock ?? systemClock);
  let core: Core | null = null;
  const host = await startBrowserHost({
    rendererDir: RENDERER_DIR,
    onActivity: () => idle.touch(),
    routerFor: async (origin) => {
      core = await createCore({
        dataDir,
        keyStore,
        serverUrl: portal.url,
        idleSource: idle,
        openExternal: async () => undefined,
        allowedOrigins: [origin],
        deviceName: options.deviceName ?? `${os.hostname()} e2e desk`,
        clock: portal.clock,
        passwordCost: TEST_PASSWORD_COST,
      });
      if (options.enrol ?? true) await enrolConsole(core, portal);
      return core.router;
    },
  });
  const context = await browser.newContext({
    viewport: VIEWPORT,
    acceptDownloads: true,
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(host.url);
  const c = core as Core | null;
  if (!c) throw new Error('The browser host did not create a core');
  return {
    core: c,
    host,
    idle,
    context,
    page,
    dataDir,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined);
      await host.close().catch(() => undefined);
      await c.close().catch(() => undefined);
      await keyStore.delete(keyAccountFor(dataDir)).catch(() => undefined);
      cleanup();
    },
  };
}

/** Sign in through the UI with the demo credentials and a TOTP code for the portal's current time. */
export async function signInUi(page: Page, portal: TestPortal, username: string): Promise<void> {
  const staff = demoStaff(username);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(staff.password);
  await page.getByLabel('6-digit code').fill(totp(staff.totpSecret, portal.clock.now()));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByText(staff.displayName).waitFor();
  // Each code is good once: move past its step so the next sign-in gets a fresh one.
  portal.clock.advance(31_000);
}

/** Wait until the console's first sync has brought the demo data (the sync bar says all changes are synced). */
export async function waitForFirstSync(page: Page): Promise<void> {
  await page
    .getByRole('contentinfo', { name: 'Sync status' })
    .getByText(/^Last sync /)
    .waitFor({ timeout: 60_000 });
}

/** One console of `useSignedInDesk` (or of its `openDesk`): how it is opened and who signs in on it. */
export interface DeskOptions {
  /** Demo staff username to sign in as ('reception1', 'clinician1', 'admin1'…); omit to leave the desk on its
   * sign-in screen (or, with `enrol: false`, its enrolment screen) without waiting for a sync. */
  user?: string;
  /** The PC's name as the server lists it (default: "<hostname> e2e desk"). */
  deviceName?: string;
  /** The PC's time zone as Chromium sees it (Playwright `timezoneId`, an IANA zone; default the process's). */
  timezoneId?: string;
  /** Enrol the PC as the demo admin before the UI loads (default true). */
  enrol?: boolean;
  /** Idle time runs on the portal's test clock, so a minute of idleness takes no minute (default: wall time). */
  idleOnPortalClock?: boolean;
  /** Playwright's default timeout for the page's waits and actions, ms (default 15 000). */
  pageTimeoutMs?: number;
  /** Runs once the console is open and before sign-in: seed the portal, set console settings, grant
   * permissions, so the first sync brings what it made. */
  beforeSignIn?: (desk: E2EConsole) => Promise<void> | void;
}

/** What `useSignedInDesk` opens. Read its fields inside tests and hooks: they throw before its beforeAll ran. */
export interface SignedInDesk {
  portal: TestPortal;
  browser: Browser;
  /** The first console (its core, host, browser context and page). */
  desk: E2EConsole;
  /** `desk.page`. */
  page: Page;
  /** Another console on the same portal and browser, opened and signed in as `useSignedInDesk` does it; closed
   * with the rest in afterAll. */
  openDesk(options: DeskOptions): Promise<E2EConsole>;
}

/**
 * The e2e file's set-up in one call at the top of the file: registers a `beforeAll` that starts the portal
 * (`portal.timeZone`: the clinic's IANA zone, default UTC; `portal.advanceMs`: moves the portal's test clock
 * forward from the demo's today at 08:00 before anything opens), launches Chromium, opens a console
 * (`openConsole`), runs `beforeSignIn`, signs `user` in through the UI and waits for the first sync; and an
 * `afterAll` that closes every console it opened, then Chromium, then the portal. `hookTimeoutMs` is the
 * beforeAll's timeout (default vitest's hookTimeout). Later `beforeAll` hooks of the file run after this one
 * (vitest's hook order is "stack"), so a file seeds or opens a screen in its own hook.
 *
 *     const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Front desk' });
 *     it('…', async () => { await e2e.page.getByRole('button', { name: 'Schedule' }).click(); });
 */
export function useSignedInDesk(
  options: DeskOptions & { portal?: { timeZone?: string; advanceMs?: number }; hookTimeoutMs?: number } = {},
): SignedInDesk {
  let portal: TestPortal | undefined;
  let browser: Browser | undefined;
  const desks: E2EConsole[] = [];
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined)
      throw new Error(
        `useSignedInDesk: ${name} was read before its beforeAll ran (read it inside a test or hook)`,
      );
    return value;
  };

  async function openDesk(desk: DeskOptions): Promise<E2EConsole> {
    const p = ready(portal, 'portal');
    const opened = await openConsole(p, ready(browser, 'browser'), {
      ...(desk.deviceName !== undefined ? { deviceName: desk.deviceName } : {}),
      ...(desk.timezoneId !== undefined ? { timezoneId: desk.timezoneId } : {}),
      ...(desk.enrol !== undefined ? { enrol: desk.enrol } : {}),
      ...(desk.idleOnPortalClock ? { idleClock: p.clock } : {}),
    });
    desks.push(opened);
    opened.page.setDefaultTimeout(desk.pageTimeoutMs ?? 15_000);
    await desk.beforeSignIn?.(opened);
    if (desk.user !== undefined) {
      await signInUi(opened.page, p, desk.user);
      await waitForFirstSync(opened.page);
    }
    return opened;
  }

  beforeAll(async () => {
    portal = await startPortal(options.portal?.timeZone ? { timeZone: options.portal.timeZone } : {});
    if (options.portal?.advanceMs) portal.clock.advance(options.portal.advanceMs);
    browser = await launchChromium();
    await openDesk(options);
  }, options.hookTimeoutMs);

  afterAll(async () => {
    for (const desk of desks.reverse()) await desk.close();
    await browser?.close();
    await portal?.close();
  });

  return {
    get portal() {
      return ready(portal, 'portal');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    get desk() {
      return ready(desks[0], 'desk');
    },
    get page() {
      return ready(desks[0], 'page').page;
    },
    openDesk,
  };
}

/** A thread record as the portal backend keeps it (its store's `thread()` answer). */
type PortalThread = NonNullable<Awaited<ReturnType<TestPortal['server']['store']['thread']>>>;

/**
 * Another desk's change to thread `threadId` on the portal backend: `change` is written over the record with its
 * version raised by one, in one transaction (the desk under test pulls it at its next sync). Throws if the backend
 * has no such thread.
 */
export async function changeThreadElsewhere(
  portal: TestPortal,
  threadId: string,
  change: Partial<PortalThread>,
): Promise<void> {
  const store = portal.server.store;
  const thread = await store.thread(threadId);
  if (!thread) throw new Error(`changeThreadElsewhere: no thread ${threadId} on the portal`);
  await store.transaction(async () => {
    await store.updateThread({ ...thread, ...change, version: thread.version + 1 });
  });
}

/**
 * `changeThreadElsewhere`, then a sync of `desk` (`syncNow`, awaited to its end) that pulls the change: another
 * desk's change as this desk sees it.
 */
export async function pullThreadChangeElsewhere(
  portal: TestPortal,
  desk: E2EConsole,
  threadId: string,
  change: Partial<PortalThread>,
): Promise<void> {
  await changeThreadElsewhere(portal, threadId, change);
  await desk.core.sync().syncNow();
}

/** A thread a patient starts on the portal (`POST /portal/threads`): its subject, first message and topic. */
export interface PatientThread {
  subject: string;
  body: string;
  /** A src-shared/triage.ts topic ('scheduling', 'test-results'…): it routes the thread to its pool. */
  topic: string;
}

/**
 * Signs patient `mrn` in on the portal and starts `threads` there one after the other, as the patient's browser
 * does; returns their ids in the same order. `pulledBy`: a desk that then syncs (`syncNow`, awaited to its end);
 * other desks pull them at their next sync. Throws on any refused call.
 */
export async function postPatientThreads(
  portal: TestPortal,
  mrn: string,
  threads: readonly PatientThread[],
  pulledBy?: E2EConsole,
): Promise<string[]> {
  const token = await patientSignIn(portal, mrn);
  const ids: string[] = [];
  for (const thread of threads)
    ids.push(
      (await patientRequest<{ thread: { id: string } }>(portal, token, 'POST', '/portal/threads', thread))
        .thread.id,
    );
  await pulledBy?.core.sync().syncNow();
  return ids;
}

/**
 * Records the calls the first desk's page makes to its core's router, for "what did the page ask for" checks:
 * registers a `beforeAll` that wraps `e2e.desk.core.router.call` (call it at the top of the file, after
 * `useSignedInDesk`, whose desk is open by then) and an `afterAll` that puts the router back before the desk
 * closes. `entry(method, input)` is the line recorded for a call (e.g. "thread.get thr-1"), or undefined for none;
 * every call goes on to the router unchanged. Returns the live list of lines: tests empty it (`length = 0`).
 */
export function recordRouterCalls(
  e2e: SignedInDesk,
  entry: (method: string, input: unknown) => string | undefined,
): string[] {
  const calls: string[] = [];
  let restore: () => void = () => undefined;
  beforeAll(() => {
    const router = e2e.desk.core.router;
    const call = router.call.bind(router);
    router.call = async (method, input, caller) => {
      const line = entry(method, input);
      if (line !== undefined) calls.push(line);
      return call(method, input, caller);
    };
    restore = () => (router.call = call);
  });
  afterAll(() => restore());
  return calls;
}

export function syncBar(page: Page): Locator {
  return page.getByRole('contentinfo', { name: 'Sync status' });
}

/**
 * Brings a signed-in desk to its steady state (no withheld bodies left to fetch: `settleAfterSignIn`), opens the
 * "All open" queue as a person clicks it and waits until it lists at least `atLeast` threads. Returns the list's
 * rows and `subjectOf(i)`, row i's subject (the second part of its accessible name "patient, subject, …").
 */
export async function openAllOpenQueue(
  desk: E2EConsole,
  atLeast = 1,
): Promise<{ rows: Locator; subjectOf(i: number): Promise<string> }> {
  await settleAfterSignIn(desk);
  await desk.page
    .getByRole('navigation', { name: 'Queues' })
    .getByRole('button', { name: /^All open/ })
    .click();
  const rows = desk.page.getByRole('listbox', { name: 'Threads' }).getByRole('option');
  await rows.nth(atLeast - 1).waitFor();
  const subjectOf = async (i: number) => (await rows.nth(i).getAttribute('aria-label'))!.split(', ')[1]!;
  return { rows, subjectOf };
}

/** Opens `view` ('Availability', 'Audit report'…) from the main navigation, as a person clicks it. */
export async function openMainView(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: view }).click();
}

/**
 * Opens the Inbox view as a person does (`openMainView`) and sorts its list by "received" (the order the threads
 * arrived, newest first), so rows stand where the test posted them. Throws (Playwright timeout) if a control is missing.
 */
export async function openInboxByReceived(page: Page): Promise<void> {
  await openMainView(page, 'Inbox');
  await page.getByLabel('Sort by').selectOption('received');
}

/**
 * Opens the schedule on `day` (YYYY-MM-DD) and waits until the grid shows that day's data: the grid region is
 * named after its day ("Thursday 26 November 2026") only once the day's appointments are loaded, so a caller
 * never reads the previous day's slots (a clean-clone CI run booked from a grid still being replaced).
 */
export async function openScheduleDay(page: Page, day = TEST_TODAY): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Schedule' }).click();
  await page.getByLabel('Date', { exact: true }).fill(day);
  const month = new Date(`${day}T12:00:00Z`).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
  const dayName = new RegExp(` ${Number(day.slice(8, 10))} ${month} ${day.slice(0, 4)}$`);
  await page.getByRole('region', { name: dayName }).waitFor();
}

/** The page's visible text and its whole DOM, for "no PHI left" checks. */
export async function pageTextAndHtml(page: Page): Promise<{ text: string; html: string }> {
  const inPage = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
  }));
  return { text: inPage.text, html: `${inPage.html}\n${await page.content()}` };
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Does the page's JavaScript heap still hold `text` (after a full garbage collection)? A heap snapshot taken through
 * the Chrome DevTools Protocol (HeapProfiler), searched for the string: for "no PHI kept in the renderer's memory"
 * checks (DESIGN §2 threat 2), where the DOM alone would not show state kept out of sight. Slow (a second or two).
 */
export async function heapHolds(page: Page, text: string): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const chunks: string[] = [];
    const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
    cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    return chunks.join('').includes(JSON.stringify(text).slice(1, -1));
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * Wraps the desk's router (the core's one entry for the page's calls): `around(method, input, next)` sees every call
 * and answers it, usually by `next()` (record it, hold its answer until the test releases it). Returns the function
 * that puts the router back.
 */
export function aroundRouterCalls(
  desk: E2EConsole,
  around: (method: string, input: unknown, next: () => Promise<unknown>) => Promise<unknown>,
): () => void {
  const router = desk.core.router;
  const call = router.call.bind(router);
  router.call = (async (method: string, input: unknown, caller: unknown) =>
    around(method, input, () =>
      call(method as never, input as never, caller as never),
    )) as typeof router.call;
  return () => (router.call = call);
}

/**
 * Holds the answer of every call to `methods` (one name or several) the desk's page makes (a slow disk, a slow
 * server) until `release()`:
 * each call runs in the core at once, and its answer reaches the page only once released (a call that throws is
 * not held). `inputs` lists every such call's input since the hold began, in order, those made after
 * `release()` included. `restore()` puts the router back (call it in a `finally`, after `release()`).
 */
export function holdRouterAnswers(
  desk: E2EConsole,
  methods: string | readonly string[],
): { inputs: unknown[]; release: () => void; restore: () => void } {
  const held = typeof methods === 'string' ? [methods] : methods;
  const inputs: unknown[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const restore = aroundRouterCalls(desk, async (called, input, next) => {
    const result = await next();
    if (held.includes(called)) {
      inputs.push(input);
      await gate;
    }
    return result;
  });
  return { inputs, release, restore };
}

/**
 * Watches the DOM during the task of the page's next `type` input event (a keydown, or the click a mouse press
 * ends with): the mutation records delivered from the event's dispatch until a message posted from its first
 * (capturing) listener runs, which is once the event's task, with its microtasks and React's render of a discrete
 * event, is over. Read them with `seenInInputTask`: one "tag attr" (or "tag childList", "#text characterData")
 * line per record, and "late record" for each record still queued when the task ended. For 'click' the watch
 * starts at the click's dispatch: the mouseup listeners that run before it in the same task are not watched.
 * Issue 16 §5: a change on screen in an input's own task makes Chromium hold the page's other tasks (the read's
 * answer included) until the next frame (DeferRendererTasksAfterInput).
 */
export function watchNextInputTask(page: Page, type: 'keydown' | 'click'): Promise<void> {
  return page.evaluate((type) => {
    const w = window as unknown as { __seen: Promise<string[]> };
    w.__seen = new Promise<string[]>((resolve, reject) => {
      const seen: string[] = [];
      let during = false;
      // The input never reached the window: fail (and stop watching) instead of waiting for the test's timeout.
      const missed = setTimeout(() => {
        observer.disconnect();
        reject(new Error(`no ${type} reached the window`));
      }, 5000);
      const observer = new MutationObserver((records) => {
        if (!during) return;
        for (const r of records)
          seen.push(`${(r.target as Element).tagName ?? '#text'} ${r.attributeName ?? r.type}`);
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
      window.addEventListener(
        type,
        () => {
          during = true;
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            // Records queued by the task's last changes are delivered before this message (a microtask).
            observer.takeRecords().forEach(() => seen.push('late record'));
            during = false;
            clearTimeout(missed);
            observer.disconnect();
            resolve(seen);
          };
          channel.port2.postMessage(null);
        },
        { capture: true, once: true },
      );
    });
  }, type);
}

/** The DOM changes `watchNextInputTask` saw in the input's task (waits for that task to end). */
export function seenInInputTask(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __seen: Promise<string[]> }).__seen);
}
