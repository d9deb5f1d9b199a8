/**
 * A visit's virtual-visit link (issue 13 §9): shown, copyable, sendable to the patient as a portal message; an
 * in-person visit still to come can be switched to virtual (and back) at the front desk.
 */
import { useId, useRef, useState } from 'react';
import type { AppointmentView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { announce } from '../../state/ui';
import { confirmOrThrow, NOT_CONFIRMED_YET } from './confirm';
import { useFocusNeverLost } from './keepFocus';

export function VirtualVisitPanel({
  appt,
  frontDesk,
  canChange,
}: {
  appt: AppointmentView;
  frontDesk: boolean;
  /** The visit is still to come (it could be rescheduled). */
  canChange: boolean;
}) {
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const linkId = useId();
  const linkRef = useRef<HTMLInputElement>(null);
  useFocusNeverLost();

  async function run(fn: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const done = await fn();
      setStatus(done);
      announce(done);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function copy(link: string): Promise<string> {
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      // No clipboard permission (or not a secure context): select the link so Ctrl+C copies it.
      linkRef.current?.select();
      return 'The link is selected: press Ctrl+C to copy it.';
    }
    return 'Link copied.';
  }

  return (
    <div className="virtual-visit" role="group" aria-label="Virtual visit">
      {appt.virtualLink ? (
        <>
          <div className="field">
            <label htmlFor={linkId}>Virtual-visit link</label>
            <input
              ref={linkRef}
              id={linkId}
              readOnly
              value={appt.virtualLink}
              onFocus={(e) => e.currentTarget.select()}
            />
          </div>
          <div className="dialog-actions dialog-actions-start">
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void run(() => copy(appt.virtualLink!))}
            >
              Copy link
            </button>
            {frontDesk ? (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await call('appointment.sendVirtualLink', { appointmentId: appt.id });
                    return 'Link sent to the patient as a portal message.';
                  })
                }
              >
                Send link to patient
              </button>
            ) : null}
            {frontDesk && canChange ? (
              <button
                type="button"
                className="button button-quiet"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await call('appointment.setVirtual', { appointmentId: appt.id, virtual: false });
                    const confirmed = await confirmOrThrow(appt.id);
                    return `The visit is now in person.${confirmed ? '' : ` ${NOT_CONFIRMED_YET}`}`;
                  })
                }
              >
                Make in person
              </button>
            ) : null}
          </div>
        </>
      ) : frontDesk && canChange ? (
        <div className="dialog-actions dialog-actions-start">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await call('appointment.setVirtual', { appointmentId: appt.id, virtual: true });
                const confirmed = await confirmOrThrow(appt.id);
                return `The visit is now virtual: a video link was made.${confirmed ? '' : ` ${NOT_CONFIRMED_YET}`}`;
              })
            }
          >
            Make virtual
          </button>
        </div>
      ) : null}
      <p className="muted small" role="status">
        {status ?? ''}
      </p>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
