import type { ApiErrorShape } from '../../src-shared/errors';
import type { EventName, EventPayload } from '../../src-shared/contract';

/** Who is calling: the shell and the browser host each describe their sender so the router can refuse strangers. */
export interface CallerInfo {
  /** The origin of the calling frame, e.g. 'app://clinic' (Electron) or 'http://127.0.0.1:PORT' (browser host). */
  origin: string;
  /** False for a subframe: only our own top-level app frame may call. */
  isMainFrame: boolean;
}

export type CallResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** The one router behind both the Electron IPC handlers and the browser host's WebSocket. */
export interface Router {
  /** Never throws: every failure is a typed error result. */
  call(method: string, input: unknown, caller: CallerInfo): Promise<CallResult>;
  /** Events for the renderer (session changes, sync status, data changed); returns unsubscribe. */
  onEvent(listener: EventListener): () => void;
  /** Origins the router accepts calls from. */
  readonly allowedOrigins: ReadonlySet<string>;
}
