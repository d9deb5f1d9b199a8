/** Row shapes (SQLite and PostgreSQL alike) and their mapping to and from the shared domain records. */
import { PoolRecord } from '../../src-shared/triage';
import { SeriesRecord, WaitlistRecord } from '../../src-shared/domain';
import type {
  AppointmentRecord,
  AttachmentRecord,
  AuditRecord,
  LocationRecord,
  MessageRecord,
  PatientRecord,
  ProviderRecord,
  StaffRecord,
  ThreadRecord,
  VisitTypeRecord,
} from '../../src-shared/domain';
import {
  appointmentFromRow,
  messageFromRow,
  patientFromRow,
  threadFromRow,
  type AppointmentRecordRow,
  type MessageRecordRow,
  type PatientRecordRow,
  type ThreadRecordRow,
} from '../../src-shared/record-rows';
import type { AuditAlert, AuditAlertKind, Device, PatientLogin, RefreshToken } from './types';

export { appointmentFromRow, messageFromRow, patientFromRow, threadFromRow };

export interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRecord['role'];
  provider_id: string | null;
  password_hash: string;
  totp_secret: string;
  totp_last_step: number;
  active: number;
  version: number;
}
export const staffFromRow = (r: StaffRow): StaffRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  providerId: r.provider_id,
  version: r.version,
  active: r.active === 1,
});

export interface ProviderRow {
  id: string;
  name: string;
  specialty: string;
  location_id: string;
  slot_minutes: number;
  day_start_minute: number;
  day_end_minute: number;
  version: number;
}
export const providerFromRow = (r: ProviderRow): ProviderRecord => ({
  id: r.id,
  name: r.name,
  specialty: r.specialty,
  locationId: r.location_id,
  slotMinutes: r.slot_minutes,
  dayStartMinute: r.day_start_minute,
  dayEndMinute: r.day_end_minute,
  version: r.version,
});

/** A `patients` row: the record's columns and the portal password's hash. */
export interface PatientRow extends PatientRecordRow {
  portal_password_hash: string | null;
}

/** A `threads` row (the record's columns only). */
export type ThreadRow = ThreadRecordRow;
/** Parameters of the thread INSERT / UPDATE: (…, due_at, topic, pool_id, version, id) (issue 14a: topic, pool). */
export const threadParams = (t: ThreadRecord) => [
  t.patientId,
  t.subject,
  t.status,
  t.priority,
  t.assigneeId,
  t.providerId,
  t.createdAt,
  t.updatedAt,
  t.lastMessageAt,
  t.dueAt,
  t.topic ?? null,
  t.poolId ?? null,
  t.version,
  t.id,
];

/** issue 14a: a stored triage pool (topics and sla are JSON text). */
export interface PoolRow {
  id: string;
  name: string;
  kind: string;
  topics: string;
  sla: string;
  version: number;
}
export const poolFromRow = (r: PoolRow): PoolRecord =>
  PoolRecord.parse({ ...r, topics: JSON.parse(r.topics) as unknown, sla: JSON.parse(r.sla) as unknown });
export const poolParams = (p: PoolRecord) => [
  p.name,
  p.kind,
  JSON.stringify(p.topics),
  JSON.stringify(p.sla),
  p.version,
  p.id,
];

/** A `messages` row (the record's columns only). */
export type MessageRow = MessageRecordRow;

export interface AttachmentRow {
  id: string;
  message_id: string;
  file_name: string;
  mime_type: string;
  size: number;
  content: Buffer;
  version: number;
}
export const attachmentFromRow = (r: AttachmentRow): AttachmentRecord => ({
  id: r.id,
  messageId: r.message_id,
  fileName: r.file_name,
  mimeType: r.mime_type,
  size: r.size,
  contentBase64: r.content.toString('base64'),
  version: r.version,
});

/** An `appointments` row: the record's columns and where it was booked. */
export interface AppointmentRow extends AppointmentRecordRow {
  created_via: 'console' | 'portal';
}
export const appointmentParams = (a: AppointmentRecord) => [
  a.patientId,
  a.providerId,
  a.start,
  a.end,
  a.status,
  a.reason,
  a.cancelReason,
  a.virtualLink,
  a.version,
  a.id,
  // issue 13a (appended so the positions above stay)
  a.cancelCode,
  a.overlapReason,
  // issue 13 §4 (appended likewise)
  a.seriesId ?? null,
];

/** issue 13 §4/§5: series and waitlist rows hold the record's JSON (validated again when read). */
export interface JsonRecordRow {
  id: string;
  data: string;
  version: number;
}
/** The tables that keep a record as its JSON (`JsonRecordRow`), by the entity name consoles pull it under. */
export const JSON_RECORD_TABLES = { series: 'appointment_series', waitlist: 'waitlist_entries' } as const;
export type JsonRecordEntity = keyof typeof JSON_RECORD_TABLES;
/** A JSON-record row's parameters in column order: id, the whole record as JSON text, version. */
export const jsonRecordParams = (r: { id: string; version: number }): [string, string, number] => [
  r.id,
  JSON.stringify(r),
  r.version,
];
export const seriesFromRow = (r: JsonRecordRow): SeriesRecord | null => {
  const parsed = SeriesRecord.safeParse(JSON.parse(r.data));
  return parsed.success ? parsed.data : null;
};
export const waitlistFromRow = (r: JsonRecordRow): WaitlistRecord | null => {
  const parsed = WaitlistRecord.safeParse(JSON.parse(r.data));
  return parsed.success ? parsed.data : null;
};

export interface AuditRow {
  id: string;
  at: string;
  staff_id: string | null;
  role: AuditRecord['role'];
  device_id: string;
  action: AuditRecord['action'];
  entity_type: AuditRecord['entityType'];
  entity_id: string | null;
  outcome: AuditRecord['outcome'];
  fields_json: string;
  actor_kind: AuditRecord['actorKind'];
  prev_hash: string;
  hash: string;
  version: number;
  /** issue 14a: FHIR AuditEvent.purposeOfEvent ('BTG') or null. */
  purpose_of_event?: string | null;
}
export const auditFromRow = (r: AuditRow): AuditRecord => ({
  id: r.id,
  at: r.at,
  staffId: r.staff_id,
  role: r.role,
  deviceId: r.device_id,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  outcome: r.outcome,
  fields: JSON.parse(r.fields_json) as string[],
  actorKind: r.actor_kind,
  ...(r.purpose_of_event === 'BTG' ? { purposeOfEvent: 'BTG' as const } : {}),
  prevHash: r.prev_hash,
  hash: r.hash,
  version: r.version,
});

// issue 13a: clinic locations (IANA zone per location)
export interface LocationRow {
  id: string;
  name: string;
  time_zone: string;
  walk_in_minutes: number;
  version: number;
}
export const locationFromRow = (r: LocationRow): LocationRecord => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  walkInMinutes: Number(r.walk_in_minutes),
  version: Number(r.version),
});

// issue 13a: visit types
export interface VisitTypeRow {
  id: string;
  name: string;
  minutes: number;
  provider_ids: string;
  version: number;
}
export const visitTypeFromRow = (r: VisitTypeRow): VisitTypeRecord => ({
  id: r.id,
  name: r.name,
  minutes: Number(r.minutes),
  providerIds: JSON.parse(r.provider_ids) as string[],
  version: Number(r.version),
});

/* ---- the rest of the row mappers both stores share (session 4, dx: each was written in both) ---- */

export interface DeviceRow {
  id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  secret_hash: string | null;
  enrolled_by: string | null;
  chain_anchor: string | null;
}
export const deviceFromRow = (row: DeviceRow): Device => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  secretHash: row.secret_hash,
  enrolledBy: row.enrolled_by,
  chainAnchor: row.chain_anchor,
});

export interface RefreshTokenRow {
  staff_id: string;
  device_id: string;
  family: string;
  /** Epoch ms. */
  expires_at: number;
  /** Epoch ms; null while unused. */
  used_at: number | null;
}
export const refreshTokenFromRow = (row: RefreshTokenRow): RefreshToken => ({
  staffId: row.staff_id,
  deviceId: row.device_id,
  family: row.family,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});

export interface AuditAlertRow {
  seq: number;
  at: string;
  device_id: string;
  event_id: string | null;
  kind: AuditAlertKind;
  detail: string;
}
export const auditAlertFromRow = (r: AuditAlertRow): AuditAlert => ({
  seq: r.seq,
  at: r.at,
  deviceId: r.device_id,
  eventId: r.event_id,
  kind: r.kind,
  detail: r.detail,
});

export interface PatientLoginRow {
  seq: number;
  patient_id: string;
  at: string;
  client: string;
  outcome: 'success' | 'failure';
  method: string;
}
export const patientLoginFromRow = (r: PatientLoginRow): PatientLogin => ({
  seq: r.seq,
  patientId: r.patient_id,
  at: r.at,
  client: r.client,
  outcome: r.outcome,
  method: r.method,
});

/*
 * Positional parameters of the stores' INSERT statements, in their column order (session 9, s9dup: each store wrote
 * the list; the SQL stays in each store, in its own dialect).
 */

/** Staff INSERT: (id, username, display_name, role, provider_id, password_hash, totp_secret, version). */
export const staffParams = (r: StaffRecord, passwordHash: string, totpSecret: string): unknown[] => [
  r.id,
  r.username,
  r.displayName,
  r.role,
  r.providerId,
  passwordHash,
  totpSecret,
  r.version,
];
/** Device INSERT: (id, name, created_at, revoked_at, secret_hash, enrolled_by, chain_anchor). */
export const deviceParams = (d: Device): unknown[] => [
  d.id,
  d.name,
  d.createdAt,
  d.revokedAt,
  d.secretHash,
  d.enrolledBy,
  d.chainAnchor ?? null,
];
/** Patient INSERT: (id, mrn, given_name, family_name, birth_date, phone, portal_password_hash, version). */
export const patientParams = (r: PatientRecord, portalPasswordHash: string | null): unknown[] => [
  r.id,
  r.mrn,
  r.givenName,
  r.familyName,
  r.birthDate,
  r.phone,
  portalPasswordHash,
  r.version,
];
/** Message INSERT: (id, thread_id, author_kind, author_id, body, sent_at, version). */
export const messageParams = (r: MessageRecord): unknown[] => [
  r.id,
  r.threadId,
  r.authorKind,
  r.authorId,
  r.body,
  r.sentAt,
  r.version,
];
/** Attachment INSERT: (id, message_id, file_name, mime_type, size, content as bytes, version). */
export const attachmentParams = (r: AttachmentRecord): unknown[] => [
  r.id,
  r.messageId,
  r.fileName,
  r.mimeType,
  r.size,
  Buffer.from(r.contentBase64, 'base64'),
  r.version,
];
/** Parameters of the provider INSERT: (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version, location_id). */
export const providerParams = (r: ProviderRecord) => [
  r.id,
  r.name,
  r.specialty,
  r.slotMinutes,
  r.dayStartMinute,
  r.dayEndMinute,
  r.version,
  r.locationId,
];
/** Parameters of the location upsert: (id, name, time_zone, version, walk_in_minutes). */
export const locationParams = (r: LocationRecord) => [r.id, r.name, r.timeZone, r.version, r.walkInMinutes];
/** Parameters of the visit type upsert: (id, name, minutes, provider_ids as JSON text, version). */
export const visitTypeParams = (r: VisitTypeRecord) => [
  r.id,
  r.name,
  r.minutes,
  JSON.stringify(r.providerIds),
  r.version,
];
