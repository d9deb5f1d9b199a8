import { ApiError } from '../../src-shared/errors';
import type { PatientRecord } from '../../src-shared/domain';
import type { PatientPanel, PatientView } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { threadSummaryOf } from '../inbox/views';
import { appointmentViewOf } from '../schedule/schedule-service';
import type { Store } from '../store/store';

const viewOf = ({ version: _v, ...p }: PatientRecord): PatientView => p;

/** The patient panel: who the patient is (minimal), upcoming appointments and open threads. */
export class PatientService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  search(query: string, limit: number): PatientView[] {
    return this.store.patients.search(query, limit).map(viewOf);
  }

  panel(patientId: string): PatientPanel {
    const patient = this.store.patients.byId(patientId);
    if (!patient) throw new ApiError('NOT_FOUND', 'This patient is not on this PC.');
    const now = new Date(this.clock.now()).toISOString();
    return {
      patient: viewOf(patient),
      upcoming: this.store.appointments
        .upcomingForPatient(patientId, now)
        .map((r) => appointmentViewOf(r, this.store.outbox.hasPending(r.id))),
      openThreads: this.store.threads.openForPatient(patientId).map(threadSummaryOf),
    };
  }
}
