/**
 * Test data the renderer's store tests share (not imported by the app). Its names are made-up PHI markers: a test
 * that finds them in a store after a lock has found a leak.
 */
import type { ThreadSummary } from '../../../src-shared/views';

/** A thread as the inbox list shows it: patient p1, new, routine, unread. */
export const threadSummaryFixture = (over: Partial<ThreadSummary> = {}): ThreadSummary => ({
  id: 't1',
  subject: 'Knee',
  patientId: 'p1',
  patientName: 'Ottoline Quillfeather',
  status: 'new',
  priority: 'routine',
  assigneeId: null,
  assigneeName: null,
  providerId: null,
  lastMessageAt: '2026-11-23T08:00:00.000Z',
  dueAt: null,
  unread: true,
  snippet: null,
  version: 1,
  ...over,
});
