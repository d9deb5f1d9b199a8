/**
 * Focus never drops to the page body (issue 13 §10, WCAG 2.4.3 focus order): when a dialog closes and what
 * opened it is gone (a free slot just booked, a visit cancelled), focus goes to the schedule grid's current cell
 * (its roving tab stop, features/schedule/useGridKeyboard.ts), else to the main region.
 */
export function restoreFocus(opener: HTMLElement | null): void {
  if (opener?.isConnected) {
    opener.focus();
    return;
  }
  const next =
    (opener?.hasAttribute('data-grid-cell')
      ? document.querySelector<HTMLElement>('[data-grid-cell][tabindex="0"]')
      : null) ?? document.getElementById('main');
  next?.focus();
}
