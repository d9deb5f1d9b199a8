/**
 * Session 11 review (s11review): a pool-list read asked for by the previous person (or role) and answered after
 * resetTriage (state/session.ts: another person, a role change, a sign-out). Its answer carries the previous role's
 * `readable` flags: kept, a clinician's "every pool readable" made the thread pane ask for bodies on a receptionist's
 * behalf (mayAskForBody: a refused read recorded against her) and kept her drafts on a change that may take something
 * out of reach (state/inbox.ts). Its failure doubled the new person's first wait (session 10's L2, fixed in s11low for
 * the pending try only). The console API is a scripted stand-in for `window.clinic`; expectations by hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoolView } from '../../../src-shared/views';
import { loadPools, mayAskForBody, resetTriage, useTriage } from './triage';

const asks: { answer: (v: unknown) => void; fail: (e: unknown) => void }[] = [];
(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise((answer, fail) => asks.push({ answer, fail })) }),
};
/** The pools as a clinician reads them: every one readable. */
const CLINICIANS_POOLS = [
  { id: 'pool-admin', name: 'Front desk', kind: 'administrative', readable: true },
  { id: 'pool-clin', name: 'Nurses', kind: 'clinical', readable: true },
] as unknown as PoolView[];
const unavailable = { ok: false, error: { code: 'INTERNAL', message: 'The store is busy.' } };

describe('a pool-list read of the previous person answered after another signs in', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    asks.length = 0;
    resetTriage();
  });
  afterEach(() => vi.useRealTimers());

  it('is not taken as the new person’s pools (no body asked for on its strength)', async () => {
    void loadPools();
    // A receptionist signs in while the clinician's read is in flight.
    resetTriage();
    asks[0]!.answer(CLINICIANS_POOLS);
    await vi.advanceTimersByTimeAsync(0);
    expect(useTriage.getState().pools).toEqual([]);
    expect(mayAskForBody('thr-clinical', { id: 'thr-clinical', poolId: 'pool-clin' })).toBe(false);
  });

  it('that fails leaves the new person’s tries at 1 s, then 2 s', async () => {
    void loadPools();
    resetTriage();
    asks[0]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(0);
    // The new person's own read fails: asked again after 1 s.
    void loadPools();
    asks[1]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(999);
    expect(asks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks).toHaveLength(3);
    asks[2]!.fail(unavailable);
    // Then after 2 s (not 4 s: the old failure counted no step).
    await vi.advanceTimersByTimeAsync(2_000);
    expect(asks).toHaveLength(4);
  });
});
