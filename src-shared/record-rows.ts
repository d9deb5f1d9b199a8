/**
 * Row shapes of the patients, threads, messages and appointments tables and their mapping to the shared records. The portal
 * backend's stores (SQLite and PostgreSQL) and the console's store keep these records in the same columns, so one
 * mapping serves both sides (session 10: it was written once per side, server/db/rows.ts and
 * src-main/store/repos). Each side's row type extends these with its own columns (a portal password hash, a
 * "seen" mark…), which the records do not carry. Like availability-rows.ts, shared code of the data format, not
 * of a layer: it imports only src-shared.
 */
import type { AppointmentRecord, MessageRecord, PatientRecord, ThreadRecord } from './domain';

/** The columns of a `patients` row that make its record. */
export interface PatientRecordRow {
  id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  phone: string | null;
  version: number;
}

/** A patient's record from its row. */
export const patientFromRow = (r: PatientRecordRow): PatientRecord => ({
  id: r.id,
  mrn: r.mrn,
  givenName: r.given_name,
  familyName: r.family_name,
  birthDate: r.birth_date,
  phone: r.phone,
  version: r.version,
});

/** The columns of a `threads` row that make its record (times: UTC ISO 8601). */
export interface ThreadRecordRow {
  id: string;
  patient_id: string;
  subject: string;
  status: ThreadRecord['status'];
  priority: ThreadRecord['priority'];
  assignee_id: string | null;
  provider_id: string | null;
  created_at: string;
  updated_at: string;
  last_message_at: string;
  due_at: string | null;
  version: number;
  /** issue 14a: the patient's topic and the triage pool (NULL: none; absent from the record). */
  topic: string | null;
  pool_id: string | null;
}

/** A thread's record from its row: `topic` and `poolId` only when set (as the record schema has them optional). */
export const threadFromRow = (r: ThreadRecordRow): ThreadRecord => ({
  id: r.id,
  patientId: r.patient_id,
  subject: r.subject,
  status: r.status,
  priority: r.priority,
  assigneeId: r.assignee_id,
  providerId: r.provider_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastMessageAt: r.last_message_at,
  dueAt: r.due_at,
  version: r.version,
  ...(r.topic !== null ? { topic: r.topic as NonNullable<ThreadRecord['topic']> } : {}),
  ...(r.pool_id !== null ? { poolId: r.pool_id } : {}),
});

/** A `messages` row (`sent_at`: UTC ISO 8601). */
export interface MessageRecordRow {
  id: string;
  thread_id: string;
  author_kind: MessageRecord['authorKind'];
  author_id: string;
  body: string;
  sent_at: string;
  version: number;
}

/** A message's record from its row. */
export const messageFromRow = (r: MessageRecordRow): MessageRecord => ({
  id: r.id,
  threadId: r.thread_id,
  authorKind: r.author_kind,
  authorId: r.author_id,
  body: r.body,
  sentAt: r.sent_at,
  version: r.version,
});

/** The columns of an `appointments` row that make its record (`start`, `end`: UTC ISO 8601). */
export interface AppointmentRecordRow {
  id: string;
  patient_id: string;
  provider_id: string;
  start: string;
  end: string;
  status: AppointmentRecord['status'];
  reason: string;
  cancel_reason: string | null;
  virtual_link: string | null;
  version: number;
  cancel_code: AppointmentRecord['cancelCode'];
  overlap_reason: string | null;
  /** issue 13 §4 (server schema 7, console migration 11); absent on rows read before it. */
  series_id?: string | null;
}

/** An appointment's record from its row: `seriesId` only when set. */
export const appointmentFromRow = (r: AppointmentRecordRow): AppointmentRecord => ({
  id: r.id,
  patientId: r.patient_id,
  providerId: r.provider_id,
  start: r.start,
  end: r.end,
  status: r.status,
  reason: r.reason,
  cancelReason: r.cancel_reason,
  virtualLink: r.virtual_link,
  version: r.version,
  cancelCode: r.cancel_code ?? null,
  overlapReason: r.overlap_reason ?? null,
  ...(r.series_id ? { seriesId: r.series_id } : {}),
});
