/**
 * A modal dialog on the native <dialog> element: the browser traps focus, makes the rest of the page inert and
 * closes on Escape (which we route to onClose so React stays the owner of "open"). Render it only while open.
 *
 * Focus comes back to where it was when the dialog closes (issue 14): the element focused when the dialog was
 * first rendered — taken during that render, before a child's autoFocus or focus effect can move it — or, if
 * that element has left the page meanwhile (a virtualized row re-rendered, a button replaced), the element
 * that now has the same id.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/** The focused element and its id, read while the dialog first renders. */
function focusedNow(): { el: HTMLElement | null; id: string } {
  const el = typeof document !== 'undefined' ? document.activeElement : null;
  return el instanceof HTMLElement && el !== document.body ? { el, id: el.id } : { el: null, id: '' };
}

/** Focus the opener again, or its replacement with the same id. */
function restoreFocus(opener: { el: HTMLElement | null; id: string }): void {
  const target = opener.el?.isConnected ? opener.el : opener.id ? document.getElementById(opener.id) : null;
  target?.focus();
}

export interface DialogProps {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  size?: 'small' | 'medium' | 'large';
  /** A short line under the title. */
  subtitle?: ReactNode;
  footer?: ReactNode;
}

export function Dialog({ title, onClose, children, size = 'medium', subtitle, footer }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  // Read once, in the first render (a state initializer), before any child can take focus.
  const [opener] = useState(focusedNow);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      restoreFocus(opener);
    };
  }, [opener]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        closeRef.current();
      }}
    >
      <div className="dialog-header">
        <div>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {subtitle ? <p className="dialog-subtitle">{subtitle}</p> : null}
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Close dialog"
          onClick={() => closeRef.current()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="dialog-body">{children}</div>
      {footer ? <div className="dialog-footer">{footer}</div> : null}
    </dialog>
  );
}
