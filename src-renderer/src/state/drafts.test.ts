/**
 * Session 11 (left from session 10's reviews): a reply draft of a thread neither open nor listed stayed in the
 * renderer's memory until lock, however many there were and whatever happened to the thread's reach. Now a draft
 * survives switching away (she comes back to it), at most DRAFTS_KEPT of them (the most recently typed), and a
 * change that may have taken something out of reach drops the drafts of threads the pane does not hold for a role
 * that reads only some pools (state/inbox.ts dropDraftsAfterReachChange). The console API is a scripted stand-in
 * for `window.clinic` (the stores run in Node without a browser); expectations by hand.
 *
 * Session 11 review (s11review), the second describe: PHI leaves renderer memory on lock and sign-out (DESIGN §6),
 * another person or role finds none, an emergency access ended takes its draft, and a receptionist's drafts of
 * threads the pane does not hold go on a change that may take something out of reach, whatever pools she could read
 * before it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUT_OF_REACH } from '../../../src-shared/data-changes';
import type { PoolView, SessionInfo, ThreadDetail } from '../../../src-shared/views';
import { dataChanged } from './data';
import { accessEnded, DRAFTS_KEPT, resetInbox, setDraft, useInbox } from './inbox';
import { applySession } from './session';
import { threadSummaryFixture } from './test-fixtures';
import { grantAccess, resetTriage, useTriage } from './triage';
import { setUi } from './ui';

(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise(() => undefined) }),
};

const pool = (id: string, kind: string, readable: boolean) =>
  ({ id, name: id, kind, readable }) as unknown as PoolView;
const drafts = () => useInbox.getState().drafts;
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
const typeDrafts = () => {
  for (let i = 1; i <= DRAFTS_KEPT; i++) setDraft(`thr-${i}`, `Dear patient ${i}`);
  expect(Object.keys(drafts())).toHaveLength(DRAFTS_KEPT);
};
/** The thread pane shows `threadId` (its detail held). */
const paneHolds = (threadId: string) => {
  setUi({ selectedThreadId: threadId });
  useInbox.setState({
    detail: { thread: threadSummaryFixture({ id: threadId }) } as unknown as ThreadDetail,
  });
};

// Every describe below starts from the same state (fake timers, empty stores).
beforeEach(() => {
  vi.useFakeTimers();
  resetInbox();
  resetTriage();
  setUi({ selectedThreadId: null });
});
afterEach(() => vi.useRealTimers());

describe('reply drafts of threads switched away from', () => {
  it('are kept for when she comes back, at most DRAFTS_KEPT, the least recently typed going first', () => {
    expect(DRAFTS_KEPT).toBe(5);
    for (let i = 1; i <= 5; i++) setDraft(`thr-${i}`, `Reply ${i}`);
    // Typing in thr-1 again makes it the most recent: thr-2 is the least recently typed now.
    setDraft('thr-1', 'Reply 1, more');
    setDraft('thr-6', 'Reply 6');
    expect(drafts()).toEqual({
      'thr-3': 'Reply 3',
      'thr-4': 'Reply 4',
      'thr-5': 'Reply 5',
      'thr-1': 'Reply 1, more',
      'thr-6': 'Reply 6',
    });
    // A draft emptied (sent, or its text deleted) is no draft: it holds no place.
    setDraft('thr-6', '');
    expect(Object.keys(drafts())).toEqual(['thr-3', 'thr-4', 'thr-5', 'thr-1']);
  });

  it('go on a change that may have taken something out of reach, for a role that reads only some pools', () => {
    useTriage.setState({
      pools: [pool('front', 'administrative', true), pool('nurses', 'clinical', false)],
      poolsChecked: true,
    });
    setDraft('thr-away', 'Your results are in');
    setDraft('thr-open', 'See you on Monday');
    paneHolds('thr-open');
    dataChanged([OUT_OF_REACH, 'thread']);
    // The held thread's draft stays: the core checks that thread (refused: its draft goes then).
    expect(drafts()).toEqual({ 'thr-open': 'See you on Monday' });
  });

  it('stay on such a change for a role that reads every pool (a nurse): nothing was withheld from her', () => {
    useTriage.setState({
      pools: [pool('front', 'administrative', true), pool('nurses', 'clinical', true)],
      poolsChecked: true,
    });
    setDraft('thr-away', 'Your results are in');
    setDraft('thr-open', 'See you on Monday');
    paneHolds('thr-open');
    dataChanged([OUT_OF_REACH, 'thread']);
    expect(drafts()).toEqual({ 'thr-away': 'Your results are in', 'thr-open': 'See you on Monday' });
    // And on any other change.
    dataChanged(['message']);
    expect(Object.keys(drafts())).toEqual(['thr-away', 'thr-open']);
  });

  it('go on such a change when the pools are not known yet (nothing open)', () => {
    setDraft('thr-away', 'Your results are in');
    dataChanged([OUT_OF_REACH]);
    expect(drafts()).toEqual({});
  });
});

describe('reply drafts kept when switching away, attacked', () => {
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
