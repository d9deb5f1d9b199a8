/**
 * A virtualized list with a fixed row height, on @tanstack/react-virtual (issue 14): only the visible rows (plus
 * overscan) are in the DOM, placed by transform inside a spacer as tall as all rows. `count` sizes the scroller,
 * so 100k rows cost the same as 100. It is an ARIA listbox with an active descendant: focus stays on the list
 * while the cursor moves.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  overscan?: number;
  label: string;
  /** The rows shown are being read again (aria-busy): e.g. a kept copy from before a change. */
  busy?: boolean;
  /** Row id prefix, for aria-activedescendant. */
  idPrefix: string;
  /** The cursor as shown (row index). */
  cursor: number;
  /**
   * The cursor the keys move on from, when it can be ahead of the one shown (the thread list, while a row opened
   * by the mouse waits for its read: state/ui.ts shownCursor). Default: `cursor`.
   */
  keyCursor?: () => number;
  selectedIndex: number | null;
  onCursor: (index: number) => void;
  /**
   * Open row `index` (a click, or Space). `how.focusMoved`: the click moved the focus to the list (a change on
   * screen in the click's task, whatever else the open does).
   */
  onOpen: (index: number, how?: { focusMoved: boolean }) => void;
  /**
   * `onOpen` moves the cursor itself (the thread list: state/inbox.ts openThread, with the open's other changes),
   * so a click does not move it twice.
   */
  openMovesCursor?: boolean;
  onRange: (first: number, last: number) => void;
  renderRow: (index: number) => ReactNode;
  /** Text for a row that has not been loaded yet. */
  rowLabel: (index: number) => string;
  emptyText: ReactNode;
}

export function VirtualList(p: VirtualListProps) {
  const { count, rowHeight, overscan = 8, onRange } = p;
  const ref = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => ref.current,
    estimateSize: () => rowHeight,
    overscan,
    // Rows render before the scroller is measured (first paint), as the hand-written list did.
    initialRect: { width: 0, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  const height = virtualizer.scrollRect?.height ?? 600;

  useEffect(() => {
    onRange(first, Math.max(first, last));
  }, [first, last, onRange]);

  // Keep the cursor row in view. Only scroll when it is out of view, judged from the virtualizer's own figures:
  // scrollToIndex reads the scroller's size from the DOM, which forces a layout right after the commit (issue 16
  // §5: ~6 ms of every queue switch at load 7–10, Chromium profile of the UI bench).
  useEffect(() => {
    if (count === 0 || p.cursor < 0 || p.cursor >= count) return;
    const top = p.cursor * rowHeight;
    const offset = virtualizer.scrollOffset ?? 0;
    const seen = virtualizer.scrollRect?.height ?? 0;
    if (top >= offset && top + rowHeight <= offset + seen) return;
    virtualizer.scrollToIndex(p.cursor, { align: 'auto' });
  }, [p.cursor, count, virtualizer, rowHeight]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || count === 0) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const at = Math.min(count - 1, Math.max(0, p.keyCursor ? p.keyCursor() : p.cursor));
    const move: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: count - 1,
    };
    if (e.key in move) {
      e.preventDefault();
      p.onCursor(Math.min(count - 1, Math.max(0, move[e.key]!)));
    } else if (e.key === ' ') {
      e.preventDefault();
      p.onOpen(at);
    }
  };

  const rows: ReactNode[] = items.map(({ index: i, start }) => (
    <div
      key={i}
      id={`${p.idPrefix}-${i}`}
      role="option"
      aria-selected={p.selectedIndex === i}
      aria-posinset={i + 1}
      aria-setsize={count}
      aria-label={p.rowLabel(i)}
      className={`vrow${p.cursor === i ? ' vrow-cursor' : ''}${p.selectedIndex === i ? ' vrow-selected' : ''}`}
      style={{ transform: `translateY(${start}px)`, height: rowHeight }}
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => {
        const focusMoved = ref.current !== null && document.activeElement !== ref.current;
        ref.current?.focus();
        if (!p.openMovesCursor) p.onCursor(i);
        p.onOpen(i, { focusMoved });
      }}
    >
      {p.renderRow(i)}
    </div>
  ));

  if (count === 0) {
    return (
      <div ref={ref} className="vlist vlist-empty-wrap">
        <div className="vlist-empty">{p.emptyText}</div>
      </div>
    );
  }

  return (
    <div
      ref={ref}
      className="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={p.label}
      aria-busy={p.busy ? true : undefined}
      aria-activedescendant={p.cursor >= first && p.cursor <= last ? `${p.idPrefix}-${p.cursor}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="vlist-spacer" style={{ height: virtualizer.getTotalSize() }}>
        {rows}
      </div>
    </div>
  );
}
