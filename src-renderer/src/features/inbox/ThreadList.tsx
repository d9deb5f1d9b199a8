/** The virtualized thread list: pages of 100 fetched by offset as the list scrolls; `total` sizes the scroller. */
import { memo, useCallback, useEffect, useRef } from 'react';
import { HIT_CLOSE, HIT_OPEN, isSearchable } from '../../../../src-shared/search-text';
import type { ThreadSummary } from '../../../../src-shared/views';
import { DueBadge, PRIORITY_LABEL, PriorityBadge, STATUS_LABEL } from '../../components/Badges';
import { VirtualList } from '../../components/VirtualList';
import { focusThreadList, THREAD_LIST_SECTION_ID } from './focus';
import { useData } from '../../state/data';
import { useSync } from '../../state/sync';
import {
  currentQuery,
  ensureRows,
  invalidateList,
  takeDataVersion,
  loadCounts,
  openThread,
  PAGE_SIZE,
  setQuery,
  useInbox,
} from '../../state/inbox';
import { setUi, showCursor, shownCursor, useUi } from '../../state/ui';
import { threadCountText } from './thread-count';
import { shortWhen } from '../../lib/time';

export const ROW_HEIGHT = 76;

/** "[match]" markers from the full-text search become <mark>. */
export function Snippet({ text }: { text: string }) {
  // Hits are HIT_OPEN…HIT_CLOSE (snippetOf strips those code points from the message first): text before a
  // HIT_OPEN is plain, and of each later piece, the part up to HIT_CLOSE is the hit.
  const [lead, ...rest] = text.split(HIT_OPEN);
  const parts: { text: string; hit: boolean }[] = [{ text: lead ?? '', hit: false }];
  for (const piece of rest) {
    const close = piece.indexOf(HIT_CLOSE);
    if (close < 0) parts.push({ text: piece, hit: true });
    else parts.push({ text: piece.slice(0, close), hit: true }, { text: piece.slice(close + 1), hit: false });
  }
  return (
    <>
      {parts.map((part, i) =>
        part.hit ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </>
  );
}

function rowSummary(t: ThreadSummary | undefined, index: number): string {
  if (!t) return `Thread ${index + 1}, loading`;
  return [
    t.patientName,
    t.subject,
    PRIORITY_LABEL[t.priority],
    STATUS_LABEL[t.status],
    t.assigneeName ? `assigned to ${t.assigneeName}` : 'unassigned',
    t.overdue ? 'overdue' : null,
    t.unread ? 'unread' : null,
  ]
    .filter(Boolean)
    .join(', ');
}

/** One row; memoized: a row renders again only when its thread's summary object changes (issue 16 §5). */
const Row = memo(function Row({ t }: { t: ThreadSummary | undefined }) {
  if (!t) {
    return (
      <div className="trow trow-loading" aria-hidden="true">
        <span className="skeleton skeleton-wide" />
        <span className="skeleton" />
      </div>
    );
  }
  return (
    <div className={`trow${t.unread ? ' trow-unread' : ''}`} aria-hidden="true">
      <div className="trow-line">
        <span className={`unread-dot${t.unread ? '' : ' unread-dot-off'}`} />
        <span className="trow-patient">{t.patientName}</span>
        {t.priority !== 'routine' ? <PriorityBadge priority={t.priority} /> : null}
        <span className="trow-time">{shortWhen(t.lastMessageAt)}</span>
      </div>
      <div className="trow-subject">{t.subject}</div>
      <div className="trow-meta">
        {t.snippet ? (
          <span className="trow-snippet">
            <Snippet text={t.snippet} />
          </span>
        ) : (
          <>
            <span>{STATUS_LABEL[t.status]}</span>
            <span aria-hidden="true">·</span>
            <span>{t.assigneeName ?? 'Unassigned'}</span>
            {t.overdue ? (
              <span className="badge badge-overdue">Overdue</span>
            ) : (
              <DueBadge dueAt={t.dueAt} status={t.status} />
            )}
          </>
        )}
      </div>
    </div>
  );
});

export function ThreadList() {
  const queue = useUi((s) => s.queue);
  const filters = useUi((s) => s.filters);
  // As shown: it trails `cursor` while a row opened by the mouse waits for its read (ui.ts shownCursor).
  const cursor = useUi(shownCursor);
  const selectedId = useUi((s) => s.selectedThreadId);
  const search = useInbox((s) => s.search);
  const total = useInbox((s) => s.total);
  const totalIsLowerBound = useInbox((s) => s.totalIsLowerBound);
  const pages = useInbox((s) => s.pages);
  const gen = useInbox((s) => s.gen);
  const listError = useInbox((s) => s.listError);
  const stale = useInbox((s) => s.stale);
  const version = useData((s) => s.version);
  const downloading = useSync((s) => s.status?.progress != null || s.status?.lastSyncedAt === null);
  const range = useRef<[number, number]>([0, PAGE_SIZE - 1]);

  // A new query (queue, filters, search) starts from the top.
  useEffect(() => {
    setQuery(JSON.stringify(currentQuery()));
    ensureRows(range.current[0], range.current[1]);
  }, [queue, filters, search]);

  // Records changed, while this list was on screen or while another page was: refetch what is on screen, and the
  // counts (on a mount with nothing changed since: just the counts, the query effect loads).
  useEffect(() => {
    void loadCounts();
    if (takeDataVersion(version)) invalidateList();
  }, [version]);

  useEffect(() => {
    ensureRows(range.current[0], range.current[1]);
  }, [gen]);

  const onRange = useCallback((first: number, last: number) => {
    range.current = [first, last];
    ensureRows(first, last);
  }, []);

  // "1,000+": one row more than counted, so scrolling to it loads the page that counts further.
  const count = (total ?? 0) + (totalIsLowerBound ? 1 : 0);
  // Focus left on the list's section while it had no rows (the open thread's pane went: focus.ts) goes to the
  // list once it shows rows, so j/k, Enter and the arrows work on it.
  const hasRows = count > 0;
  useEffect(() => {
    if (hasRows && document.activeElement?.id === THREAD_LIST_SECTION_ID) focusThreadList();
  }, [hasRows]);
  const at = (i: number) => pages[Math.floor(i / PAGE_SIZE)]?.rows[i % PAGE_SIZE];
  let selectedIndex: number | null = null;
  if (selectedId) {
    for (const [page, { rows }] of Object.entries(pages)) {
      const i = rows.findIndex((r) => r.id === selectedId);
      if (i >= 0) {
        selectedIndex = Number(page) * PAGE_SIZE + i;
        break;
      }
    }
  }

  const open = (i: number, how?: { focusMoved: boolean }) => {
    const t = at(i);
    if (!t) {
      setUi({ cursor: i });
      return;
    }
    // openThread moves the cursor for the keys at once and shows it, with the selection, with the read's answer
    // (state/inbox.ts). A click that brought the focus to the list changes the screen in its task anyway (the
    // focused list's cursor style): then the cursor is shown at once, with the focus, and screen readers hear the
    // row clicked, not the one before.
    openThread(t, useData.getState().version, { cursor: i });
    if (how?.focusMoved) showCursor();
  };

  return (
    <div className={`thread-list${stale ? ' thread-list-stale' : ''}`}>
      <p className="list-summary" aria-live="polite">
        {total === null
          ? listError
            ? 'Threads could not be loaded'
            : 'Loading threads…'
          : threadCountText(total, totalIsLowerBound)}
        {search ? ` matching “${search}”` : ''}
        {stale ? (
          // A kept copy from before the last change, shown while it is read again (state/inbox.ts `stale`); not
          // announced (the list is aria-busy meanwhile), and it takes no line of its own, so nothing moves.
          <span className="list-updating" aria-hidden="true">
            {' '}
            · updating…
          </span>
        ) : null}
      </p>
      {listError ? (
        <p className="inline-error" role="alert">
          {listError}
        </p>
      ) : null}
      <VirtualList
        count={count}
        rowHeight={ROW_HEIGHT}
        label="Threads"
        busy={stale}
        idPrefix="thread-row"
        cursor={Math.min(cursor, Math.max(0, count - 1))}
        selectedIndex={selectedIndex}
        onCursor={(i) => setUi({ cursor: i })}
        keyCursor={cursorForKeys}
        onOpen={open}
        openMovesCursor
        onRange={onRange}
        rowLabel={(i) => rowSummary(at(i), i)}
        renderRow={(i) => <Row t={at(i)} />}
        emptyText={
          total === null
            ? listError
              ? 'Nothing to show.'
              : 'Loading…'
            : search
              ? isSearchable(search)
                ? 'No messages match this search.'
                : 'Type at least 2 letters to search (one Chinese, Japanese or Korean character is enough).'
              : downloading
                ? 'Still downloading the clinic’s messages from the portal…'
                : 'No threads in this queue.'
        }
      />
    </div>
  );
}

/** The cursor keys move on from: ahead of the one shown while an open waits for its read (ui.ts shownCursor). */
function cursorForKeys(): number {
  return useUi.getState().cursor;
}

/** Open the thread under the keyboard cursor. */
export function openAtCursor(): void {
  const { cursor } = useUi.getState();
  const t = useInbox.getState().pages[Math.floor(cursor / PAGE_SIZE)]?.rows[cursor % PAGE_SIZE];
  if (t) openThread(t, useData.getState().version);
}
