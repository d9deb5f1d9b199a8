/**
 * Keyboard for the schedule grid (issue 13 §10, WAI-ARIA Authoring Practices "roving tabindex"): the grid is ONE
 * Tab stop; arrow keys move between its slots and visits (Up/Down in a column by time, Left/Right to the
 * neighbouring column at the nearest time), Home/End to the first/last of the column, PageUp/PageDown by an
 * hour; Enter or Space books a free slot or opens a visit (they are buttons). When the focused cell disappears
 * (a slot just booked, a visit moved by sync) focus goes to the cell now at that place, never to the page body;
 * the same when a dialog opened from a cell closes and that cell is gone.
 *
 * Cells are the grid's buttons marked `data-grid-cell` with `data-col` (column index) and `data-minute` (start
 * minute of the day); `data-cell-key` names a cell across renders. The hook works on the DOM after each render,
 * so the grid's markup stays as it is (small wiring: the attributes and tabIndex -1).
 */
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

export const GRID_CELL = 'data-grid-cell';

interface Position {
  key: string;
  col: number;
  minute: number;
}

const cellsIn = (root: HTMLElement): HTMLElement[] => [
  ...root.querySelectorAll<HTMLElement>(`[${GRID_CELL}]`),
];

const positionOf = (el: HTMLElement): Position => ({
  key: el.dataset.cellKey ?? '',
  col: Number(el.dataset.col ?? 0),
  minute: Number(el.dataset.minute ?? 0),
});

/** The cells of one column in time order (DOM order breaks ties: a free slot before a cancelled visit's chip). */
function column(cells: HTMLElement[], col: number): HTMLElement[] {
  return cells
    .map((el, i) => ({ el, i, p: positionOf(el) }))
    .filter((c) => c.p.col === col)
    .sort((a, b) => a.p.minute - b.p.minute || a.i - b.i)
    .map((c) => c.el);
}

/** The cell of a column nearest in time to `minute` (the earlier one on a tie). */
function nearest(cells: HTMLElement[], minute: number): HTMLElement | undefined {
  let best: HTMLElement | undefined;
  let distance = Infinity;
  for (const el of cells) {
    const d = Math.abs(positionOf(el).minute - minute);
    if (d < distance) {
      best = el;
      distance = d;
    }
  }
  return best;
}

/** Where a key moves from `from`; undefined when the key is not a grid move or there is nowhere to go. */
function target(cells: HTMLElement[], from: HTMLElement, e: KeyboardEvent): HTMLElement | undefined {
  const p = positionOf(from);
  const col = column(cells, p.col);
  const at = col.indexOf(from);
  const cols = [...new Set(cells.map((el) => positionOf(el).col))].sort((a, b) => a - b);
  const colAt = cols.indexOf(p.col);
  switch (e.key) {
    case 'ArrowDown':
      return col[at + 1];
    case 'ArrowUp':
      return col[at - 1];
    case 'ArrowRight':
      return colAt + 1 < cols.length ? nearest(column(cells, cols[colAt + 1]!), p.minute) : undefined;
    case 'ArrowLeft':
      return colAt > 0 ? nearest(column(cells, cols[colAt - 1]!), p.minute) : undefined;
    case 'Home':
      return e.ctrlKey ? column(cells, cols[0]!)[0] : col[0];
    case 'End': {
      const last = e.ctrlKey ? column(cells, cols[cols.length - 1]!) : col;
      return last[last.length - 1];
    }
    case 'PageDown':
      return nearest(col, p.minute + 60);
    case 'PageUp':
      return nearest(col, p.minute - 60);
    default:
      return undefined;
  }
}

/**
 * Wire the roving tabindex onto the grid element `ref`. Call from the grid component; it re-syncs after every
 * render of that component.
 */
export function useGridKeyboard(ref: RefObject<HTMLElement | null>): void {
  const active = useRef<Position | null>(null);
  const focused = useRef<HTMLElement | null>(null);

  // After every render: exactly one cell has tabIndex 0 (the active one, or the one now at its place).
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    const cells = cellsIn(root);
    if (cells.length === 0) return;
    const a = active.current;
    let current = a ? cells.find((el) => el.dataset.cellKey === a.key) : undefined;
    if (!current && a) current = nearest(column(cells, a.col), a.minute) ?? cells[0];
    current ??= cells[0]!;
    for (const el of cells) el.tabIndex = el === current ? 0 : -1;
    active.current = positionOf(current);
    // The focused cell was replaced (booked, moved, cancelled): focus its successor, not the page body.
    const lost = focused.current;
    if (lost && !lost.isConnected) {
      focused.current = null;
      const owner = document.activeElement;
      if ((!owner || owner === document.body) && !document.querySelector('dialog[open]')) {
        current.focus();
        focused.current = current;
      }
    }
  });

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const onFocusIn = (e: FocusEvent) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>(`[${GRID_CELL}]`);
      if (!el || !root.contains(el)) return;
      focused.current = el;
      active.current = positionOf(el);
      for (const c of cellsIn(root)) c.tabIndex = c === el ? 0 : -1;
    };
    const onFocusOut = (e: FocusEvent) => {
      const to = e.relatedTarget;
      if (!(to instanceof Node) || root.contains(to)) return;
      focused.current = null;
      // Into a dialog a cell opened: watch for it to close (below).
      if (to instanceof Element && to.closest('dialog[open]')) watchDialog();
    };
    // When that dialog has closed and its opener is gone (the slot just booked, the visit moved), nothing is
    // focused: the grid's cell now at that place takes focus. A removed dialog fires no event, so it is watched
    // frame by frame, only while it is open.
    let frame = 0;
    const watchDialog = () => {
      cancelAnimationFrame(frame);
      const check = () => {
        if (document.querySelector('dialog[open]')) {
          frame = requestAnimationFrame(check);
          return;
        }
        const owner = document.activeElement;
        if (!owner || owner === document.body)
          root.querySelector<HTMLElement>(`[${GRID_CELL}][tabindex="0"]`)?.focus();
      };
      frame = requestAnimationFrame(check);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.altKey || e.metaKey || e.shiftKey) return;
      const from = (e.target as HTMLElement).closest<HTMLElement>(`[${GRID_CELL}]`);
      if (!from || !root.contains(from)) return;
      const to = target(cellsIn(root), from, e);
      if (!to && !e.key.startsWith('Arrow')) return;
      e.preventDefault(); // arrows never scroll the grid away from the focused cell
      if (!to) return;
      to.focus();
      to.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    };
    root.addEventListener('focusin', onFocusIn);
    root.addEventListener('focusout', onFocusOut);
    root.addEventListener('keydown', onKeyDown);
    return () => {
      cancelAnimationFrame(frame);
      root.removeEventListener('focusin', onFocusIn);
      root.removeEventListener('focusout', onFocusOut);
      root.removeEventListener('keydown', onKeyDown);
    };
  }, [ref]);
}
