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

export async function loadPatient(patientId: string): Promise<void> {
  const started = phiEpoch();
  if (usePatient.getState().patientId !== patientId)
    usePatient.setState({ patientId, panel: null, error: null });
  try {
    const panel = await call('patient.get', { patientId });
    ifCurrent(started, () => {
      if (usePatient.getState().patientId === patientId) usePatient.setState({ panel, error: null });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (usePatient.getState().patientId === patientId) usePatient.setState({ error: errorMessage(error) });
    });
  }
}
