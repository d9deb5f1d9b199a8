/**
 * Session 11 (left from session 10's reviews): a reply draft of a thread neither open nor listed stayed in the
 * renderer's memory until lock, however many there were and whatever happened to the thread's reach. Now a draft
 * survives switching away (she comes back to it), at most DRAFTS_KEPT of them (the most recently typed), and a
 * change that may have taken something out of reach drops the drafts of threads the pane does not hold for a role
 * that reads only some pools (state/inbox.ts dropDraftsAfterReachChange). The console API is a scripted stand-in
 * for `window.clinic` (the stores run in Node without a browser); expectations by hand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUT_OF_REACH } from '../../../src-shared/data-changes';
import type { PoolView, ThreadDetail } from '../../../src-shared/views';
import { dataChanged } from './data';
import { DRAFTS_KEPT, resetInbox, setDraft, useInbox } from './inbox';
import { threadSummaryFixture } from './test-fixtures';
import { resetTriage, useTriage } from './triage';
import { setUi } from './ui';

(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise(() => undefined) }),
};

const pool = (id: string, readable: boolean) =>
  ({ id, name: id, kind: id === 'front' ? 'administrative' : 'clinical', readable }) as unknown as PoolView;
const drafts = () => useInbox.getState().drafts;
/** The thread pane shows `threadId` (its detail held). */
const paneHolds = (threadId: string) => {
  setUi({ selectedThreadId: threadId });
  useInbox.setState({
    detail: { thread: threadSummaryFixture({ id: threadId }) } as unknown as ThreadDetail,
  });
};

describe('reply drafts of threads switched away from', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    resetInbox();
    resetTriage();
    setUi({ selectedThreadId: null });
  });
  afterEach(() => vi.useRealTimers());

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
    useTriage.setState({ pools: [pool('front', true), pool('nurses', false)], poolsChecked: true });
    setDraft('thr-away', 'Your results are in');
    setDraft('thr-open', 'See you on Monday');
    paneHolds('thr-open');
    dataChanged([OUT_OF_REACH, 'thread']);
    // The held thread's draft stays: the core checks that thread (refused: its draft goes then).
    expect(drafts()).toEqual({ 'thr-open': 'See you on Monday' });
  });

  it('stay on such a change for a role that reads every pool (a nurse): nothing was withheld from her', () => {
    useTriage.setState({ pools: [pool('front', true), pool('nurses', true)], poolsChecked: true });
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
