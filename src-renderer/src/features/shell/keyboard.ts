/**
 * Keyboard map (documented in the shortcuts dialog): j/k move in the thread list, Enter opens, / focuses search,
 * c claims, d marks done, 1–4 set priority, Ctrl+L locks, ? shows the map. Letter keys never fire while typing
 * in a field or while a dialog is open.
 */
import { useEffect } from 'react';
import { PRIORITIES } from '../../../../src-shared/domain';
import { call } from '../../api';
import { useInbox } from '../../state/inbox';
import { applySession } from '../../state/session';
import { setUi, useUi } from '../../state/ui';
import { claimThread, openThreadId, setPriority } from '../inbox/actions';
import { markDoneAndNext } from '../inbox/next-thread';
import { SEARCH_INPUT_ID } from '../inbox/InboxView';
import { openAtCursor } from '../inbox/ThreadList';

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['j / k', 'Next / previous thread in the list'],
  ['Enter', 'Open the thread under the cursor'],
  ['/', 'Search messages'],
  ['c', 'Claim the open thread'],
  ['d', 'Mark the open thread done'],
  ['1 – 4', 'Priority: routine, urgent, ASAP, STAT'],
  ['Ctrl + L', 'Lock the console'],
  ['?', 'Show these shortcuts'],
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}

export async function lockNow(): Promise<void> {
  try {
    applySession(await call('auth.lock', {}));
  } catch {
    // session.changed (or the LOCKED handler) takes it from here.
  }
}

export function useShortcuts(onHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        void lockNow();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      if (e.key === '?') {
        e.preventDefault();
        onHelp();
        return;
      }
      const ui = useUi.getState();
      if (ui.view !== 'inbox') return;
      // Rows in the list: a search's "1,000+" has one more row, which loads the next page (ThreadList).
      const { total: counted, totalIsLowerBound } = useInbox.getState();
      const total = (counted ?? 0) + (totalIsLowerBound ? 1 : 0);
      const threadId = openThreadId();
      switch (e.key) {
        case 'j':
          e.preventDefault();
          setUi({ cursor: Math.min(Math.max(0, total - 1), ui.cursor + 1) });
          return;
        case 'k':
          e.preventDefault();
          setUi({ cursor: Math.max(0, ui.cursor - 1) });
          return;
        case 'Enter': {
          // Only from the list itself or from nowhere in particular: Enter on a button presses the button.
          const t = e.target as HTMLElement | null;
          if (t && t !== document.body && t.getAttribute('role') !== 'listbox') return;
          e.preventDefault();
          openAtCursor();
          return;
        }
        case '/':
          e.preventDefault();
          document.getElementById(SEARCH_INPUT_ID)?.focus();
          return;
        case 'c':
          if (threadId) {
            e.preventDefault();
            void claimThread(threadId);
          }
          return;
        case 'd':
          if (threadId) {
            e.preventDefault();
            void markDoneAndNext(threadId);
          }
          return;
        case '1':
        case '2':
        case '3':
        case '4':
          if (threadId) {
            e.preventDefault();
            void setPriority(threadId, PRIORITIES[Number(e.key) - 1]!);
          }
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onHelp]);
}
