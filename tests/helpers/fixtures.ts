import type { PatientRecord, ThreadRecord, MessageRecord, AppointmentRecord } from '../../src-shared/domain';

/** Sentences that must never appear in clear on disk: what the encryption tests search the raw bytes for. */
export const KNOWN_PLAINTEXT = {
  familyName: 'Quillfeather',
  givenName: 'Ottoline',
  messageSentence: 'My left knee has been swelling since the marathon last Sunday',
};

export const patientFixture = (over: Partial<PatientRecord> = {}): PatientRecord => ({
  id: 'pat-1',
  mrn: 'MRN-000001',
  givenName: KNOWN_PLAINTEXT.givenName,
  familyName: KNOWN_PLAINTEXT.familyName,
  birthDate: '1961-04-12',
  phone: null,
  version: 1,
  ...over,
});

export const threadFixture = (over: Partial<ThreadRecord> = {}): ThreadRecord => ({
  id: 'thr-1',
  patientId: 'pat-1',
  subject: 'Knee swelling',
  status: 'new',
  priority: 'routine',
  assigneeId: null,
  providerId: null,
  createdAt: '2026-11-20T09:00:00.000Z',
  updatedAt: '2026-11-20T09:00:00.000Z',
  lastMessageAt: '2026-11-20T09:00:00.000Z',
  dueAt: null,
  version: 1,
  ...over,
});

export const messageFixture = (over: Partial<MessageRecord> = {}): MessageRecord => ({
  id: 'msg-1',
  threadId: 'thr-1',
  authorKind: 'patient',
  authorId: 'pat-1',
  body: KNOWN_PLAINTEXT.messageSentence,
  sentAt: '2026-11-20T09:00:00.000Z',
  version: 1,
  ...over,
});

export const appointmentFixture = (over: Partial<AppointmentRecord> = {}): AppointmentRecord => ({
  id: 'apt-1',
  patientId: 'pat-1',
  providerId: 'prov-1',
  start: '2026-11-24T09:00:00.000Z',
  end: '2026-11-24T09:30:00.000Z',
  status: 'booked',
  reason: 'Follow-up',
  cancelReason: null,
  virtualLink: null,
  version: 1,
  cancelCode: null,
  overlapReason: null,
  ...over,
});

/**
 * A booked visit as another desk leaves it on the backend (`server.store.insertAppointment(…, 'console')`): the
 * demo clinic's Dr. prv-001 and patient pat-000004, reason 'Check-up', version 1, unless `over` says otherwise;
 * `id`, `start` and `end` (UTC instants) are the caller's.
 */
export const bookedAppointment = (
  over: Pick<AppointmentRecord, 'id' | 'start' | 'end'> & Partial<AppointmentRecord>,
): AppointmentRecord =>
  appointmentFixture({ providerId: 'prv-001', patientId: 'pat-000004', reason: 'Check-up', ...over });
