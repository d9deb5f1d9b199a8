/**
 * Messages of the browser host's WebSocket bridge (development and tests only, DESIGN.md §3): the page's
 * `window.clinic` stand-in sends calls, the host answers with the router's CallResult, and pushes events.
 */
import type { ApiErrorShape } from './errors';

export const BRIDGE_PATH = '/bridge';
/**
 * `GET /launch?code=<one-time code>` exchanges the host's launch code for an HttpOnly, SameSite=Strict session
 * cookie, which the bridge's WebSocket upgrade requires (the page never sees a secret).
 */
export const LAUNCH_PATH = '/launch';

export type BridgeRequest =
  { kind: 'call'; id: number; method: string; input: unknown } | { kind: 'activity' };

export type BridgeResponse =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: ApiErrorShape }
  | { kind: 'event'; event: string; payload: unknown };
