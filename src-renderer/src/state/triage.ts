/**
 * issue 14a: the clinic's triage pools as the inbox shows them (names, kinds, queue sizes, whether this role
 * may read each). No PHI: reloaded when records change, kept across a lock.
 */
import { create } from 'zustand';
import type { PoolView, ThreadSummary } from '../../../src-shared/views';
import { call } from '../api';

export interface TriageState {
  pools: PoolView[];
  /**
   * Threads this person opened with emergency access (opaque ids). The core decides when the access ends (its
   * clock); a refused read afterwards drops the id here and the thread shows topic and subject again.
   */
  granted: string[];
}

export const useTriage = create<TriageState>()(() => ({ pools: [], granted: [] }));

export function grantAccess(threadId: string): void {
  useTriage.setState((s) => ({ granted: [...s.granted.filter((t) => t !== threadId), threadId] }));
}
export function dropAccess(threadId: string): void {
  useTriage.setState((s) => ({ granted: s.granted.filter((t) => t !== threadId) }));
}

export async function loadPools(): Promise<void> {
  try {
    useTriage.setState({ pools: await call('inbox.pools', {}) });
  } catch {
    // The pool list is a convenience: queues and threads show their own errors.
  }
}

/** The pool of this id, if the console knows it. */
export const poolById = (id: string | null | undefined): PoolView | undefined =>
  id ? useTriage.getState().pools.find((p) => p.id === id) : undefined;

/**
 * True when this role sees only a thread's topic and subject (a pool it may not read, and no emergency access
 * open): its body is never asked for (issue 14a; TriagePane shows the restricted view, ThreadList does not load).
 */
export function bodyWithheld(thread: Pick<ThreadSummary, 'id' | 'poolId'>): boolean {
  const { pools, granted } = useTriage.getState();
  const pool = pools.find((p) => p.id === thread.poolId);
  return pools.length > 0 && !(pool?.readable ?? false) && !granted.includes(thread.id);
}
