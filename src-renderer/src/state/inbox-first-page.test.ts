/**
 * Issue 16 §5 (a queue switch and a thread open within one frame): the inbox store keeps the first page of each
 * list already shown and shows it at once on switching back, asks for a thread's detail when its row is pressed,
 * and never shows a kept copy after a change or a lock. The console API here is a scripted stand-in for
 * `window.clinic` (the renderer's stores run in Node without a browser, and these tests need to hold answers back
 * and deliver them out of order, which a real core cannot be made to do); the real path through the browser host is
 * covered by tests/e2e (triage-desk, idle-lock) and measured by `npm run bench -- --only ui`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadDetail, ThreadSummary } from '../../../src-shared/views';
import { dataChanged, useData } from './data';
import {
  dropFirstPages,
  ensureRows,
  keptFirstPages,
  openThread,
  pressThread,
  resetInbox,
  setQuery,
  takeOpenedLoad,
  useInbox,
} from './inbox';
import { clearPhi } from './phi';
import { useTriage } from './triage';
import { resetUi, setUi, useUi } from './ui';

interface Pending {
  method: string;
  input: Record<string, unknown>;
  answer: (value: unknown) => void;
}
const calls: Pending[] = [];
const api = new Proxy(
  {},
  {
    get: (_t, method: string) => (input: Record<string, unknown>) =>
      new Promise((resolve) => calls.push({ method, input, answer: resolve })),
  },
);
(globalThis as unknown as { window: unknown }).window = { clinic: api };

const summary = (id: string, patientName: string): ThreadSummary => ({
  id,
  subject: 'Knee',
  patientId: 'p1',
  patientName,
  status: 'new',
  priority: 'routine',
  assigneeId: null,
  assigneeName: null,
  providerId: null,
  lastMessageAt: '2026-11-23T08:00:00.000Z',
  dueAt: null,
  unread: true,
  snippet: null,
  version: 1,
});
const detailOf = (id: string): ThreadDetail => ({
  thread: summary(id, 'Ottoline Quillfeather'),
  patient: {
    id: 'p1',
    mrn: 'MRN-1',
    givenName: 'Ottoline',
    familyName: 'Quillfeather',
    birthDate: '1961-04-12',
    phone: '555-0101',
  },
  messages: [],
});

/** Let awaited answers run their continuations. */
const settle = () => new Promise((r) => setTimeout(r, 0));

/** Switch the list to `queue` the way the UI does (queue in the UI store, then the query, then the rows). */
function show(queue: 'all' | 'closed'): void {
  setUi({ queue });
  setQuery(JSON.stringify({ queue }));
  ensureRows(0, 10);
}

/** Answer the oldest unanswered inbox.list call with one row named `name`. */
async function answerList(name: string): Promise<void> {
  const i = calls.findIndex((c) => c.method === 'inbox.list');
  expect(i).toBeGreaterThanOrEqual(0);
  const [call] = calls.splice(i, 1);
  call!.answer({ threads: [summary(`t-${name}`, name)], total: 1 });
  await settle();
}

const shownNames = () => (useInbox.getState().pages[0]?.rows ?? []).map((r) => r.patientName);

describe('kept first pages', () => {
  beforeEach(() => {
    calls.length = 0;
    resetInbox();
    resetUi('clinician');
  });
  afterEach(() => expect(calls.filter((c) => c.method === 'thread.get').length).toBe(0));

  it('shows a list already seen at once on switching back, and reads it again', async () => {
    show('all');
    await answerList('Ada');
    show('closed');
    expect(shownNames()).toEqual([]);
    await answerList('Bea');
    show('all');
    // In the same task: no answer needed.
    expect(shownNames()).toEqual(['Ada']);
    expect(useInbox.getState().total).toBe(1);
    // ...and asked for again (an audited read, as every list shown); the answer replaces it.
    expect(calls.map((c) => c.method)).toEqual(['inbox.list']);
    await answerList('Ada Changed');
    expect(shownNames()).toEqual(['Ada Changed']);
  });

  it('keeps the same row objects when the list read again is unchanged (rows do not render again)', async () => {
    show('all');
    await answerList('Ada');
    show('closed');
    await answerList('Bea');
    show('all');
    const kept = useInbox.getState().pages[0]!.rows;
    await answerList('Ada');
    expect(useInbox.getState().pages[0]!.rows).toBe(kept);
  });

  it('drops every kept page the moment records change, before the view re-queries', async () => {
    show('all');
    await answerList('Ada');
    show('closed');
    await answerList('Bea');
    dataChanged(['audit']);
    expect(keptFirstPages()).toBe(2);
    dataChanged(['thread', 'audit']);
    expect(keptFirstPages()).toBe(0);
    show('all');
    expect(shownNames()).toEqual([]);
    expect(useInbox.getState().total).toBeNull();
    await answerList('Ada');
  });

  it('does not keep an answer that was in flight when records changed', async () => {
    show('all');
    dataChanged(['message']);
    await answerList('Ada (read before the change)');
    // Shown (the list shows what it has until it re-queries), but not kept for a later switch.
    expect(shownNames()).toEqual(['Ada (read before the change)']);
    expect(keptFirstPages()).toBe(0);
  });

  it('keeps nothing across a lock, and an answer arriving after the lock is neither shown nor kept', async () => {
    show('all');
    await answerList('Ada');
    show('closed');
    clearPhi();
    expect(keptFirstPages()).toBe(0);
    await answerList('Bea');
    expect(keptFirstPages()).toBe(0);
    expect(JSON.stringify(useInbox.getState())).not.toMatch(/Ada|Bea/);
    show('all');
    expect(shownNames()).toEqual([]);
    await answerList('Ada');
  });

  it('keeps at most a bounded number of lists', async () => {
    for (let i = 0; i < 30; i++) {
      setQuery(JSON.stringify({ queue: 'all', search: `w${i}` }));
      ensureRows(0, 10);
      await answerList(`P${i}`);
    }
    expect(keptFirstPages()).toBeLessThanOrEqual(12);
    dropFirstPages();
  });
});

describe('opening a thread', () => {
  beforeEach(() => {
    calls.length = 0;
    resetInbox();
    resetUi('clinician');
  });

  const threadGets = () => calls.filter((c) => c.method === 'thread.get');
  const answerGet = async () => {
    const i = calls.findIndex((c) => c.method === 'thread.get');
    const [call] = calls.splice(i, 1);
    call!.answer(detailOf(call!.input.threadId as string));
    await settle();
  };

  it('asks once when pressed then clicked, and shows the answer that came during the press at the click', async () => {
    const v = useData.getState().version;
    pressThread(summary('t1', 'Ada'), v);
    pressThread(summary('t1', 'Ada'), v);
    expect(threadGets().length).toBe(1);
    await answerGet();
    // Not shown before the click (another thread, or none, is open).
    expect(useInbox.getState().detail).toBeNull();
    openThread(summary('t1', 'Ada'), v);
    expect(useInbox.getState().detail?.thread.id).toBe('t1');
    expect(threadGets().length).toBe(0);
    // The thread pane's effect does not ask again.
    expect(takeOpenedLoad('t1', v)).toBe(true);
    expect(takeOpenedLoad('t1', v)).toBe(false);
  });

  it('a click while the press answer is on its way waits for that answer instead of asking again', async () => {
    const v = useData.getState().version;
    pressThread(summary('t1', 'Ada'), v);
    openThread(summary('t1', 'Ada'), v);
    expect(threadGets().length).toBe(1);
    expect(useInbox.getState().detail).toBeNull();
    await answerGet();
    expect(useInbox.getState().detail?.thread.id).toBe('t1');
  });

  it('does not use a pressed thread read before a change', async () => {
    const v = useData.getState().version;
    pressThread(summary('t1', 'Ada'), v);
    await answerGet();
    openThread(summary('t1', 'Ada'), v + 1);
    expect(threadGets().length).toBe(1);
    expect(useInbox.getState().detail).toBeNull();
    await answerGet();
    expect(useInbox.getState().detail?.thread.id).toBe('t1');
  });

  it('never asks for the body of a thread in a pool this role may not read (press, click or Enter)', () => {
    useTriage.setState({
      pools: [
        { id: 'pool-clin', name: 'Clinical', kind: 'clinical', readable: false, open: 1 },
        { id: 'pool-admin', name: 'Admin', kind: 'administrative', readable: true, open: 1 },
      ] as never,
      granted: [],
    });
    try {
      const v = useData.getState().version;
      const restricted = { ...summary('t9', 'Ada'), poolId: 'pool-clin' };
      pressThread(restricted, v);
      openThread(restricted, v);
      expect(threadGets().length).toBe(0);
      expect(useUi.getState().selectedThreadId).toBe('t9');
      // With emergency access open, it is read as usual.
      useTriage.setState({ granted: ['t10'] });
      openThread({ ...summary('t10', 'Bea'), poolId: 'pool-clin' }, v);
      expect(threadGets().length).toBe(1);
      calls.length = 0;
    } finally {
      useTriage.setState({ pools: [], granted: [] });
    }
  });

  it('drops a pressed thread on lock', async () => {
    const v = useData.getState().version;
    pressThread(summary('t1', 'Ada'), v);
    await answerGet();
    expect(useInbox.getState().pressed).not.toBeNull();
    clearPhi();
    expect(useInbox.getState().pressed).toBeNull();
    openThread(summary('t1', 'Ada'), v);
    expect(threadGets().length).toBe(1);
    await answerGet();
  });
});
