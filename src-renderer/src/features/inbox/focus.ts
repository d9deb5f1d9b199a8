/**
 * Keyboard-first (DESIGN §8; WCAG 2.4.3 focus order): when the open thread's pane goes while focus is in it (the
 * thread moved out of reach, its access ended, its read refused), focus goes to the thread list, whose cursor row
 * is its active descendant, instead of dropping to the page (session 9's review: keys typed next then reached
 * nobody, and the detached reply box stayed referenced by the page's last focused element, its draft with it).
 */
import { useLayoutEffect, type RefObject } from 'react';

/** The thread list (ThreadList's VirtualList, an ARIA listbox named "Threads"). */
export const THREAD_LIST_SELECTOR = '[role="listbox"][aria-label="Threads"]';
/** The list's section (InboxView): focusable from script only, it holds focus while the list is being read. */
export const THREAD_LIST_SECTION_ID = 'thread-list-section';

/** Focus the thread list, or its section while the list has no rows on screen (being read again). */
export function focusThreadList(): void {
  const list =
    document.querySelector<HTMLElement>(THREAD_LIST_SELECTOR) ??
    document.getElementById(THREAD_LIST_SECTION_ID);
  list?.focus();
}

/**
 * While the element of `ref` is mounted: if it holds focus when it unmounts, focus moves to the thread list. A
 * layout effect's clean-up runs before React removes the element from the page, so the element loses focus as a
 * person would see it (a focusout), and nothing keeps the removed element as the last focused one.
 */
export function useFocusToListOnUnmount(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const element = ref.current;
    return () => {
      if (element?.contains(document.activeElement)) focusThreadList();
    };
  }, [ref]);
}
