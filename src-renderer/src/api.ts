/**
 * Typed calls to the console API. Every call goes through `call`, which turns a LOCKED answer into the lock
 * flow (PHI dropped first, then the lock screen) and an UNAUTHENTICATED answer into a session re-check.
 */
import type { MethodInput, MethodName, MethodOutput } from '../../src-shared/contract';
import type { ApiErrorShape, ErrorCode } from '../../src-shared/errors';
import { clinicApi, isApiErrorShape } from './bridge';

type Listener = (code: ErrorCode) => void;
let sessionProblem: Listener = () => undefined;

/** Installed once by the session store: what to do when a call says the console is locked or signed out. */
export function onSessionProblem(listener: Listener): void {
  sessionProblem = listener;
}

export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const fn = clinicApi()[method] as unknown as (i: MethodInput<M>) => Promise<MethodOutput<M>>;
  try {
    return await fn(input);
  } catch (error) {
    if (isApiErrorShape(error) && (error.code === 'LOCKED' || error.code === 'UNAUTHENTICATED')) {
      sessionProblem(error.code);
    }
    throw error;
  }
}

export function errorCode(error: unknown): ErrorCode | null {
  return isApiErrorShape(error) ? error.code : null;
}

/** A message for people: the API's own text (never PHI, never a stack), or a generic one. */
export function errorMessage(error: unknown): string {
  if (isApiErrorShape(error)) return error.message;
  return 'Something went wrong in the console. Try again; if it persists, tell IT.';
}

export function retryAfter(error: unknown): number | null {
  const e = error as Partial<ApiErrorShape> | null;
  return isApiErrorShape(error) && typeof e?.retryAfterSeconds === 'number' ? e.retryAfterSeconds : null;
}
