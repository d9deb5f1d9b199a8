/** Actions on a thread, shared by the thread view's buttons and the keyboard shortcuts. */
import type { Priority, ThreadStatus } from '../../../../src-shared/domain';
import { call, errorMessage } from '../../api';
import { PRIORITY_LABEL, STATUS_LABEL } from '../../components/Badges';
import { phiEpoch } from '../../state/epoch';
import { loadDetail, openingThreadId, useInbox } from '../../state/inbox';
import { announce, useUi } from '../../state/ui';

/**
 * Run an action on `threadId`, then read it again if it is still open. While another thread's open waits for its
 * read (state/inbox.ts openingThreadId), the thread on screen is the one the person just left: the action is not
 * made (false; a draft stays as typed). Review 9, R9-2: `j`, `Enter`, `d` typed in a burst marked the left thread
 * done; a button pressed within the open's 30 ms would do the same.
 */
async function run(threadId: string, action: () => Promise<unknown>, done: string): Promise<boolean> {
  const opening = openingThreadId();
  if (opening !== null && opening !== threadId) return false;
  const started = phiEpoch();
  useInbox.setState({ actionError: null });
  try {
    await action();
    announce(done);
    if (useUi.getState().selectedThreadId === threadId) void loadDetail(threadId);
    return true;
  } catch (error) {
    if (started === phiEpoch()) useInbox.setState({ actionError: errorMessage(error) });
    return false;
  }
}

export const claimThread = (threadId: string) =>
  run(threadId, () => call('thread.claim', { threadId }), 'Thread claimed: it is now in your queue.');

export const releaseThread = (threadId: string) =>
  run(threadId, () => call('thread.release', { threadId }), 'Thread released to the unassigned queue.');

export const assignThread = (threadId: string, assigneeId: string, name: string) =>
  run(threadId, () => call('thread.assign', { threadId, assigneeId }), `Thread assigned to ${name}.`);

export const setPriority = (threadId: string, priority: Priority) =>
  run(
    threadId,
    () => call('thread.setPriority', { threadId, priority }),
    `Priority set to ${PRIORITY_LABEL[priority]}.`,
  );

export const setStatus = (threadId: string, status: ThreadStatus) =>
  run(
    threadId,
    () => call('thread.setStatus', { threadId, status }),
    `Status set to ${STATUS_LABEL[status]}.`,
  );

export const sendReply = (threadId: string, body: string) =>
  run(threadId, () => call('thread.reply', { threadId, body }), 'Reply sent.');

export const replyAndClose = (threadId: string, body: string) =>
  run(threadId, () => call('thread.replyAndClose', { threadId, body }), 'Reply sent and thread closed.');

/**
 * The thread the keyboard shortcuts act on: the open one, shown and selected; null while an open waits for its
 * read (the thread shown is then the one just left: review 9, R9-2), so a shortcut then does nothing.
 */
export function openThreadId(): string | null {
  if (openingThreadId() !== null) return null;
  const detail = useInbox.getState().detail;
  const selected = useUi.getState().selectedThreadId;
  return detail && detail.thread.id === selected ? selected : null;
}
