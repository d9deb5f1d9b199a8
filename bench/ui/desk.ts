/**
 * The set-up bench/ui/child-ui.ts (the UI bench rows) and bench/ui/profile-ui.ts (where their time goes) share, so
 * the profile looks at the very console the bench times (session 6, dx6: each wrote its own copy): the e2e
 * harness's demo portal (tests/e2e/harness.ts), Debian's Chromium, one console signed in through the UI and synced
 * once. Needs the built renderer (`npx electron-vite build`).
 */
import type { Page } from 'playwright-core';
import {
  launchChromium,
  openConsole,
  signInUi,
  startPortal,
  waitForFirstSync,
  type E2EConsole,
  type TestPortal,
} from '../../tests/e2e/harness';

export interface BenchUiDesk {
  desk: E2EConsole;
  /** `desk.page`, signed in and synced. */
  page: Page;
  /** Closes the console, Chromium and the portal, in that order. */
  close(): Promise<void>;
}

/**
 * Opens the bench's console and signs `username` (a demo staff member) in; everything is closed if that fails.
 * `o.startPortal` starts the demo backend (default: in this process, the e2e harness's `startPortal`).
 */
export async function openBenchUiDesk(
  username = 'clinician1',
  o: { startPortal?: () => Promise<TestPortal> } = {},
): Promise<BenchUiDesk> {
  const portal = await (o.startPortal ?? startPortal)();
  const browser = await launchChromium();
  const desk = await openConsole(portal, browser);
  const close = async () => {
    await desk.close();
    await browser.close();
    await portal.close();
  };
  try {
    const page = desk.page;
    // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
    await page.evaluate('globalThis.__name = (f) => f');
    await signInUi(page, portal, username);
    await waitForFirstSync(page);
    return { desk, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
