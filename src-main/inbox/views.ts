import type { ThreadSummary } from '../../src-shared/views';
import type { ThreadListRow } from '../store/repos/threads';

/** A stored thread row (joined with names) as the inbox shows it. */
export function threadSummaryOf(r: ThreadListRow): ThreadSummary {
  return {
    id: r.id,
    subject: r.subject,
    patientId: r.patient_id,
    patientName: r.patient_name,
    status: r.status,
    priority: r.priority,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    providerId: r.provider_id,
    lastMessageAt: r.last_message_at,
    dueAt: r.due_at,
    unread: r.seen_at === null || r.seen_at < r.last_message_at,
    snippet: r.snippet,
    version: r.version,
    topic: r.topic,
    poolId: r.pool_id,
    overdue: r.overdue === 1,
  };
}
