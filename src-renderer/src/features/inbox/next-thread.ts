/**
 * After a thread leaves the queue (marked done, replied and closed), the desk moves on (issue 14, deliverable 7):
 * the next thread of the list opens, the keyboard cursor stands on it and focus goes to the thread list, so
 * j/k, Enter and d keep working without reaching for the mouse. The last thread of a list moves back one.
 */
import type { ThreadSummary } from '../../../../src-shared/views';
import { PAGE_SIZE, rowAt, useInbox } from '../../state/inbox';
import { setUi, useUi } from '../../state/ui';
import { replyAndClose, setStatus } from './actions';

/** The list's accessible name (ThreadList's VirtualList label). */
const THREAD_LIST = '[role="listbox"][aria-label="Threads"]';

function indexOf(threadId: string): number {
  for (const [page, { rows }] of Object.entries(useInbox.getState().pages)) {
    const i = rows.findIndex((r) => r.id === threadId);
    if (i >= 0) return Number(page) * PAGE_SIZE + i;
  }
  return -1;
}

/** Run `action` on the open thread; when it succeeds and closes the thread, open the next one and focus the list. */
async function thenNext(threadId: string, action: () => Promise<boolean>): Promise<boolean> {
  // Where the thread is now: the list reloads while the action runs.
  const index = indexOf(threadId);
  const after = index >= 0 ? rowAt(index + 1) : undefined;
  const before = index > 0 ? rowAt(index - 1) : undefined;
  const ok = await action();
  if (!ok || useUi.getState().selectedThreadId !== threadId) return ok;
  const leaves = useUi.getState().queue !== 'closed';
  let next: ThreadSummary | undefined;
  let cursor = Math.max(0, index);
  if (after) {
    next = after;
    cursor = leaves ? index : index + 1;
  } else if (before) {
    next = before;
    cursor = index - 1;
  }
  setUi({ selectedThreadId: next?.id ?? null, cursor });
  document.querySelector<HTMLElement>(THREAD_LIST)?.focus();
  return ok;
}

/** "Mark done" (button or d): status done, then the next thread. */
export const markDoneAndNext = (threadId: string): Promise<boolean> =>
  thenNext(threadId, () => setStatus(threadId, 'done'));

/** "Send and close": the reply and status done in one call (thread.replyAndClose), then the next thread. */
export const replyAndCloseAndNext = (threadId: string, body: string): Promise<boolean> =>
  thenNext(threadId, () => replyAndClose(threadId, body));
