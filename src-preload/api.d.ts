/**
 * `window.clinic` for the renderer (tsconfig.web.json includes this file). Imports only src-shared.
 *
 * Every method returns a promise. On failure it rejects with a frozen plain object, NOT an Error:
 *   { code: ErrorCode; message: string; retryAfterSeconds?: number }   (ApiErrorShape)
 * Error objects lose their own properties crossing Electron's contextBridge, so a plain object is the
 * one shape that arrives intact. Test it with `isApiErrorShape` from src-shared/errors. Anything
 * unexpected (no handler, a malformed answer) arrives as { code: 'INTERNAL', message }.
 * The browser host's imitation rejects with ApiError instances, which have the same fields: check a
 * rejection with `isApiErrorShape(e)` / `e.code`, never `instanceof ApiError` or `instanceof Error`.
 *
 * A method called without an input sends `{}` (as the browser host does), so input-less methods may be
 * called as `clinic['session.status']()`.
 *
 * `subscribe(event, listener)` throws a TypeError for an event name not in the contract and returns
 * an unsubscribe function; the listener receives the payload only.
 */
import type { ClinicApi } from '../src-shared/contract';
import type { ApiErrorShape } from '../src-shared/errors';

/** What a rejected window.clinic call rejects with. */
export type ClinicApiRejection = Readonly<ApiErrorShape>;

declare global {
  interface Window {
    /**
     * Present in the Electron window (set by the preload); absent in the browser host, whose page
     * builds the same shape itself over its WebSocket bridge.
     */
    clinic?: ClinicApi;
  }
}
