/**
 * The visit flow after check-in (issue 13 §6): room the patient, complete the visit, and take back a check-in or
 * a no-show on the visit's day. Which buttons show is decided by the shared rules (src-shared/schedule-rules.ts)
 * with the clinic's clock and zone: the core and the server check the same again.
 */
import { statusProblem, TRANSITIONS, type TransitionOp } from '../../../../src-shared/schedule-rules';
import type { AppointmentView } from '../../../../src-shared/views';
import { call } from '../../api';
import { clinicClock } from '../../lib/time';

/** True when `op` is allowed for the visit now (status flow + the clinic-clock rules). */
export function allowedNow(op: TransitionOp, appt: Pick<AppointmentView, 'status' | 'start'>): boolean {
  if (op === 'reschedule') return (TRANSITIONS.reschedule.from as readonly string[]).includes(appt.status);
  return statusProblem(appt, op, clinicClock()) === null;
}

export function VisitFlowActions(p: {
  appt: AppointmentView;
  frontDesk: boolean;
  busy: boolean;
  act: (label: string, fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { appt, busy, act } = p;
  const appointmentId = appt.id;
  return (
    <>
      {allowedNow('room', appt) ? (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void act('Patient roomed.', () => call('appointment.room', { appointmentId }))}
        >
          Room patient
        </button>
      ) : null}
      {allowedNow('complete', appt) ? (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void act('Visit completed.', () => call('appointment.complete', { appointmentId }))}
        >
          Complete visit
        </button>
      ) : null}
      {p.frontDesk && allowedNow('undo', appt) ? (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() =>
            void act(appt.status === 'noshow' ? 'No-show undone.' : 'Check-in undone.', () =>
              call('appointment.undo', { appointmentId }),
            )
          }
        >
          {appt.status === 'noshow' ? 'Undo no-show' : 'Undo check-in'}
        </button>
      ) : null}
    </>
  );
}
