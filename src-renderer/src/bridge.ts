/**
 * The console API for the UI: `window.clinic` from the Electron preload, or, in the browser host used for
 * development and tests, a WebSocket stand-in with the same shape (authorised by the host's HttpOnly session
 * cookie, set when the one-time launch link was opened: the page holds no secret).
 */
import { EVENT_NAMES, METHOD_NAMES, type ClinicApi, type EventName } from '../../src-shared/contract';
import { BRIDGE_PATH, type BridgeRequest, type BridgeResponse } from '../../src-shared/bridge-protocol';
import { ApiError, isApiErrorShape } from '../../src-shared/errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Why the browser host refused the bridge (no session cookie), for the start-up screen; null otherwise. */
let refusedBecause: string | null = null;
export function bridgeProblem(): string | null {
  return refusedBecause;
}

function createWebSocketApi(): { api: ClinicApi; reportActivity: () => void } {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;

  const connect = (): WebSocket => {
    const ws = new WebSocket(url);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      for (const m of queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (msg) => {
      const data = JSON.parse(String(msg.data)) as BridgeResponse;
      if (data.kind === 'event') {
        for (const l of listeners.get(data.event) ?? []) l(data.payload);
        return;
      }
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if (data.ok) p.resolve(data.value);
      else p.reject(new ApiError(data.error.code, data.error.message, data.error.retryAfterSeconds));
    };
    ws.onclose = () => {
      const error = opened
        ? new ApiError('OFFLINE', 'The console host closed the connection')
        : new ApiError(
            'UNAUTHENTICATED',
            'Open the console from the launch link the host printed (it works once), or start it again.',
          );
      if (!opened) refusedBecause = error.message;
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      socket = null;
    };
    return ws;
  };

  const send = (req: BridgeRequest): void => {
    const text = JSON.stringify(req);
    socket ??= connect();
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  };

  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = (input: unknown) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        send({ kind: 'call', id, method, input: input ?? {} });
      });
  }
  api.subscribe = (event: EventName, listener: (payload: unknown) => void) => {
    if (!EVENT_NAMES.includes(event)) throw new ApiError('VALIDATION', 'Unknown event');
    socket ??= connect();
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };
  return {
    api: Object.freeze(api) as unknown as ClinicApi,
    reportActivity: () => send({ kind: 'activity' }),
  };
}

let resolved: { api: ClinicApi; reportActivity: () => void } | null = null;

/** The API object, created once. */
export function clinicApi(): ClinicApi {
  return resolveBridge().api;
}

/**
 * Tell the host the user is active. In Electron the main process reads OS idle time itself, so this is a no-op
 * there; in the browser host there is no OS idle time, so the page reports input.
 */
export function reportActivity(): void {
  resolveBridge().reportActivity();
}

function resolveBridge(): { api: ClinicApi; reportActivity: () => void } {
  if (resolved) return resolved;
  if (window.clinic) {
    resolved = { api: window.clinic, reportActivity: () => undefined };
    return resolved;
  }
  resolved = createWebSocketApi();
  return resolved;
}

export { isApiErrorShape };
