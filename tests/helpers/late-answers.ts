/**
 * "A server that answers late" as a test device: the console's own PortalTransport is wrapped so that the answer
 * to ONE request (matched by method and path) is handed to `handle` after the server has applied the request —
 * held while something else happens, or lost on the way back. Nothing the server does changes; the wrapper
 * removes itself after that one answer.
 */
import type { TestConsole } from './console-harness';

/**
 * Hands the answer to `pc`'s next request of `method` on a path matching `path` to `handle`, whose result (or
 * throw) is what the console sees. `intercepted()` tells whether that request happened.
 */
export function interceptNextAnswer(
  pc: TestConsole,
  method: string,
  path: RegExp,
  handle: (answer: Response) => Promise<Response>,
): { intercepted: () => boolean } {
  const transport = pc.core.auth.transport;
  const original = transport.fetch.bind(transport);
  let intercepted = false;
  transport.fetch = async (p, init = {}) => {
    const res = await original(p, init);
    if (intercepted || (init.method ?? 'GET') !== method || !path.test(p)) return res;
    intercepted = true;
    transport.fetch = original;
    return handle(res);
  };
  return { intercepted: () => intercepted };
}

/** Holds the answer of the next matching request until `meanwhile` has run (a slow answer). */
export const holdNextAnswer = (
  pc: TestConsole,
  method: string,
  path: RegExp,
  meanwhile: () => Promise<void>,
): { released: () => boolean } => {
  const i = interceptNextAnswer(pc, method, path, async (res) => {
    await meanwhile();
    return res;
  });
  return { released: i.intercepted };
};

/** Loses the answer of the next matching request (the server applied it; the console sees a network error). */
export const loseNextAnswer = (pc: TestConsole, method: string, path: RegExp): { lost: () => boolean } => {
  const i = interceptNextAnswer(pc, method, path, async (res) => {
    await res.body?.cancel();
    throw new TypeError('fetch failed');
  });
  return { lost: i.intercepted };
};
