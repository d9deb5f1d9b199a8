/**
 * issue 14a: the clinic's triage pools as the inbox shows them (names, kinds, queue sizes, whether this role
 * may read each). No PHI: reloaded when records change, kept across a lock.
 */
import { create } from 'zustand';
import type { PoolView } from '../../../src-shared/views';
import { call } from '../api';

export interface TriageState {
  pools: PoolView[];
}

export const useTriage = create<TriageState>()(() => ({ pools: [] }));

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
