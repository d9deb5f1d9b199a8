/**
 * Builds the `window.clinic` object from the contract. No Electron import: the preload hands in
 * ipcRenderer's invoke/on/removeListener, and the unit test hands in fakes.
 *
 * What crosses to the page: one frozen object with one function per contract method (each bound to
 * its own fixed channel) and `subscribe`. No generic invoke, no ipcRenderer, no IpcRendererEvent.
 * A failed call rejects with a frozen plain object `{ code, message, retryAfterSeconds? }`
 * (an ApiErrorShape, see api.d.ts): Error objects lose their own properties crossing the contextBridge.
 */
import {
  EVENT_NAMES,
  METHOD_NAMES,
  channelOf,
  eventChannelOf,
  type ClinicApi,
  type EventName,
  type MethodName,
} from '../src-shared/contract';
import { isApiErrorShape, type ApiErrorShape } from '../src-shared/errors';

/** The three ipcRenderer functions the API needs, nothing more. */
export interface IpcPort {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(channel: string, handler: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, handler: (event: unknown, ...args: unknown[]) => void): void;
}

/** Copy only the documented fields: a stack, a cause or anything else the main side attached stays behind. */
function toRejection(error: ApiErrorShape): Readonly<ApiErrorShape> {
  const shape: ApiErrorShape = { code: error.code, message: error.message };
  if (typeof error.retryAfterSeconds === 'number') shape.retryAfterSeconds = error.retryAfterSeconds;
  return Object.freeze(shape);
}

const INTERNAL: Readonly<ApiErrorShape> = Object.freeze({
  code: 'INTERNAL',
  message: 'The console could not complete this request.',
});

/** Turn the main side's CallResult into a value or a rejection; anything unexpected becomes INTERNAL. */
async function settle(result: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await result;
  } catch {
    // ipcRenderer.invoke itself failed (no handler, main crashed): its message is Electron's, not ours.
    throw INTERNAL;
  }
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const r = value as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return r.value;
    if (r.ok === false && isApiErrorShape(r.error)) throw toRejection(r.error);
  }
  throw INTERNAL;
}

function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}

export function buildApi(port: IpcPort): ClinicApi {
  const api: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) {
    const channel = channelOf(name as MethodName);
    // No input means an empty one, as in the browser host's bridge, so both behave the same.
    api[name] = Object.freeze((input?: unknown) =>
      settle(port.invoke(channel, input === undefined ? {} : input)),
    );
  }
  api.subscribe = Object.freeze((event: unknown, listener: unknown): (() => void) => {
    if (!isEventName(event)) throw new TypeError('Unknown event');
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
    const channel = eventChannelOf(event);
    // The IpcRendererEvent (with its sender and ports) stays here; the page gets the payload only.
    const handler = (_event: unknown, payload?: unknown): void => {
      (listener as (payload: unknown) => void)(payload);
    };
    port.on(channel, handler);
    let subscribed = true;
    return Object.freeze(() => {
      if (!subscribed) return;
      subscribed = false;
      port.removeListener(channel, handler);
    });
  });
  return Object.freeze(api) as ClinicApi;
}
