/**
 * Inbox data (PHI): thread pages, counts, the open thread, search text and reply drafts. Pages of 100 threads are
 * fetched by offset as the list scrolls; `total` sizes the scroller. Dropped whole on lock.
 *
 * Within one frame (issue 16 §5, DESIGN §10): the first page of each list query already shown is kept (at most
 * FIRST_PAGE_KEEP), so switching back to a queue paints its rows in the click's own frame. A kept page is shown and
 * read again at once (an audited read, as before), so a clock-dependent order (overdue) is corrected by the next
 * answer. When the core reports a change (`staleFirstPages`, called on `data.changed` before the view's debounce,
 * and on invalidateList) the kept pages become stale instead of being dropped (session 7, issue 16 §5: a switch
 * after a change waited for the round trip): a stale page is still shown at once, marked `stale` (the list says it
 * is updating, its rows are dimmed and busy), for no longer than the read that replaces it; if that read fails, the
 * stale rows go (the error is shown, not them). After a change that may have taken something out of the person's
 * reach (src-shared/data-changes.ts OUT_OF_REACH) every kept page and the rows on screen go at once, and no answer
 * asked before is shown (dropKeptLists). Every kept page is dropped on lock (resetInbox). A thread's detail is asked for in
 * the task that opens it, and the selection is shown with the answer, in one commit (session 8: openThread). Never
 * earlier (on pointerdown): `thread.get` is an audited read that marks the thread seen, and a press that does not
 * become a click opens nothing (review 6, D16).
 */
import { create } from 'zustand';
import type { MethodInput } from '../../../src-shared/contract';
import type { QueueCounts, ThreadDetail, ThreadSummary } from '../../../src-shared/views';
import { call, errorCode, errorMessage } from '../api';
import { ifCurrent, phiEpoch } from './epoch';
import { threadStamp } from '../../../src-shared/thread-stamp';
import { bodyWithheld, dropAccess, mayAskForBody, readsEveryPool, useTriage } from './triage';
import { moveCursorUnshown, setUi, showCursor, useUi, type UiState } from './ui';

export const PAGE_SIZE = 100;

interface Page {
  rows: ThreadSummary[];
  gen: number;
}

export interface InboxState {
  queryKey: string;
  /** Bumped on data.changed: pages of an older generation are shown until refetched. */
  gen: number;
  pages: Record<number, Page>;
  total: number | null;
  /** `total` is a lower bound: a search counts up to 1,000 matching threads ("1,000+"; issue 14 §6). */
  totalIsLowerBound: boolean;
  listError: string | null;
  counts: QueueCounts | null;
  /** The text in the search box, and the search the list shows. */
  searchText: string;
  search: string;
  detail: ThreadDetail | null;
  detailError: string | null;
  /**
   * `detail` was read (or checked unchanged: refreshDetail) after the last change of records the renderer heard of
   * (recordsChanged). Only such a copy is shown as the "previous" thread while another one opens (ThreadPane): a
   * change may have taken it out of the person's reach (moved to a clinical pool, emergency access ended).
   */
  detailChecked: boolean;
  drafts: Record<string, string>;
  /** The outcome of the last action on the open thread (errors shown by the thread view). */
  actionError: string | null;
  /**
   * The first page shown is a kept copy from before the last change of records, shown while it is read again
   * (session 7): the list says it is updating. False once the read answers (or fails: the rows then go).
   */
  stale: boolean;
}

const empty = (): InboxState => ({
  queryKey: '',
  gen: 0,
  pages: {},
  total: null,
  totalIsLowerBound: false,
  listError: null,
  counts: null,
  searchText: '',
  search: '',
  detail: null,
  detailError: null,
  detailChecked: false,
  drafts: {},
  actionError: null,
  stale: false,
});

export const useInbox = create<InboxState>()(empty);

const inFlight = new Map<number, string>();

/** Kept first pages by query key (most recent last), and the data generation they belong to. */
export const FIRST_PAGE_KEEP = 12;
const firstPages = new Map<
  string,
  { rows: ThreadSummary[]; total: number; totalIsLowerBound: boolean; stale: boolean }
>();
let firstPagesGen = 0;

/** Bumped by dropFirstPages: an answer asked before it is neither kept nor shown. */
let droppedGen = 0;

/** Forget every kept first page (PHI dropped). Answers in flight are neither kept nor shown. */
export function dropFirstPages(): void {
  firstPages.clear();
  firstPagesGen++;
  droppedGen++;
}

/**
 * Records changed, none out of the person's reach (state/data.ts; a change that may have taken something out of
 * reach goes to dropKeptLists instead): every kept first page may be out of date from now on, and stays, marked
 * stale: shown only while its re-read is under way (setQuery). A search's page too (session 9, s9sec, review 9
 * suspicion 5): since session 8 a search's page and rows went at every change, and any search answer asked before
 * one was dropped, so under a steady stream of changes (a long sync, a busy desk) a search never showed; the core
 * now says which changes may withhold what a list showed (a message gone, a thread moved to a clinical pool), and
 * only those drop it. Answers in flight (asked before the change) are shown, not kept (loadPage).
 */
export function staleFirstPages(): void {
  for (const kept of firstPages.values()) kept.stale = true;
  firstPagesGen++;
}

/**
 * A change may have taken out of the person's reach something a list showed (records removed from the store, a
 * thread moved to a pool the role may not read, bodies withheld, a role changed: OUT_OF_REACH, state/data.ts): a
 * list from before may show them (a search's snippet, a patient's name), so every kept first page goes, and so do
 * the rows on screen, at once; answers in flight are not shown (loadPage). The re-read the change brings shows the
 * list again (session 8, sec8; review 8 suspicion 1). The summary of the thread chosen goes too (threadSummary):
 * no body is asked for on its strength (session 9, s9sec), unless the pane holds that thread's detail (review 10,
 * R10-1): it stays mounted, and is checked with `thread.getIfChanged` once the pools and a list are read again.
 */
export function dropKeptLists(): void {
  dropFirstPages();
  // The thread the pane holds stays (review 10, R10-1): its summary as chosen is kept, but trusted only once a list
  // read since the change has answered (a fresh row wins: threadSummary) and the pools are read again (bodyAskable).
  const open = useUi.getState().selectedThreadId;
  const held = open !== null && chosenSummary?.id === open && detailHeld(open);
  heldSinceReach = held ? open : null;
  if (!held) chosenSummary = null;
  dropDraftsAfterReachChange(open !== null && detailHeld(open) ? open : null);
  const s = useInbox.getState();
  if (s.total !== null || Object.keys(s.pages).length > 0)
    useInbox.setState({ pages: {}, total: null, totalIsLowerBound: false, stale: false });
}

/** How many first pages are kept (for tests), and how many of them are stale. */
export function keptFirstPages(): number {
  return firstPages.size;
}
export function staleKeptPages(): number {
  return [...firstPages.values()].filter((k) => k.stale).length;
}

export function resetInbox(): void {
  inFlight.clear();
  detailReads.clear();
  refusedThreads.clear();
  dropFirstPages();
  openedLoad = null;
  chosenSummary = null;
  cancelPendingOpen();
  paneAway = false;
  listDataVersion = null;
  useInbox.setState(empty(), true);
}

type ListQuery = Omit<MethodInput<'inbox.list'>, 'offset' | 'limit'>;

/** The list query the UI asks for now (queue and filters from the UI store, search from this one). */
export function currentQuery(): ListQuery {
  const { queue, filters } = useUi.getState();
  const search = useInbox.getState().search.trim();
  const q: ListQuery = { queue };
  if (filters.providerId) q.providerId = filters.providerId;
  if (filters.priority) q.priority = filters.priority;
  if (filters.status) q.status = filters.status;
  if (filters.since) q.since = filters.since;
  if (filters.poolId) q.poolId = filters.poolId;
  if (filters.sort) q.sort = filters.sort;
  if (search) q.search = search.slice(0, 200);
  return q;
}

/** Switch the list to another query: drop its pages and start at the top. */
export function setQuery(key: string): void {
  if (useInbox.getState().queryKey === key) return;
  inFlight.clear();
  const kept = firstPages.get(key);
  if (kept) {
    // Shown now and read again (gen -1 is older than any generation, so ensureRows asks for it).
    useInbox.setState({
      queryKey: key,
      pages: { 0: { rows: kept.rows, gen: -1 } },
      total: kept.total,
      totalIsLowerBound: kept.totalIsLowerBound,
      listError: null,
      stale: kept.stale,
    });
  } else {
    useInbox.setState({
      queryKey: key,
      pages: {},
      total: null,
      totalIsLowerBound: false,
      listError: null,
      stale: false,
    });
  }
}

/**
 * Switch the list to the query the UI state asks for now (call right after changing queue or filters), and ask
 * for its first page in this same task, before React renders the switch: the round trip to the core overlaps the
 * render (issue 16 §5). A new query starts at the top (the cursor goes back to row 0); the list's range effect
 * asks for any further page, and a page in flight is not asked for twice.
 */
export function showCurrentQuery(): void {
  setQuery(JSON.stringify(currentQuery()));
  ensureRows(0, 0);
}

/** Make sure the pages covering rows first..last are loaded (or loading) for the current generation. */
export function ensureRows(first: number, last: number): void {
  const s = useInbox.getState();
  const query = currentQuery();
  const key = s.queryKey;
  if (!key) return;
  const lastPage = Math.max(0, Math.floor(Math.max(first, last) / PAGE_SIZE));
  for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= lastPage; p++) {
    const have = s.pages[p];
    if (have && have.gen === s.gen) continue;
    // Past the end: beyond an exact total; beyond the page that starts at a lower bound (it counts further).
    if (s.total !== null && p > 0 && p * PAGE_SIZE >= s.total + (s.totalIsLowerBound ? 1 : 0)) continue;
    const tag = `${key}#${s.gen}`;
    if (inFlight.get(p) === tag) continue;
    inFlight.set(p, tag);
    void loadPage(p, query, key, s.gen, tag);
  }
}

async function loadPage(
  page: number,
  query: ListQuery,
  key: string,
  gen: number,
  tag: string,
): Promise<void> {
  const started = phiEpoch();
  const keptGen = firstPagesGen;
  const dropsAtAsk = droppedGen;
  try {
    const result = await call('inbox.list', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    ifCurrent(started, () => {
      // No list asked before a change that may have taken something out of reach (dropKeptLists): it may hold
      // what the store no longer has or the role may no longer read (the change's re-read follows). One asked
      // before any other change is shown, and not kept (s9sec).
      if (droppedGen !== dropsAtAsk) return;
      dropDraftsOfWithheld(result.threads);
      if (page === 0 && keptGen === firstPagesGen) {
        firstPages.delete(key);
        firstPages.set(key, {
          rows: result.threads,
          total: result.total,
          totalIsLowerBound: result.totalIsLowerBound === true,
          stale: false,
        });
        if (firstPages.size > FIRST_PAGE_KEEP) firstPages.delete(firstPages.keys().next().value!);
      }
      const s = useInbox.getState();
      const have = s.pages[page];
      if (s.queryKey !== key || gen < (have?.gen ?? -1)) return;
      // A later page of a search counts further: keep the largest lower bound until an exact total arrives.
      const lowerBound = result.totalIsLowerBound === true;
      const total =
        lowerBound && s.totalIsLowerBound && s.total !== null
          ? Math.max(s.total, result.total)
          : result.total;
      // The same rows again (a kept page read again): keep the old objects, so no row renders again.
      const same = have && s.total === total && sameRows(have.rows, result.threads);
      useInbox.setState({
        pages: { ...s.pages, [page]: { rows: same ? have.rows : result.threads, gen } },
        total,
        totalIsLowerBound: lowerBound,
        listError: null,
        ...(page === 0 ? { stale: false } : {}),
      });
    });
  } catch (error) {
    ifCurrent(started, () => {
      const s = useInbox.getState();
      if (s.queryKey !== key) return;
      // A stale kept page is shown only until its read answers: a failed read takes it away with it.
      if (s.stale) {
        firstPages.delete(key);
        useInbox.setState({
          pages: {},
          total: null,
          totalIsLowerBound: false,
          stale: false,
          listError: errorMessage(error),
        });
      } else useInbox.setState({ listError: errorMessage(error) });
    });
  } finally {
    if (inFlight.get(page) === tag) inFlight.delete(page);
  }
}

function sameRows(a: ThreadSummary[], b: ThreadSummary[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/** The data version (state/data.ts) the list's pages were last asked for at; null before the first list. */
let listDataVersion: number | null = null;

/**
 * Take the current data version for the list: true when records changed since the list last took one, also while
 * no list was on screen (another page open: the pages kept in this store are then stale), so the caller refetches.
 * Session 6: the list used to remember the version in its component, so a change made while it was unmounted
 * (a coverage hand-over pulled while on Coverage) went unseen; the re-read 150 ms after every thread open hid it.
 */
export function takeDataVersion(version: number): boolean {
  const changed = listDataVersion !== null && listDataVersion !== version;
  listDataVersion = version;
  return changed;
}

/** Records changed: keep showing what is there, refetch it (the list's range effect asks for the pages again). */
export function invalidateList(): void {
  staleFirstPages();
  useInbox.setState((s) => ({ gen: s.gen + 1 }));
}

export function rowAt(index: number): ThreadSummary | undefined {
  const s = useInbox.getState();
  return s.pages[Math.floor(index / PAGE_SIZE)]?.rows[index % PAGE_SIZE];
}

export async function loadCounts(): Promise<void> {
  const started = phiEpoch();
  try {
    const counts = await call('inbox.counts', {});
    ifCurrent(started, () => useInbox.setState({ counts }));
  } catch {
    // Counts are a convenience; the list shows its own error.
  }
}

/**
 * A thread's row, in the list shown and in the kept first pages, as the core now has it after `thread.get`
 * answered: that read committed the "seen" mark, and a mark changes only the row's unread flag (no queue's
 * members, order or total; src-main/inbox/inbox-service.ts markSeen). So the list is not read again to clear the
 * dot (it was, 150 ms after every open: a 40 KB answer and an audited list read competing with the next open).
 * Rows already read keep their objects (nothing renders again).
 */
function markRowRead(threadId: string): void {
  const read = (rows: ThreadSummary[]): ThreadSummary[] | null => {
    const i = rows.findIndex((r) => r.id === threadId && r.unread);
    if (i < 0) return null;
    const next = rows.slice();
    next[i] = { ...rows[i]!, unread: false };
    return next;
  };
  for (const kept of firstPages.values()) kept.rows = read(kept.rows) ?? kept.rows;
  const s = useInbox.getState();
  let pages: Record<number, Page> | null = null;
  for (const [n, page] of Object.entries(s.pages)) {
    const rows = read(page.rows);
    if (rows) (pages ??= { ...s.pages })[Number(n)] = { ...page, rows };
  }
  if (pages) useInbox.setState({ pages });
}

/** The load started by opening a thread (openThread), for the thread pane not to ask again. */
let openedLoad: { threadId: string; version: number } | null = null;

/**
 * How long an opened thread waits for its read before the list shows the choice without it (ms). Within one frame
 * (issue 16 §5): the open's input task changes nothing on screen, so neither it nor the frame after it lays out or
 * paints anything; the read's answer (a few ms) shows the list's choice and the thread together, in one commit.
 * Only a read slower than this shows the choice first (the pane then keeps the previous thread, busy, until the
 * answer: ThreadView.tsx). 30 ms: two frames at 60 Hz, well inside RAIL's 100 ms for a response to input.
 */
export const SHOW_CHOICE_AFTER_MS = 30;

/** An open whose read has not answered yet (openThread): its UI change waits for the answer, or the timer. */
let pendingOpen: { threadId: string; ui: Partial<UiState>; timer: ReturnType<typeof setTimeout> } | null =
  null;

/** Show a pending open's choice now (its UI change and the selection), with whatever `inbox` change comes with it. */
function showPendingOpen(threadId: string, inbox?: Partial<InboxState>): boolean {
  if (pendingOpen?.threadId !== threadId) return false;
  const { ui, timer } = pendingOpen;
  clearTimeout(timer);
  pendingOpen = null;
  // Both stores change in this one task: React renders them in one commit.
  setUi({ ...ui, selectedThreadId: threadId });
  if (inbox) useInbox.setState(inbox);
  return true;
}

/**
 * The thread an open is waiting for (openThread: its read has not answered and its choice is not shown yet), or
 * null. Meanwhile the thread still on screen is the one the person left: no action may land on it (review 9, R9-2),
 * so `openThreadId()` (the shortcuts) and the thread actions (features/inbox/actions.ts) do nothing while this is set.
 */
export function openingThreadId(): string | null {
  return pendingOpen?.threadId ?? null;
}

/**
 * Forget the open waiting for its read (lock; another selection made meanwhile). The list's cursor it moved is
 * shown now, unless `replaced`: another open takes its place and shows it with its own answer.
 */
function cancelPendingOpen(replaced = false): void {
  if (pendingOpen) clearTimeout(pendingOpen.timer);
  pendingOpen = null;
  if (!replaced) showCursor();
}

// Any other selection made while an open waits (the patient panel, the sync bar, "mark done and next", another
// open) wins: the waiting open's answer then selects nothing.
useUi.subscribe((s, prev) => {
  if (
    pendingOpen &&
    s.selectedThreadId !== prev.selectedThreadId &&
    s.selectedThreadId !== pendingOpen.threadId
  ) {
    cancelPendingOpen();
  }
});

/**
 * Load a thread's detail (an audited read that marks it seen) into `detail` if it is still the selected thread, or
 * the thread an open waits for (openThread: then its selection is shown in the same commit).
 */
export async function loadDetail(threadId: string): Promise<void> {
  // Never a body the role may not read, nor one it is not known to read (s9sec): a refused read is recorded
  // against the person. The pane asks again once it is known (TriagePane).
  if (!bodyAskable(threadId)) return;
  const started = phiEpoch();
  const changesAtAsk = recordChanges;
  const read = { recheck: false };
  detailReads.set(threadId, read);
  try {
    const detail = await call('thread.get', { threadId });
    ifCurrent(started, () => {
      // The read committed the thread's "seen" mark with its audit event: its row is read from now on.
      markRowRead(threadId);
      // The inbox left meanwhile (another view): nothing of it is kept for when it comes back.
      if (paneAway) return;
      const shown = { detail, detailError: null, detailChecked: changesAtAsk === recordChanges };
      if (showPendingOpen(threadId, shown)) return;
      if (useUi.getState().selectedThreadId === threadId) useInbox.setState(shown);
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (refusedForReach(error)) outOfReach(threadId);
      if (paneAway) return;
      const refused = { detail: null, detailError: errorMessage(error), detailChecked: false };
      if (showPendingOpen(threadId, refused)) return;
      if (useUi.getState().selectedThreadId === threadId) useInbox.setState(refused);
    });
  } finally {
    if (detailReads.get(threadId) === read) detailReads.delete(threadId);
    // Records changed while it was read: check the copy now shown against the store (no audited read unless its
    // own data changed). Nothing shown of it (the read failed, another thread chosen meanwhile): nothing to check.
    if (
      read.recheck &&
      phiEpoch() === started &&
      useUi.getState().selectedThreadId === threadId &&
      useInbox.getState().detail?.thread.id === threadId
    )
      void refreshDetail(threadId);
  }
}

/**
 * Reads of a thread's detail under way (loadDetail), by thread id. A refresh asked meanwhile (records changed while
 * an opened thread is read) does not read it again: it is marked, and checked once with the stamp when the read has
 * answered (review 9, R9-5: one open, however many changes arrive during its read, makes one audited `thread.get`).
 */
const detailReads = new Map<string, { recheck: boolean }>();

/**
 * Records changed while a thread is open (review 7 U4): read it again only if its own data changed. The copy shown
 * is sent as its stamp (src-shared/thread-stamp.ts); the core answers null when it still holds the same data (no
 * read is made, so none is recorded), else the detail as `thread.get` gives it (an audited read with its "seen"
 * mark). Without a copy of this thread (another one shown, or none yet), it is read as on opening (loadDetail).
 * While a read of it is under way (detailReads), nothing is asked now: that read's answer is checked once after.
 */
export async function refreshDetail(threadId: string): Promise<void> {
  const reading = detailReads.get(threadId);
  if (reading) {
    reading.recheck = true;
    return;
  }
  if (!bodyAskable(threadId)) {
    // Held across a change elsewhere: checked once the pools and the list are read again (retryHeldRefresh).
    if (detailHeld(threadId)) refreshWaiting = threadId;
    return;
  }
  const shown = useInbox.getState().detail;
  if (shown?.thread.id !== threadId) return loadDetail(threadId);
  const started = phiEpoch();
  const changesAtAsk = recordChanges;
  try {
    const stamp = await threadStamp(shown);
    if (phiEpoch() !== started) return;
    const { detail } = await call('thread.getIfChanged', { threadId, stamp });
    ifCurrent(started, () => {
      // A changed thread was read (its "seen" mark committed): its row is read, shown or not.
      if (detail) markRowRead(threadId);
      if (paneAway || useUi.getState().selectedThreadId !== threadId) return;
      const checked = changesAtAsk === recordChanges;
      if (detail) {
        useInbox.setState({ detail, detailError: null, detailChecked: checked });
      } else if (useInbox.getState().detail === shown) useInbox.setState({ detailChecked: checked });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (refusedForReach(error)) outOfReach(threadId);
      if (!paneAway && useUi.getState().selectedThreadId === threadId) {
        useInbox.setState({ detail: null, detailError: errorMessage(error), detailChecked: false });
      }
    });
  }
}

/**
 * Open a thread (its row's summary; a click, Enter or Space): its detail is asked for in the input's own task
 * (issue 16 §5); the list's cursor (`change.cursor`) moves at once for the keys (review 9, R9-4), and the cursor
 * and the selection (with the rest of `change`) are shown when the read answers, in the same commit as the thread
 * (or after SHOW_CHOICE_AFTER_MS if the read is slower); the thread pane then does not ask again (takeOpenedLoad).
 * `version` is the data version (state/data.ts) the pane will render with. Never earlier than the open itself: the
 * read marks the thread seen and is audited (review 6, D16).
 */
export function openThread(thread: ThreadSummary, version: number, change: Partial<UiState> = {}): void {
  const threadId = thread.id;
  chosenSummary = thread;
  refusedThreads.delete(threadId);
  // The list's cursor is the person's choice at once (review 9, R9-4): keys typed before the read answers (j,
  // Enter, arrows) move on from the row opened, not from the one before. It is shown with the answer, like the
  // selection (session 14, ui.ts moveCursorUnshown): a change on screen in the input's task holds the answer back
  // until the next frame. Every path below that shows the open now (setUi) shows the cursor with it.
  const { cursor, ...ui } = change;
  if (cursor !== undefined) moveCursorUnshown(cursor);
  if (pendingOpen?.threadId === threadId) {
    pendingOpen.ui = { ...pendingOpen.ui, ...ui };
    return;
  }
  cancelPendingOpen(true);
  if (useUi.getState().selectedThreadId === threadId) {
    setUi(ui);
    return;
  }
  // Topic and subject only (the triage pane's restricted view): the body is never asked for, and the thread pane
  // no longer shows the thread it held: forgotten in the same task (review 9, suspicion 3). The same while it is
  // not known whether the role may read it (the pools not read since a change): the pane asks once it is.
  if (bodyWithheld(thread) || !mayAskForBody(threadId, thread)) {
    setUi({ ...ui, selectedThreadId: threadId });
    forgetDetail();
    return;
  }
  openedLoad = { threadId, version };
  pendingOpen = {
    threadId,
    ui,
    timer: setTimeout(() => showPendingOpen(threadId), SHOW_CHOICE_AFTER_MS),
  };
  void loadDetail(threadId);
}

/**
 * Records changed (state/data.ts, on `data.changed`): the detail held is unchecked until its refresh answers
 * (detailChecked), and a read asked before now does not check it.
 */
export function recordsChanged(): void {
  recordChanges++;
  if (useInbox.getState().detailChecked) useInbox.setState({ detailChecked: false });
}
let recordChanges = 0;

/**
 * The thread pane no longer shows the detail it held (a thread whose body is withheld is chosen, or shown in its
 * place: TriagePane's restricted view; the inbox view left): it is dropped, not kept hidden. Review 9, suspicion 3
 * (PHI, DESIGN §2.2/§6): a detail kept while hidden was shown again later (dimmed as the "previous" thread of the
 * next open, or in full on coming back to the inbox until its refresh was refused), also after a change had taken
 * it out of the person's reach. Coming back reads the thread again (an audited read: it is shown again).
 */
export function forgetDetail(): void {
  const s = useInbox.getState();
  if (s.detail || s.detailError || s.actionError || s.detailChecked)
    useInbox.setState({ detail: null, detailError: null, actionError: null, detailChecked: false });
}

/** The inbox view (TriagePane, the thread pane's place) is not on screen: reads answering now are not kept. */
let paneAway = false;

/**
 * The thread pane's place (TriagePane) is mounted (`true`) or not: when it goes (another view), the detail is
 * forgotten, an open waiting for its read is dropped (its answer selects nothing), and no answer is kept until it
 * is back (paneAway).
 */
export function threadPaneShown(shown: boolean): void {
  paneAway = !shown;
  if (shown) return;
  cancelPendingOpen();
  openedLoad = null;
  forgetDetail();
}

/** The summary of a thread in the list's pages, if it is there (its pool as the list last read it). */
export function rowById(threadId: string): ThreadSummary | undefined {
  for (const page of Object.values(useInbox.getState().pages)) {
    const found = page.rows.find((r) => r.id === threadId);
    if (found) return found;
  }
  return undefined;
}

/**
 * The summary of the thread last chosen (openThread, chooseThread), as the list it was chosen from showed it; null
 * after a change that may have taken something out of reach (dropKeptLists) and on lock.
 */
let chosenSummary: ThreadSummary | null = null;

/**
 * A thread's summary as the renderer knows it: in the list shown, else as it was when chosen (session 9, s9sec: a
 * thread chosen and then out of the list shown, after a queue switch, a search or a change, keeps its topic, subject
 * and pool, so a withheld one keeps its restricted view instead of the thread pane asking for its body). Known only
 * from lists read since the last change that may have taken something out of reach: their pools are current.
 */
export function threadSummary(threadId: string): ThreadSummary | undefined {
  return rowById(threadId) ?? (chosenSummary?.id === threadId ? chosenSummary : undefined);
}

/**
 * Choose a thread by its summary from outside the list (the patient panel): the selection, with `change`, and its
 * summary kept (threadSummary), so the pane knows whether its body may be asked for before any list shows it.
 */
export function chooseThread(thread: ThreadSummary, change: Partial<UiState> = {}): void {
  chosenSummary = thread;
  refusedThreads.delete(thread.id);
  setUi({ ...change, selectedThreadId: thread.id });
}

/**
 * Is this thread's body held by the thread pane (its detail shown) or being read for it (detailReads)? Such a
 * thread was readable when read: a change that may have taken something out of reach elsewhere (OUT_OF_REACH,
 * state/data.ts) does not tear its pane down (review 10, R10-1: the reply box and its focus went, typed keys became
 * inbox shortcuts, and the thread was read again in full, audited); the core decides whether it really went out of
 * reach (`thread.getIfChanged` refuses a thread the role may no longer read, and answers null, with no read
 * recorded, for one unchanged).
 */
export function detailHeld(threadId: string): boolean {
  return useInbox.getState().detail?.thread.id === threadId || detailReads.has(threadId);
}

/**
 * The thread the pane held at the last change that may have taken something out of reach (dropKeptLists).
 *
 * The held thread's window (session 11, L11; README "The open thread after a change elsewhere"): from that change
 * until the pools and a list are read again (bodyAskable, TriagePane's retryHeldRefresh) and the core answers its
 * `thread.getIfChanged` (null: unchanged, nothing read; refused: out of reach, the pane closes it and its draft
 * goes), the pane keeps showing the text it read while the thread was readable, with its reply box and focus.
 * Deliberate (review 10, R10-1): closing it at once took the reply box from under the person's typing and read the
 * thread again, audited, at every unrelated change. Nothing new is read or shown in the window, and an action on
 * the thread is checked by the core. Normally data.ts's 30 ms gathering of changes, then three round trips; longer
 * only while the pools (retried 1 s … 30 s: state/triage.ts loadPools) or the list cannot be read; the lock ends
 * it (resetInbox).
 */
let heldSinceReach: string | null = null;
/** A held thread whose refresh waited for the pools and the list to be read again (retryHeldRefresh). */
let refreshWaiting: string | null = null;

/**
 * The pools and the list are read again after a change that may have taken something out of reach: the held
 * thread's refresh that waited for them is asked now (`thread.getIfChanged`: the core reads it only if it changed,
 * and refuses it if the role may no longer read it), unless it is no longer askable (the list shows it withheld: the
 * restricted view replaces the pane, and no body is asked for).
 */
export function retryHeldRefresh(threadId: string): void {
  if (refreshWaiting !== threadId || !bodyAskable(threadId)) return;
  refreshWaiting = null;
  void refreshDetail(threadId);
}

/**
 * May the body of this thread be asked for now (state/triage.ts mayAskForBody, with what is known of it, or a
 * thread whose detail is held: detailHeld)?
 */
function bodyAskable(threadId: string): boolean {
  if (refusedThreads.has(threadId)) return false;
  // The held thread's pool as chosen may be out of date until a list read since the change answers.
  if (heldSinceReach === threadId && useInbox.getState().total === null) return false;
  return mayAskForBody(threadId, threadSummary(threadId));
}

/** True (once) if openThread already asked for this thread in this data version. */
export function takeOpenedLoad(threadId: string, version: number): boolean {
  const taken = openedLoad?.threadId === threadId && openedLoad.version === version;
  openedLoad = null;
  return taken;
}

/**
 * Reply drafts kept at most, the most recently typed ones (session 11). A draft of a thread the person switched
 * away from (another queue, a search, another thread) is kept for when she comes back to it: typed text lost on a
 * queue switch would be typed again, and a nurse expects it back. It is PHI in memory, so it does not outlive the
 * lock (resetInbox), another person or role (state/session.ts), the thread's reach as far as the renderer can know
 * it (dropDraft, accessEnded, dropDraftsAfterReachChange), nor this bound: the sixth thread with a draft drops the
 * draft typed least recently.
 */
export const DRAFTS_KEPT = 5;

/**
 * The reply draft of a thread (the reply box's text); an empty text drops it. It becomes the most recent draft
 * (drafts are kept in the order last typed: thread ids are never integer-like keys, so an object keeps that
 * order), and the draft typed least recently goes past DRAFTS_KEPT.
 */
export function setDraft(threadId: string, text: string): void {
  useInbox.setState((s) => {
    const { [threadId]: _previous, ...others } = s.drafts;
    if (text === '') return { drafts: others };
    const drafts: Record<string, string> = { ...others, [threadId]: text };
    const ids = Object.keys(drafts);
    for (const id of ids.slice(0, Math.max(0, ids.length - DRAFTS_KEPT))) delete drafts[id];
    return { drafts };
  });
}

/**
 * The thread is known to be out of the person's reach (its restricted view shown: TriagePane; a list read showing
 * its body withheld: loadPage; a read or check of it refused: loadDetail, refreshDetail): its reply draft goes from
 * memory (PHI, DESIGN §2 threat 2, §6; session 9's review: it stayed until lock, and came back in the reply box once
 * the thread was readable again). Unchanged state when it has none.
 */
export function dropDraft(threadId: string): void {
  if (!(threadId in useInbox.getState().drafts)) return;
  useInbox.setState((s) => {
    const { [threadId]: _dropped, ...drafts } = s.drafts;
    return { drafts };
  });
}

/**
 * A change may have taken something out of the person's reach (dropKeptLists): the drafts of threads the pane
 * does not hold (`held`: its detail shown or being read) go, unless the role reads every pool (clinicians and
 * admins, DESIGN §6: a pool move or a pool made clinical withholds nothing from them, and a role change resets
 * everything: state/session.ts). For a role that reads only some pools (reception) the renderer cannot tell whether
 * the change withheld a thread it does not hold (its pool may have changed since it was listed), and asking the
 * core would record a refused read against the person when it did: the draft goes. The role is told by the pools
 * read before the change (readsEveryPool, state/triage.ts): every one readable and a clinical one among them (a receptionist whose pools were all
 * administrative reads them all, and the change may be the one that made one clinical: session 11 review). The held
 * thread is checked by the core (refreshDetail: refused, its draft goes). A thread removed from this PC (an
 * eviction, a deletion) keeps its draft until it is opened again (refused as not found: the draft goes), the lock,
 * or DRAFTS_KEPT.
 */
function dropDraftsAfterReachChange(held: string | null): void {
  const { drafts } = useInbox.getState();
  if (!Object.keys(drafts).some((id) => id !== held)) return;
  const { pools } = useTriage.getState();
  if (readsEveryPool(pools)) return;
  const kept = held !== null ? drafts[held] : undefined;
  useInbox.setState({ drafts: kept !== undefined && held !== null ? { [held]: kept } : {} });
}

/** Drops the drafts of the rows a list read shows withheld from the role (pools read since the last reach change). */
function dropDraftsOfWithheld(rows: readonly ThreadSummary[]): void {
  const { drafts } = useInbox.getState();
  if (Object.keys(drafts).length === 0 || !useTriage.getState().poolsChecked) return;
  for (const row of rows) if (row.id in drafts && bodyWithheld(row)) dropDraft(row.id);
}

/**
 * Threads whose read or check the core refused as out of reach since they were last chosen: not asked for again
 * until a person chooses them (openThread, chooseThread). Each ask would be one more refused read recorded on the
 * person's and the patient's trails (session 9's review: a held thread moved out of reach and not in the list shown
 * was asked for again at every change).
 */
const refusedThreads = new Set<string>();

/** The core refused the thread as out of reach: its draft goes, and it is not asked for again (refusedThreads). */
function outOfReach(threadId: string): void {
  refusedThreads.add(threadId);
  dropDraft(threadId);
}

/** A refusal of a thread's read (FORBIDDEN: out of the role's reach; NOT_FOUND: gone from this PC). */
function refusedForReach(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'FORBIDDEN' || code === 'NOT_FOUND';
}

/**
 * The core says this person's emergency access to these threads ended (`access.ended`, on the core's clock: its
 * time ran out, or a shorter clinic time or a clock step ended it before the renderer's own timer). Each such thread
 * is let go of at once, before anything asks for it again (a refused read recorded against the person): its access,
 * its detail if the pane holds it, and its draft; the pane shows topic and subject with a message (TriagePane).
 * DESIGN §6 (emergency access), session 10.
 */
export function accessEnded(threadIds: readonly string[]): void {
  for (const threadId of threadIds) {
    if (!useTriage.getState().granted.includes(threadId)) continue;
    detailReads.delete(threadId);
    dropAccess(threadId);
    dropDraft(threadId);
    if (useInbox.getState().detail?.thread.id === threadId) forgetDetail();
  }
}
