/**
 * Issue 13 §6: booking a patient who already has a visit at that time warns, and the second booking needs a
 * reason (kept on the appointment and recorded in its audit trail). The core and the server refuse the booking
 * without one; this shows it before the person presses Book.
 */
import { useEffect, useId, useState } from 'react';
import type { AppointmentView } from '../../../../src-shared/views';
import { call } from '../../api';
import { hhmm, zoneLabel } from '../../lib/time';
import { phiEpoch } from '../../state/epoch';
import { useReference } from '../../state/reference';

export function OverlapWarning(p: {
  patientId: string;
  start: string;
  end: string;
  reason: string;
  onReason: (reason: string) => void;
  /** Told whether a reason is needed (an overlapping visit exists). */
  onNeeded: (needed: boolean) => void;
  /** The visit being moved (a reschedule): not an overlap with itself. */
  exceptId?: string;
}) {
  const providers = useReference((s) => s.providers);
  const [overlaps, setOverlaps] = useState<AppointmentView[]>([]);
  const id = useId();
  const { patientId, start, end, onNeeded, exceptId } = p;

  useEffect(() => {
    setOverlaps([]);
    onNeeded(false);
    if (!patientId) return;
    const started = phiEpoch();
    let stale = false;
    call('appointment.patientOverlaps', { patientId, start, end, ...(exceptId ? { exceptId } : {}) }).then(
      (found) => {
        if (stale || started !== phiEpoch()) return;
        setOverlaps(found);
        onNeeded(found.length > 0);
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [patientId, start, end, exceptId]);

  if (overlaps.length === 0) return null;
  return (
    <div className="field overlap-warning">
      <p role="alert" className="inline-error">
        This patient already has a visit at this time:{' '}
        {overlaps
          .map(
            (a) =>
              `${hhmm(a.start)} ${zoneLabel(a.start)} with ${providers.find((x) => x.id === a.providerId)?.name ?? 'another provider'}`,
          )
          .join('; ')}
        .
      </p>
      <label htmlFor={id}>Reason for booking both (required)</label>
      <input id={id} value={p.reason} maxLength={500} onChange={(e) => p.onReason(e.target.value)} />
    </div>
  );
}
