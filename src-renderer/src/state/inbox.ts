/**
 * Inbox data (PHI): thread pages, counts, the open thread, search text and reply drafts. Pages of 100 threads are
 * fetched by offset as the list scrolls; `total` sizes the scroller. Dropped whole on lock.
 */
import { create } from 'zustand';
import type { MethodInput } from '../../../src-shared/contract';
import type { QueueCounts, ThreadDetail, ThreadSummary } from '../../../src-shared/views';
import { call, errorMessage } from '../api';
import { ifCurrent, phiEpoch } from './epoch';
import { useUi } from './ui';

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
  drafts: Record<string, string>;
  /** The outcome of the last action on the open thread (errors shown by the thread view). */
  actionError: string | null;
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
  drafts: {},
  actionError: null,
});

export const useInbox = create<InboxState>()(empty);

const inFlight = new Map<number, string>();

export function resetInbox(): void {
  inFlight.clear();
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
  useInbox.setState({ queryKey: key, pages: {}, total: null, totalIsLowerBound: false, listError: null });
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
  try {
    const result = await call('inbox.list', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    ifCurrent(started, () => {
      const s = useInbox.getState();
      if (s.queryKey !== key || gen < (s.pages[page]?.gen ?? -1)) return;
      // A later page of a search counts further: keep the largest lower bound until an exact total arrives.
      const lowerBound = result.totalIsLowerBound === true;
      const total =
        lowerBound && s.totalIsLowerBound && s.total !== null
          ? Math.max(s.total, result.total)
          : result.total;
      useInbox.setState({
        pages: { ...s.pages, [page]: { rows: result.threads, gen } },
        total,
        totalIsLowerBound: lowerBound,
        listError: null,
      });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (useInbox.getState().queryKey === key) useInbox.setState({ listError: errorMessage(error) });
    });
  } finally {
    if (inFlight.get(page) === tag) inFlight.delete(page);
  }
}

/** Records changed: keep showing what is there, refetch it (the list's range effect asks for the pages again). */
export function invalidateList(): void {
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

export async function loadDetail(threadId: string): Promise<void> {
  const started = phiEpoch();
  try {
    const detail = await call('thread.get', { threadId });
    ifCurrent(started, () => {
      if (useUi.getState().selectedThreadId === threadId) useInbox.setState({ detail, detailError: null });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (useUi.getState().selectedThreadId === threadId) {
        useInbox.setState({ detail: null, detailError: errorMessage(error) });
      }
    });
  }
}

export function setDraft(threadId: string, text: string): void {
  useInbox.setState((s) => ({ drafts: { ...s.drafts, [threadId]: text } }));
}
