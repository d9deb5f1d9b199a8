/** Sync status (no PHI) and the list of sync problems (shown to the person who caused them). */
import { create } from 'zustand';
import type { SyncProblem, SyncStatus } from '../../../src-shared/views';
import { call } from '../api';
import { ifCurrent, phiEpoch } from './epoch';

interface SyncState {
  status: SyncStatus | null;
  problems: SyncProblem[];
  /** Ids of problems already seen, so only new ones are announced. */
  seen: string[];
  fresh: SyncProblem[];
}

export const useSync = create<SyncState>()(() => ({ status: null, problems: [], seen: [], fresh: [] }));

export function resetSyncProblems(): void {
  useSync.setState({ problems: [], fresh: [] });
}

export function resetSync(): void {
  useSync.setState({ status: null, problems: [], seen: [], fresh: [] }, true);
}

/** A new status; the problems list is re-read when its count moved, unless the console is locked (`active` false). */
export function setSyncStatus(status: SyncStatus, active = true): void {
  const before = useSync.getState().status;
  useSync.setState({ status });
  if (active && (!before || before.problems !== status.problems)) void loadProblems();
}

export async function loadProblems(): Promise<void> {
  const started = phiEpoch();
  try {
    const problems = await call('sync.problems', {});
    ifCurrent(started, () => {
      const { seen } = useSync.getState();
      const fresh = problems.filter((p) => !seen.includes(p.id));
      useSync.setState({ problems, seen: [...seen, ...fresh.map((p) => p.id)].slice(-500), fresh });
    });
  } catch {
    // Shown again on the next status change.
  }
}

export async function dismissProblem(problemId: string): Promise<void> {
  await call('sync.dismissProblem', { problemId });
  useSync.setState((s) => ({
    problems: s.problems.filter((p) => p.id !== problemId),
    fresh: s.fresh.filter((p) => p.id !== problemId),
  }));
}

export async function refreshSyncStatus(): Promise<void> {
  try {
    setSyncStatus(await call('sync.status', {}));
  } catch {
    // Not signed in yet.
  }
}
