/**
 * The UI bench's console brought to where a desk has it before anything is timed (session 9, s9dup: the bench and
 * its profile scripts each wrote these steps). Nothing here is timed.
 */
import type { TestPortal } from '../../tests/helpers/console-harness';
import { type E2EConsole, signInUi, waitForFirstSync } from '../../tests/e2e/harness';
import { settleAfterSignIn } from './settle';

/**
 * On a console opened in Chromium (`openConsole`) on `portal`: clinician1 signed in through the UI, the first sync
 * shown, and (unless `settle` is false) no thread left with withheld bodies (settle.ts). Call it inside the
 * caller's try, so its finally closes the console, the browser and the portal when a step throws.
 */
export async function signInDesk(
  desk: E2EConsole,
  portal: TestPortal,
  options: { settle?: boolean } = {},
): Promise<void> {
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await desk.page.evaluate('globalThis.__name = (f) => f');
  await signInUi(desk.page, portal, 'clinician1');
  await waitForFirstSync(desk.page);
  if (options.settle ?? true) await settleAfterSignIn(desk);
}
