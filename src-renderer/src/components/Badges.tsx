/** Small labelled badges: colour is never the only cue (the text says it too). */
import type { AppointmentStatus, Priority, ThreadStatus } from '../../../src-shared/domain';
import { durationLabel } from '../lib/time';

export const PRIORITY_LABEL: Record<Priority, string> = {
  routine: 'Routine',
  urgent: 'Urgent',
  asap: 'ASAP',
  stat: 'STAT',
};

export const STATUS_LABEL: Record<ThreadStatus, string> = {
  new: 'New',
  in_progress: 'In progress',
  done: 'Done',
};

export const APPOINTMENT_STATUS_LABEL: Record<AppointmentStatus, string> = {
  proposed: 'Proposed',
  pending: 'Requested',
  booked: 'Booked',
  arrived: 'Arrived',
  fulfilled: 'Completed',
  cancelled: 'Cancelled',
  noshow: 'No-show',
  'entered-in-error': 'Entered in error',
  'checked-in': 'Checked in',
  waitlist: 'Waitlist',
  roomed: 'Roomed',
};

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span className={`badge badge-priority-${priority}`}>{PRIORITY_LABEL[priority]}</span>;
}

export function StatusBadge({ status }: { status: ThreadStatus }) {
  return <span className={`badge badge-status-${status}`}>{STATUS_LABEL[status]}</span>;
}

export function AppointmentStatusBadge({ status }: { status: AppointmentStatus }) {
  return <span className={`badge badge-appt-${status}`}>{APPOINTMENT_STATUS_LABEL[status]}</span>;
}

/** Due/SLA: overdue when the due time has passed and the thread is not done. */
export function DueBadge({
  dueAt,
  status,
  now = Date.now(),
}: {
  dueAt: string | null;
  status: ThreadStatus;
  now?: number;
}) {
  if (!dueAt || status === 'done') return null;
  const left = Date.parse(dueAt) - now;
  if (left < 0) return <span className="badge badge-overdue">Overdue {durationLabel(-left)}</span>;
  if (left < 4 * 3600_000) return <span className="badge badge-due-soon">Due in {durationLabel(left)}</span>;
  return <span className="badge badge-due">Due in {durationLabel(left)}</span>;
}
