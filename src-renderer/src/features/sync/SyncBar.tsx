/**
 * The sync bar: connection, pending changes, last sync, progress of a long sync, and sync problems. It tells
 * apart (issue 12): offline, N changes waiting, N changes refused, and "signed in offline"; an error from a
 * "Sync now" click is cleared once the console is back online.
 */
import { useRef, useState } from 'react';
import { call, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { clinicToday, dateTimeLabel, hhmm, localDay, zoneLabel } from '../../lib/time';
import type { SyncProblem } from '../../../../src-shared/views';
import { dismissProblem, setSyncError, useSync } from '../../state/sync';
import { setUi, useUi } from '../../state/ui';
import { type ProgressSample, secondsLeft, timeLeftLabel } from './eta';

const CONNECTION_LABEL = {
  online: 'Online',
  offline: 'Offline: changes are kept on this PC',
  syncing: 'Syncing…',
  error: 'Sync error',
} as const;

export function SyncBar({ offlineSession }: { offlineSession: boolean }) {
  const status = useSync((s) => s.status);
  const problems = useSync((s) => s.problems);
  const [busy, setBusy] = useState(false);
  const error = useSync((s) => s.error);
  const connection = status?.connection ?? 'offline';
  const pending = status?.pending ?? 0;
  const progress = status?.progress ?? null;
  const last = status?.lastSyncedAt ?? null;
  // Where this download started (records, time), for the estimated time left; reset when it ends.
  const started = useRef<ProgressSample | null>(null);
  if (!progress) started.current = null;
  else if (started.current === null || progress.done < started.current.done)
    started.current = { done: progress.done, at: Date.now() };
  const left =
    progress && started.current
      ? secondsLeft(started.current, { done: progress.done, at: Date.now() }, progress.total)
      : null;

  return (
    <footer className={`syncbar syncbar-${connection}`} aria-label="Sync status">
      <span className="sync-item sync-connection" role="status">
        <span className={`sync-dot sync-dot-${connection}`} aria-hidden="true" />
        <span className="sync-connection-label">{status ? CONNECTION_LABEL[connection] : 'Connecting…'}</span>
      </span>
      {offlineSession ? <span className="sync-item badge badge-pending">Signed in offline</span> : null}
      <span className="sync-item sync-pending" aria-live="polite">
        {pending === 0
          ? 'All changes synced'
          : `${pending.toLocaleString('en')} ${pending === 1 ? 'change' : 'changes'} waiting to sync`}
      </span>
      <span className="sync-item sync-last">
        {last
          ? `Last sync ${localDay(last) === clinicToday() ? `${hhmm(last)} ${zoneLabel(last)}` : dateTimeLabel(last)}`
          : 'Not synced yet'}
      </span>
      {progress && progress.total > 0 ? (
        <span className="sync-item sync-progress">
          <label htmlFor="sync-progress">Downloading</label>
          <progress id="sync-progress" max={progress.total} value={progress.done} />
          <span>
            {progress.done.toLocaleString('en')} of {progress.total.toLocaleString('en')} records
            {left !== null ? `, ${timeLeftLabel(left)}` : ''}
          </span>
        </span>
      ) : null}
      <span className="sync-spacer" />
      {error ? (
        <span className="sync-item inline-error" role="alert">
          {error}
        </span>
      ) : null}
      {problems.length > 0 ? (
        <button
          type="button"
          className="button button-small button-warning"
          onClick={() => setUi({ problemsOpen: true })}
        >
          {problems.length} {problems.length === 1 ? 'change' : 'changes'} refused
        </button>
      ) : null}
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setSyncError(null);
          try {
            await call('sync.now', {});
          } catch (e) {
            setSyncError(errorMessage(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Syncing…' : 'Sync now'}
      </button>
    </footer>
  );
}

const OPERATION_LABEL: Record<string, string> = {
  'appointment.book': 'Booking',
  'appointment.reschedule': 'Rescheduling',
  'appointment.cancel': 'Cancellation',
  'appointment.checkIn': 'Check-in',
  'appointment.noShow': 'No-show',
  'thread.assign': 'Assignment',
  'thread.setPriority': 'Priority',
  'thread.setStatus': 'Status',
  'message.send': 'Reply',
};

export function SyncProblemsDialog() {
  const open = useUi((s) => s.problemsOpen);
  const problems = useSync((s) => s.problems);
  if (!open) return null;
  return (
    <Dialog
      title="Sync problems"
      subtitle="Changes made on this PC that the server did not accept"
      onClose={() => setUi({ problemsOpen: false })}
    >
      {problems.length === 0 ? (
        <p className="muted">No sync problems.</p>
      ) : (
        <ul className="problems">
          {problems.map((p) => (
            <li key={p.id} className="problem">
              <div>
                <p className="problem-message">{p.message}</p>
                <p className="muted small">
                  {OPERATION_LABEL[p.operation] ?? p.operation} ·{' '}
                  {p.kind === 'conflict' ? 'Conflict' : 'Refused'} · {dateTimeLabel(p.at)}
                </p>
              </div>
              <div className="banner-actions">
                <OpenRecordButton problem={p} />
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void dismissProblem(p.id)}
                >
                  Dismiss
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/** Opens the record a refused change was about: the appointment dialog, or the thread in the inbox. */
function OpenRecordButton({ problem }: { problem: SyncProblem }) {
  const appointment = problem.operation.startsWith('appointment.');
  const thread = problem.operation.startsWith('thread.') || problem.operation === 'message.send';
  // A refused booking never existed: its day on the schedule is what there is to open.
  const booking = problem.operation === 'appointment.book';
  if (!appointment && !thread) return null;
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() => {
        useSync.setState({ fresh: [] });
        if (booking)
          setUi({
            problemsOpen: false,
            view: 'schedule',
            scheduleMode: 'day',
            ...(problem.slotStart ? { scheduleDate: localDay(problem.slotStart) } : {}),
          });
        else if (appointment) setUi({ problemsOpen: false, appointmentId: problem.entityId });
        else
          setUi({
            problemsOpen: false,
            view: 'inbox',
            queue: 'all',
            selectedThreadId: problem.entityId,
            appointmentId: null,
            patientId: null,
          });
      }}
    >
      {booking ? 'Open schedule' : appointment ? 'Open appointment' : 'Open thread'}
    </button>
  );
}

/** New problems (e.g. "This slot was booked at another desk") are shown at once, to the person who caused them. */
export function SyncProblemBanner() {
  const fresh = useSync((s) => s.fresh);
  const latest = fresh[fresh.length - 1];
  if (!latest) return null;
  return (
    <div className="banner banner-warning" role="alert">
      <p>
        <strong>Not saved on the server.</strong> {latest.message}
        {fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''}
      </p>
      <div className="banner-actions">
        <OpenRecordButton problem={latest} />
        <button type="button" className="button button-small" onClick={() => setUi({ problemsOpen: true })}>
          Show all
        </button>
        <button type="button" className="button button-small" onClick={() => useSync.setState({ fresh: [] })}>
          Hide
        </button>
      </div>
    </div>
  );
}
