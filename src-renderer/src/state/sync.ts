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
  /** The error of the last "Sync now" click; cleared as soon as the console is online again (issue 12). */
  error: string | null;
}

export const useSync = create<SyncState>()(() => ({
  status: null,
  problems: [],
  seen: [],
  fresh: [],
  error: null,
}));

/** Show (or clear, with null) the error of a "Sync now" click. */
export function setSyncError(error: string | null): void {
  useSync.setState({ error });
}

export function resetSyncProblems(): void {
  useSync.setState({ problems: [], fresh: [] });
}

export function resetSync(): void {
  useSync.setState({ status: null, problems: [], seen: [], fresh: [], error: null }, true);
}

/** A new status; the problems list is re-read when its count moved, unless the console is locked (`active` false). */
export function setSyncStatus(status: SyncStatus, active = true): void {
  const before = useSync.getState().status;
  // Old error text never stays beside a healthy status.
  useSync.setState(status.connection === 'online' ? { status, error: null } : { status });
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
