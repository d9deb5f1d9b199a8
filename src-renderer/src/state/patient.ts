/** The open patient panel (PHI). Dropped whole on lock. */
import { create } from 'zustand';
import type { PatientPanel } from '../../../src-shared/views';
import { call, errorMessage } from '../api';
import { ifCurrent, phiEpoch } from './epoch';

interface PatientState {
  patientId: string | null;
  panel: PatientPanel | null;
  error: string | null;
}

const empty: PatientState = { patientId: null, panel: null, error: null };

export const usePatient = create<PatientState>()(() => empty);

export function resetPatient(): void {
  usePatient.setState(empty, true);
}

/**
 * A change may have taken the patient out of reach (removed from this PC, a thread moved to another patient:
 * state/data.ts OUT_OF_REACH): the panel shown goes now, not when its re-read answers, and an answer asked before
 * is not shown (session 9, s9sec: the panel of a patient the PC no longer held stayed on screen, whole, when its
 * re-read failed). The panel's own re-read (on the data version) shows it again.
 */
export function patientOutOfReach(): void {
  reachChanges++;
  const s = usePatient.getState();
  if (s.panel || s.error) usePatient.setState({ panel: null, error: null });
}
let reachChanges = 0;

export async function loadPatient(patientId: string): Promise<void> {
  const started = phiEpoch();
  const asked = reachChanges;
  if (usePatient.getState().patientId !== patientId)
    usePatient.setState({ patientId, panel: null, error: null });
  try {
    const panel = await call('patient.get', { patientId });
    ifCurrent(started, () => {
      if (asked !== reachChanges) return;
      if (usePatient.getState().patientId === patientId) usePatient.setState({ panel, error: null });
    });
  } catch (error) {
    ifCurrent(started, () => {
      // The panel read before goes with a failed re-read (the patient is no longer on this PC, or not the role's).
      if (usePatient.getState().patientId === patientId)
        usePatient.setState({ panel: null, error: errorMessage(error) });
    });
  }
}
