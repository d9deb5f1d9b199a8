/**
 * Set-up the UI bench (child-ui.ts) and its profile scripts (profile-ui.ts, profile-open.ts) share (session 9,
 * s9dup: each wrote these steps): the console as a desk has it before anything is timed, and the core's side of
 * each router call. Nothing here is timed by itself.
 */
import type { Browser, Page } from 'playwright-core';
import type { Router } from '../../src-main/ipc/types';
import type { TestPortal } from '../../tests/helpers/console-harness';
import {
  type E2EConsole,
  launchChromium,
  openConsole,
  signInUi,
  waitForFirstSync,
} from '../../tests/e2e/harness';
import { startPortalProcess } from './portal-process';
import { settleAfterSignIn } from './settle';

/**
 * The thread rows the UI bench opens in turn (child-ui.ts) and its profile (profile-ui.ts) too: the first six of the
 * list, all fully on screen at 1280×800 (rows are 76 px), so no open scrolls the list.
 */
export const OPENED_ROWS = 6;

export interface UiDesk {
  portal: TestPortal;
  browser: Browser;
  desk: E2EConsole;
  /** `desk.page`. */
  page: Page;
  /** Close the console, Chromium, then the portal. */
  close(): Promise<void>;
}

/**
 * The demo backend (`portal`; default in its own process, portal-process.ts, as the portal is another machine in
 * production), Chromium, a console opened in it, clinician1 signed in through the UI, the first sync shown, and
 * (unless `settle` is false) no thread left with withheld bodies (settle.ts). When a step throws, what was opened
 * is closed and the error rethrown.
 */
export async function startUiDesk(
  options: { portal?: () => Promise<TestPortal>; settle?: boolean } = {},
): Promise<UiDesk> {
  const portal = await (options.portal ?? startPortalProcess)();
  const opened: { browser?: Browser; desk?: E2EConsole } = {};
  const close = async () => {
    await opened.desk?.close();
    await opened.browser?.close();
    await portal.close();
  };
  try {
    const browser = (opened.browser = await launchChromium());
    const desk = (opened.desk = await openConsole(portal, browser));
    // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
    await desk.page.evaluate('globalThis.__name = (f) => f');
    await signInUi(desk.page, portal, 'clinician1');
    await waitForFirstSync(desk.page);
    if (options.settle ?? true) await settleAfterSignIn(desk);
    return { portal, browser, desk, page: desk.page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One router call on the core's side: its method and when it started and ended (epoch ms, this process's clock). */
export interface CoreCall {
  method: string;
  start: number;
  end: number;
}

/** Wrap `router.call` so each call made through the browser host is timed on the core's side, appended to `into`. */
export function timeRouterCalls(router: Router, into: CoreCall[]): void {
  const call = router.call.bind(router);
  router.call = async (method, input, caller) => {
    const start = performance.timeOrigin + performance.now();
    const result = await call(method, input, caller);
    into.push({ method, start, end: performance.timeOrigin + performance.now() });
    return result;
  };
}
