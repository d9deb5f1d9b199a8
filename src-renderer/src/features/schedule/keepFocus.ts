/**
 * Focus never drops to the page body after an action (issue 13 §10, WCAG 2.4.3): an action in a dialog often
 * removes the very button that was pressed (Check in, Make virtual, Confirm cancellation). After every render
 * of the component using this hook, if nothing has focus while a dialog is open, the dialog's first action (or
 * its first control, or the dialog itself) takes it.
 */
import { useLayoutEffect } from 'react';

export function useFocusNeverLost(): void {
  useLayoutEffect(() => {
    const owner = document.activeElement;
    if (owner && owner !== document.body) return;
    const dialog = document.querySelector<HTMLDialogElement>('dialog[open]');
    if (!dialog) return;
    const target =
      dialog.querySelector<HTMLElement>('[role="group"] button:not([disabled])') ??
      dialog.querySelector<HTMLElement>('button:not([disabled]), input, select, textarea');
    (target ?? dialog).focus();
  });
}
