/**
 * Row shapes of session 4's tables (14c: coverage, clinic settings, pool templates) and their mapping to the
 * shared records; one copy for the SQLite and the PostgreSQL store (same column names).
 */
import { AbsenceRecord, type CoverageMoveOutcome } from '../../src-shared/coverage';
import { ClinicSettingsRecord, PoolTemplateRecord } from '../../src-shared/triage';

export interface AbsenceRow {
  id: string;
  staff_id: string;
  cover_id: string;
  start_date: string;
  end_date: string;
  time_zone: string;
  starts_at: string;
  ends_at: string;
  phase: string;
  created_by: string;
  version: number;
}

export const absenceFromRow = (r: AbsenceRow): AbsenceRecord =>
  AbsenceRecord.parse({
    id: r.id,
    staffId: r.staff_id,
    coverId: r.cover_id,
    startDate: r.start_date,
    endDate: r.end_date,
    timeZone: r.time_zone,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    phase: r.phase,
    createdBy: r.created_by,
    version: Number(r.version),
  });

/** Parameters of the absence INSERT / UPDATE, in the order of ABSENCE_COLUMNS. */
export const ABSENCE_COLUMNS = [
  'staff_id',
  'cover_id',
  'start_date',
  'end_date',
  'time_zone',
  'starts_at',
  'ends_at',
  'phase',
  'created_by',
  'version',
  'id',
] as const;
export const absenceParams = (a: AbsenceRecord) => [
  a.staffId,
  a.coverId,
  a.startDate,
  a.endDate,
  a.timeZone,
  a.startsAt,
  a.endsAt,
  a.phase,
  a.createdBy,
  a.version,
  a.id,
];

/** One thread the server moved for an absence (the hand-back decides from it). */
export interface CoverageMove {
  absenceId: string;
  threadId: string;
  fromStaff: string;
  toStaff: string;
  /** UTC ISO. */
  movedAt: string;
  returnedAt: string | null;
  outcome: CoverageMoveOutcome | null;
}

export interface CoverageMoveRow {
  absence_id: string;
  thread_id: string;
  from_staff: string;
  to_staff: string;
  moved_at: string;
  returned_at: string | null;
  outcome: string | null;
}

export const coverageMoveFromRow = (r: CoverageMoveRow): CoverageMove => ({
  absenceId: r.absence_id,
  threadId: r.thread_id,
  fromStaff: r.from_staff,
  toStaff: r.to_staff,
  movedAt: r.moved_at,
  returnedAt: r.returned_at,
  outcome: r.outcome as CoverageMoveOutcome | null,
});

export interface ClinicSettingsRow {
  id: string;
  break_glass_minutes: number;
  version: number;
}
export const clinicSettingsFromRow = (r: ClinicSettingsRow): ClinicSettingsRecord =>
  ClinicSettingsRecord.parse({
    id: r.id,
    breakGlassMinutes: Number(r.break_glass_minutes),
    version: Number(r.version),
  });

export interface PoolTemplateRow {
  id: string;
  pool_id: string;
  title: string;
  body: string;
  version: number;
}
export const poolTemplateFromRow = (r: PoolTemplateRow): PoolTemplateRecord =>
  PoolTemplateRecord.parse({
    id: r.id,
    poolId: r.pool_id,
    title: r.title,
    body: r.body,
    version: Number(r.version),
  });

/** Positional parameters of the pool template upsert: (id, pool_id, title, body, version). */
export const poolTemplateParams = (t: PoolTemplateRecord): unknown[] => [
  t.id,
  t.poolId,
  t.title,
  t.body,
  t.version,
];
