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
  cursorShownHeld = null;
  useUi.setState(initial(role), true);
}

/** Change the UI now; a cursor held back by moveCursorUnshown is shown with this change. */
export function setUi(patch: Partial<UiState>): void {
  cursorShownHeld = null;
  useUi.setState(patch);
}

/**
 * The cursor the thread list shows while `cursor` has moved ahead of it (moveCursorUnshown), else null. Issue 16 §5
 * (session 14): a row click moves the cursor for the keys at once (review 9, R9-4: keys typed before the read
 * answers move on from the row opened), but a change on screen in the click's own task makes Chromium hold the
 * page's other tasks, the read's answer included, until the next frame (DeferRendererTasksAfterInput; the Enter's
 * case, docs/performance-history.md "Opening a thread by keyboard (session 9)"). So the list shows the new cursor
 * with the open's answer, in the same commit as the selection and the thread.
 */
let cursorShownHeld: number | null = null;

/**
 * The thread list's cursor as shown (row index): `s.cursor`, or the row it was on while an open waits for its read.
 * A zustand selector: moving `cursor` with moveCursorUnshown re-renders nothing that selects this.
 */
export function shownCursor(s: UiState): number {
  return cursorShownHeld ?? s.cursor;
}

/**
 * Move the thread list's cursor (row index) for everything that reads it (keys, shortcuts) without showing it yet.
 * The caller must end the hold: it lasts until the next setUi, showCursor or resetUi. Only state/inbox.ts
 * openThread calls it (a row opened by a click or Space), and each of its paths ends so: the open's answer or its
 * SHOW_CHOICE_AFTER_MS timer (setUi), an open shown at once (setUi in the same task), or an open dropped
 * (showCursor); ThreadList also ends it at once (showCursor) for a click that brought the focus to the list.
 */
export function moveCursorUnshown(cursor: number): void {
  const s = useUi.getState();
  if (s.cursor === cursor) return;
  cursorShownHeld ??= s.cursor;
  useUi.setState({ cursor });
}

/**
 * Show a cursor moveCursorUnshown held back, now: an open dropped before its answer, or a click that brought the
 * focus to the list (the screen changes in its task anyway).
 */
export function showCursor(): void {
  if (cursorShownHeld === null) return;
  cursorShownHeld = null;
  // A new state object: the selectors run again and the list renders the cursor.
  useUi.setState({});
}

/** Say something to screen-reader users through the status live region (never PHI: short, generic text). */
export function announce(text: string): void {
  useUi.setState((s) => ({ announcement: { text, n: s.announcement.n + 1 } }));
}
