/**
 * Non-PHI UI state: where the person is (view, queue, filters, schedule day), kept across a lock so the view is
 * restored after unlock. Record ids here are opaque identifiers, never names or text; they are reset when a
 * different person signs in.
 */
import { create } from 'zustand';
import type { Priority, Role, ThreadStatus } from '../../../src-shared/domain';
import type { Queue, QueueSort } from '../../../src-shared/views';
import { clinicToday } from '../lib/time';

export type View =
  | 'inbox'
  | 'schedule'
  | 'activity'
  | 'settings'
  | 'audit'
  | 'breakglass'
  // session 4, 13c: the admins' availability screen (issue 13 §3)
  | 'availability'
  // session 4, 14c: absences and their cover (issue 14 §3)
  | 'coverage';
export type AuditEntity = 'thread' | 'appointment' | 'patient';

export interface InboxFilters {
  providerId: string;
  priority: Priority | '';
  status: ThreadStatus | '';
  since: string;
  /** issue 14a: one triage pool's queue ('' = every pool), and the order ('' = priority, the default). */
  poolId: string;
  sort: QueueSort | '';
}

export const NO_FILTERS: InboxFilters = {
  providerId: '',
  priority: '',
  status: '',
  since: '',
  poolId: '',
  sort: '',
};

export interface UiState {
  view: View;
  queue: Queue;
  filters: InboxFilters;
  /** Keyboard cursor in the thread list (row index). */
  cursor: number;
  selectedThreadId: string | null;
  scheduleMode: 'day' | 'week';
  scheduleDate: string;
  weekProviderId: string | null;
  /** Open appointment dialog (opaque id). */
  appointmentId: string | null;
  /** Open patient panel (opaque id). */
  patientId: string | null;
  auditTarget: { entityType: AuditEntity; entityId: string } | null;
  problemsOpen: boolean;
  announcement: { text: string; n: number };
}

function initial(role: Role | null): UiState {
  return {
    view: role === 'receptionist' ? 'schedule' : role === 'admin' ? 'settings' : 'inbox',
    queue: role === 'clinician' ? 'unassigned' : 'all',
    filters: NO_FILTERS,
    cursor: 0,
    selectedThreadId: null,
    scheduleMode: 'day',
    scheduleDate: clinicToday(),
    weekProviderId: null,
    appointmentId: null,
    patientId: null,
    auditTarget: null,
    problemsOpen: false,
    announcement: { text: '', n: 0 },
  };
}

export const useUi = create<UiState>()(() => initial(null));

/** Fresh UI for a person who just signed in (role decides the first screen). */
export function resetUi(role: Role | null): void {
  useUi.setState(initial(role), true);
}

export function setUi(patch: Partial<UiState>): void {
  useUi.setState(patch);
}

/** Say something to screen-reader users through the status live region (never PHI: short, generic text). */
export function announce(text: string): void {
  useUi.setState((s) => ({ announcement: { text, n: s.announcement.n + 1 } }));
}
