/**
 * A virtualized list with a fixed row height: only the visible rows (plus overscan) are in the DOM, placed by
 * transform inside a spacer as tall as all rows. `count` sizes the scroller, so 100k rows cost the same as 100.
 * It is an ARIA listbox with an active descendant: focus stays on the list while the cursor moves.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  overscan?: number;
  label: string;
  /** Row id prefix, for aria-activedescendant. */
  idPrefix: string;
  cursor: number;
  selectedIndex: number | null;
  onCursor: (index: number) => void;
  onOpen: (index: number) => void;
  onRange: (first: number, last: number) => void;
  renderRow: (index: number) => ReactNode;
  /** Text for a row that has not been loaded yet. */
  rowLabel: (index: number) => string;
  emptyText: ReactNode;
}

export function VirtualList(p: VirtualListProps) {
  const { count, rowHeight, overscan = 8, onRange } = p;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);
  const isEmpty = count === 0;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, [isEmpty]);

  const onScroll = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(ref.current?.scrollTop ?? 0));
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    onRange(first, Math.max(first, last));
  }, [first, last, onRange]);

  // Keep the cursor row in view.
  useEffect(() => {
    const el = ref.current;
    if (!el || count === 0) return;
    const top = p.cursor * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }, [p.cursor, rowHeight, count]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || count === 0) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const move: Record<string, number> = {
      ArrowDown: p.cursor + 1,
      ArrowUp: p.cursor - 1,
      PageDown: p.cursor + page,
      PageUp: p.cursor - page,
      Home: 0,
      End: count - 1,
    };
    if (e.key in move) {
      e.preventDefault();
      p.onCursor(Math.min(count - 1, Math.max(0, move[e.key]!)));
    } else if (e.key === ' ') {
      e.preventDefault();
      p.onOpen(p.cursor);
    }
  };

  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    rows.push(
      <div
        key={i}
        id={`${p.idPrefix}-${i}`}
        role="option"
        aria-selected={p.selectedIndex === i}
        aria-posinset={i + 1}
        aria-setsize={count}
        aria-label={p.rowLabel(i)}
        className={`vrow${p.cursor === i ? ' vrow-cursor' : ''}${p.selectedIndex === i ? ' vrow-selected' : ''}`}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => {
          ref.current?.focus();
          p.onCursor(i);
          p.onOpen(i);
        }}
      >
        {p.renderRow(i)}
      </div>,
    );
  }

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
      aria-activedescendant={p.cursor >= first && p.cursor <= last ? `${p.idPrefix}-${p.cursor}` : undefined}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
