/**
 * Session 10 (review of session 9, L2): a failed read of the pool list was never asked for again until the next data
 * change, and until it is read a receptionist is shown no thread body (mayAskForBody): her open thread said
 * "Loading thread…". The console API is a scripted stand-in for `window.clinic` (the stores run in Node without a
 * browser); the test's own timers stand in for the wait between tries; expectations by hand.
 *
 * Session 11 review (s11review): a pool-list read asked for by the previous person (or role) and answered after
 * resetTriage (state/session.ts: another person, a role change, a sign-out). Its answer carries the previous role's
 * `readable` flags: kept, a clinician's "every pool readable" made the thread pane ask for bodies on a receptionist's
 * behalf (mayAskForBody: a refused read recorded against her) and kept her drafts on a change that may take something
 * out of reach (state/inbox.ts). Its failure doubled the new person's first wait.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoolView } from '../../../src-shared/views';
import { loadPools, mayAskForBody, poolsOutOfReach, resetTriage, useTriage } from './triage';

const asks: { answer: (v: unknown) => void; fail: (e: unknown) => void }[] = [];
(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise((answer, fail) => asks.push({ answer, fail })) }),
};
const POOLS = [
  { id: 'pool-admin', name: 'Front desk', kind: 'administrative', readable: true },
] as unknown as PoolView[];
/** The pools as a clinician reads them: every one readable. */
const CLINICIANS_POOLS = [
  { id: 'pool-admin', name: 'Front desk', kind: 'administrative', readable: true },
  { id: 'pool-clin', name: 'Nurses', kind: 'clinical', readable: true },
] as unknown as PoolView[];
const unavailable = { ok: false, error: { code: 'INTERNAL', message: 'The store is busy.' } };

// Every describe below starts from the same state (fake timers, empty stores).
beforeEach(() => {
  vi.useFakeTimers();
  asks.length = 0;
  resetTriage();
});
afterEach(() => vi.useRealTimers());

describe('the pool list after a failed read', () => {
  it('is asked for again, after 1 s then 2 s, until it is read', async () => {
    void loadPools();
    asks[0]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(999);
    expect(asks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks).toHaveLength(2);
    asks[1]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(asks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks).toHaveLength(3);
    asks[2]!.answer(POOLS);
    await vi.advanceTimersByTimeAsync(0);
    expect(useTriage.getState()).toMatchObject({ pools: POOLS, poolsChecked: true });
    // Read: nothing more is asked for.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asks).toHaveLength(3);
  });

  // Session 11 (session 10's L2 left): resetTriage left the previous person's wait (and its pending try) in place.
  it('is asked for again after 1 s for the next person, whatever the wait had grown to before', async () => {
    void loadPools();
    asks[0]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(1_000);
    asks[1]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(asks).toHaveLength(3);
    // The third failure: the next try would be in 4 s, the one after in 8 s.
    asks[2]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(0);
    // Another person signs in (state/session.ts): the inbox asks for her pool list, which fails too.
    resetTriage();
    void loadPools();
    expect(asks).toHaveLength(4);
    asks[3]!.fail(unavailable);
    await vi.advanceTimersByTimeAsync(999);
    expect(asks).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks).toHaveLength(5);
    asks[4]!.answer(POOLS);
    await vi.advanceTimersByTimeAsync(0);
    expect(useTriage.getState()).toMatchObject({ pools: POOLS, poolsChecked: true });
    // The previous person's pending try (due 4 s after her third failure) was dropped with her state.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asks).toHaveLength(5);
  });
});

describe('a pool-list read of the previous person answered after another signs in', () => {
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

// Session 11 review, left LOW, fixed by the lead: a receptionist whose pools were all administrative reads every pool
// she has; a change that may take something out of reach (e.g. one of them made clinical) must stop the pane asking
// for bodies until the pools are read again, as for any role that reads only some pools.
describe('after a change that may take something out of reach', () => {
  it('a receptionist whose pools were all administrative is asked no body until the pools are read again', async () => {
    void loadPools();
    asks[0]!.answer(POOLS);
    await vi.advanceTimersByTimeAsync(0);
    const thread = { id: 'thr-front', poolId: 'pool-admin' };
    expect(mayAskForBody(thread.id, thread)).toBe(true);
    poolsOutOfReach();
    expect(mayAskForBody(thread.id, thread)).toBe(false);
    expect(mayAskForBody('thr-unlisted', undefined)).toBe(false);
  });

  it('a clinician (every pool readable, a clinical one among them) is asked bodies throughout', async () => {
    void loadPools();
    asks[0]!.answer(CLINICIANS_POOLS);
    await vi.advanceTimersByTimeAsync(0);
    poolsOutOfReach();
    expect(mayAskForBody('thr-unlisted', undefined)).toBe(true);
  });
});
