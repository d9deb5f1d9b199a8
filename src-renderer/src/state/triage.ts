/**
 * issue 14a: the clinic's triage pools as the inbox shows them (names, kinds, queue sizes, whether this role
 * may read each). No PHI: reloaded when records change, kept across a lock.
 */
import { create } from 'zustand';
import type { PoolView, ThreadSummary } from '../../../src-shared/views';
import { isClinicalKind } from '../../../src-shared/triage';
import { call } from '../api';

export interface TriageState {
  pools: PoolView[];
  /**
   * `pools` (with `readable`, what this role may read) was read after the last change that may have taken something
   * out of reach (state/data.ts: a pool made clinical, a role changed). Until then no thread body is asked for on
   * the strength of it (mayAskForBody).
   */
  poolsChecked: boolean;
  /**
   * Threads this person opened with emergency access (opaque ids). The core decides when the access ends (its
   * clock); a refused read afterwards drops the id here and the thread shows topic and subject again.
   */
  granted: string[];
  /** Threads whose emergency access ended while this person held it (the restricted view then says so). */
  ended: string[];
}

export const useTriage = create<TriageState>()(() => ({
  pools: [],
  poolsChecked: false,
  granted: [],
  ended: [],
}));

/** Bumped by poolsOutOfReach: a pool list asked for before it does not count as checked. */
let reachChanges = 0;
/**
 * Bumped by resetTriage: a pool list asked for before it was another person's or role's (its `readable` flags), so
 * its answer is not kept at all (session 11 review: a clinician's "every pool readable" answered after a receptionist
 * signed in made mayAskForBody ask for bodies on her behalf, each a refused read recorded against her).
 */
let people = 0;

/**
 * A change may have taken something out of the person's reach (state/data.ts, OUT_OF_REACH): the pools' kinds and
 * this role's `readable` flags are unchecked until read again (the pool list reloads on every data change).
 */
export function poolsOutOfReach(): void {
  reachChanges++;
  if (useTriage.getState().poolsChecked) useTriage.setState({ poolsChecked: false });
}

/**
 * Another person, or the same with another role (state/session.ts): the pools' `readable` flags and the emergency
 * access opened were the previous person's. Forgotten, so no body is asked for on their strength (a refused read
 * recorded against the new person; session 9, s9sec); the pool list is read again when the inbox shows, and after
 * a failed read of it asked for again after POOLS_RETRY_FIRST_MS: the previous person's grown wait and pending try
 * are dropped too (session 11, session 10's L2).
 */
export function resetTriage(): void {
  reachChanges++;
  people++;
  resetPoolsRetry();
  useTriage.setState({ pools: [], poolsChecked: false, granted: [], ended: [] });
}

export function grantAccess(threadId: string): void {
  useTriage.setState((s) => ({
    granted: [...s.granted.filter((t) => t !== threadId), threadId],
    ended: s.ended.filter((t) => t !== threadId),
  }));
}
/** The emergency access to this thread ended (the core said so, or refused a read under it): topic and subject. */
export function dropAccess(threadId: string): void {
  if (!useTriage.getState().granted.includes(threadId)) return;
  useTriage.setState((s) => ({
    granted: s.granted.filter((t) => t !== threadId),
    ended: [...s.ended.filter((t) => t !== threadId), threadId],
  }));
}

/** First wait (ms) before the pool list is asked for again after a failed read; doubled after each failure. */
export const POOLS_RETRY_FIRST_MS = 1_000;
/** Longest wait (ms) between two tries. */
export const POOLS_RETRY_MAX_MS = 30_000;
let retryMs = POOLS_RETRY_FIRST_MS;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

/** The next failed read of the pool list is asked for again after POOLS_RETRY_FIRST_MS; no try is pending. */
function resetPoolsRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
  retryMs = POOLS_RETRY_FIRST_MS;
}

/**
 * Read the pool list (with this role's `readable` flags). On a failure it is asked for again after 1 s, 2 s, 4 s …
 * up to 30 s while it stays unchecked: until it is read, a role that may not read every pool is shown no thread body
 * (mayAskForBody), so a receptionist's open thread would say "Loading thread…" until the next data change (session
 * 10, review of session 9, L2). Queues and threads show their own errors.
 */
export async function loadPools(): Promise<void> {
  const asked = reachChanges;
  const person = people;
  try {
    const pools = await call('inbox.pools', {});
    if (person !== people) return;
    retryMs = POOLS_RETRY_FIRST_MS;
    useTriage.setState({ pools, poolsChecked: asked === reachChanges });
  } catch {
    if (retryTimer !== null || person !== people) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!useTriage.getState().poolsChecked) void loadPools();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, POOLS_RETRY_MAX_MS);
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

/**
 * True when these pools (`pools`: the pools as the core last showed them to the signed-in role, each with its
 * `kind` and `readable`) tell a role that reads every pool: each one readable, and a clinical one among them
 * (clinicians and admins; DESIGN §6: receptionists read administrative pools only). A receptionist whose pools are
 * all administrative reads them all but is not one: the next change may be the one that makes a pool clinical
 * (session 11 review). False for an empty list: the pools are not known yet (signed in, not read; or reset by
 * resetTriage), so nothing is assumed. Pure; no errors. Used by mayAskForBody and by the drafts kept after a reach
 * change (state/inbox.ts dropDraftsAfterReachChange).
 */
export function readsEveryPool(pools: readonly Pick<PoolView, 'kind' | 'readable'>[]): boolean {
  return pools.every((p) => p.readable) && pools.some((p) => isClinicalKind(p.kind));
}

/**
 * May the renderer ask the core for this thread's body (`thread.get`, `thread.getIfChanged`)? Only when it knows
 * the role may read it: never on a guess, since the router records a refused read against the person on the
 * thread's and the patient's trails (session 9, s9sec: a receptionist's withheld thread chosen, then out of the list
 * shown, was read by the thread pane and refused). `summary`: the thread as a list showed it since the last change
 * that may have taken something out of reach (state/inbox.ts threadSummary), if known. True under emergency access,
 * and for a role whose pools are all readable, a clinical one among them (clinicians and admins, DESIGN §6; another
 * person or role resets the pools: resetTriage). Else only with the pools checked since the last such change (poolsChecked), by the thread's
 * pool; a thread of unknown pool is then not read.
 */
export function mayAskForBody(
  threadId: string,
  summary: Pick<ThreadSummary, 'id' | 'poolId'> | undefined,
): boolean {
  const { pools, poolsChecked, granted } = useTriage.getState();
  if (granted.includes(threadId)) return true;
  // A role that reads every pool, a clinical one among them (a pool made clinical changes nothing for it; another
  // role resets the pools: resetTriage) reads any thread, listed or not, also while the pools are read again.
  if (readsEveryPool(pools)) return true;
  if (!poolsChecked) return false;
  return summary ? !bodyWithheld(summary) : pools.every((p) => p.readable);
}
