/** Actions on a thread, shared by the thread view's buttons and the keyboard shortcuts. */
import type { Priority, ThreadStatus } from '../../../../src-shared/domain';
import { call, errorMessage } from '../../api';
import { PRIORITY_LABEL, STATUS_LABEL } from '../../components/Badges';
import { phiEpoch } from '../../state/epoch';
import { loadDetail, useInbox } from '../../state/inbox';
import { announce, useUi } from '../../state/ui';

async function run(threadId: string, action: () => Promise<unknown>, done: string): Promise<boolean> {
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

/** The thread the keyboard shortcuts act on: the open one. */
export function openThreadId(): string | null {
  const detail = useInbox.getState().detail;
  const selected = useUi.getState().selectedThreadId;
  return detail && detail.thread.id === selected ? selected : null;
}
