import type {
  PatientRecord,
  ThreadRecord,
  MessageRecord,
  AppointmentRecord,
  StaffRecord,
} from '../../src-shared/domain';

/** Sentences that must never appear in clear on disk: what the encryption tests search the raw bytes for. */
export const KNOWN_PLAINTEXT = {
  familyName: 'Quillfeather',
  givenName: 'Ottoline',
  messageSentence: 'My left knee has been swelling since the marathon last Sunday',
};

/** A staff member as the console holds one: "Dr Me" (stf-me), a clinician tied to no provider, version 1, unless `over` says otherwise. */
export const staffFixture = (over: Partial<StaffRecord> = {}): StaffRecord => ({
  id: 'stf-me',
  username: 'me',
  displayName: 'Dr Me',
  role: 'clinician',
  providerId: null,
  version: 1,
  ...over,
});

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

/** The instant (UTC) the server-side thread and message fixtures are written at. */
export const SERVER_FIXTURE_AT = '2026-03-02T08:00:00.000Z';

/**
 * A thread as the portal backend stores it (session 8, s8rec; closing note 7, D2–D4): `threadFixture` created,
 * updated and last written to at SERVER_FIXTURE_AT, routed to the front desk (topic 'scheduling', pool
 * 'front-desk'), unless `over` says otherwise. For `server.store.insertThread` in server tests; the tests'
 * expected answers stay written out by hand.
 */
export const threadRecord = (over: Partial<ThreadRecord> = {}): ThreadRecord =>
  threadFixture({
    createdAt: SERVER_FIXTURE_AT,
    updatedAt: SERVER_FIXTURE_AT,
    lastMessageAt: SERVER_FIXTURE_AT,
    topic: 'scheduling',
    poolId: 'front-desk',
    ...over,
  });

/** A patient's message on the backend: `messageFixture` sent at SERVER_FIXTURE_AT unless `over` says otherwise. */
export const messageRecord = (over: Partial<MessageRecord> = {}): MessageRecord =>
  messageFixture({ sentAt: SERVER_FIXTURE_AT, ...over });
