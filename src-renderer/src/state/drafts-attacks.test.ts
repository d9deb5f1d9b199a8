/**
 * Session 11 review (s11review): attacks on the reply drafts kept when switching away (state/inbox.ts setDraft,
 * dropDraftsAfterReachChange; s11low). PHI leaves renderer memory on lock and sign-out (DESIGN §6), another person
 * or role finds none, an emergency access ended takes its draft, and a receptionist's drafts of threads the pane does
 * not hold go on a change that may take something out of reach, whatever pools she could read before it. The
 * console API is a scripted stand-in for `window.clinic` (the stores run in Node without a browser); expectations by
 * hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUT_OF_REACH } from '../../../src-shared/data-changes';
import type { PoolView, SessionInfo } from '../../../src-shared/views';
import { dataChanged } from './data';
import { accessEnded, DRAFTS_KEPT, resetInbox, setDraft, useInbox } from './inbox';
import { applySession } from './session';
import { grantAccess, resetTriage, useTriage } from './triage';
import { setUi } from './ui';

(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise(() => undefined) }),
};

const info = (
  id: string,
  role: 'clinician' | 'receptionist',
  state: SessionInfo['state'] = 'active',
): SessionInfo => ({
  state,
  staff: { id, username: id, displayName: id, role },
  deviceId: 'dev-1',
  idleTimeoutMinutes: 5,
  offline: false,
  device: 'enrolled',
});
const pool = (id: string, kind: string, readable: boolean) =>
  ({ id, name: id, kind, readable }) as unknown as PoolView;
const drafts = () => useInbox.getState().drafts;
const typeDrafts = () => {
  for (let i = 1; i <= DRAFTS_KEPT; i++) setDraft(`thr-${i}`, `Dear patient ${i}`);
  expect(Object.keys(drafts())).toHaveLength(DRAFTS_KEPT);
};

describe('reply drafts kept when switching away, attacked', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    resetInbox();
    resetTriage();
    setUi({ selectedThreadId: null });
  });
  afterEach(() => vi.useRealTimers());

  it('all go on lock (DESIGN §6), and the same person unlocking finds none', () => {
    applySession(info('stf-nurse', 'clinician'));
    typeDrafts();
    applySession(info('stf-nurse', 'clinician', 'locked'));
    expect(drafts()).toEqual({});
    applySession(info('stf-nurse', 'clinician'));
    expect(drafts()).toEqual({});
  });

  it('all go on sign-out and on another person signing in straight after (no lock between)', () => {
    applySession(info('stf-nurse', 'clinician'));
    typeDrafts();
    applySession(info('stf-nurse', 'clinician', 'signed-out'));
    expect(drafts()).toEqual({});
    applySession(info('stf-nurse', 'clinician'));
    typeDrafts();
    applySession(info('stf-reception', 'receptionist'));
    expect(drafts()).toEqual({});
  });

  it('of a clinical thread opened under emergency access go when the access ends, the others stay', () => {
    applySession(info('stf-reception', 'receptionist'));
    useTriage.setState({
      pools: [pool('front', 'administrative', true), pool('nurses', 'clinical', false)],
      poolsChecked: true,
    });
    grantAccess('thr-clinical');
    setDraft('thr-clinical', 'Your biopsy');
    setDraft('thr-front', 'See you Monday');
    accessEnded(['thr-clinical']);
    expect(drafts()).toEqual({ 'thr-front': 'See you Monday' });
  });

  // The change may be the one that makes her only pool clinical: the pools the renderer holds are from before it.
  it('of a receptionist go on a reach change even when every pool she had was readable (all administrative)', () => {
    applySession(info('stf-reception', 'receptionist'));
    useTriage.setState({ pools: [pool('front', 'administrative', true)], poolsChecked: true });
    setDraft('thr-front', 'Your results are in');
    dataChanged([OUT_OF_REACH, 'pool']);
    expect(drafts()).toEqual({});
  });

  it('of a clinician stay on a reach change (every pool readable to her role)', () => {
    applySession(info('stf-nurse', 'clinician'));
    useTriage.setState({
      pools: [pool('front', 'administrative', true), pool('nurses', 'clinical', true)],
      poolsChecked: true,
    });
    setDraft('thr-front', 'Your results are in');
    dataChanged([OUT_OF_REACH, 'pool']);
    expect(drafts()).toEqual({ 'thr-front': 'Your results are in' });
  });
});
