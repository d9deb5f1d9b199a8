/**
 * Bringing the UI bench's console to a desk's steady state before timing, and waiting for quiet (bench/ui). The
 * bench and its breakdown (profile-ui.ts) use these; nothing here is timed.
 */
import type { Page } from 'playwright-core';
import type { E2EConsole } from '../../tests/e2e/harness';

/**
 * After the first sync: run sync cycles until no thread is left whose bodies the server withheld from the pull made
 * before anyone signed in (issue 14a; the demo has about 600). The engine fetches those one request at a time in
 * the background for the first seconds after a clinician signs in, and opening one of them fetches it from the
 * server first: a desk signed in for a while has none. Throws if three cycles leave some.
 */
export async function settleAfterSignIn(desk: E2EConsole): Promise<void> {
  const withheld = () => desk.core.store.threads.withheldIds(1).length;
  for (let i = 0; i < 3 && withheld() > 0; i++) await desk.core.sync().syncNow();
  if (withheld() > 0) throw new Error('threads with withheld bodies are left after three sync cycles');
}

/**
 * Count the page's bridge traffic: every WebSocket message sent or received stamps `window.__bridgeLast`
 * (performance.now()). Call once, after the console has connected.
 */
export function watchBridge(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __bridgeLast: number };
    w.__bridgeLast = performance.now();
    const seen = new WeakSet<WebSocket>();
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob) {
      w.__bridgeLast = performance.now();
      // The bridge's socket (it sets onmessage): its answers and events stamp too.
      if (!seen.has(this)) {
        seen.add(this);
        this.addEventListener('message', () => (w.__bridgeLast = performance.now()));
      }
      return send.call(this, data);
    };
  });
}

/**
 * Wait until the bridge has been quiet for `quietMs` (nothing sent or received: the calls an action started, its
 * push to the portal and the pull back, and the re-reads they caused, are done), at most `maxMs`.
 */
export async function bridgeQuiet(page: Page, quietMs = 300, maxMs = 5_000): Promise<void> {
  await page.waitForFunction(
    (q) => performance.now() - (window as unknown as { __bridgeLast: number }).__bridgeLast >= q,
    quietMs,
    { timeout: maxMs, polling: 50 },
  );
}
