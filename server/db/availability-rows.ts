/** Row shapes of the availability tables (issue 13 §3; schema migration 7) and their mapping to the shared records. */
import type { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from '../../src-shared/availability';
import { AvailabilityBlock } from '../../src-shared/availability';

export interface AvailabilityTemplateRow {
  id: string;
  provider_id: string;
  location_id: string;
  /** JSON array of AvailabilityBlock. */
  blocks: string;
  version: number;
}

export const templateFromRow = (r: AvailabilityTemplateRow): AvailabilityTemplateRecord => ({
  id: r.id,
  providerId: r.provider_id,
  locationId: r.location_id,
  // Written by the store from validated blocks; parsed again so a damaged row cannot reach a console.
  blocks: AvailabilityBlock.array().parse(JSON.parse(r.blocks)),
  version: Number(r.version),
});

export interface AvailabilityExceptionRow {
  id: string;
  kind: AvailabilityExceptionRecord['kind'];
  location_id: string;
  provider_id: string | null;
  from_date: string;
  to_date: string;
  start_minute: number | null;
  end_minute: number | null;
  label: string;
  version: number;
}

export const exceptionFromRow = (r: AvailabilityExceptionRow): AvailabilityExceptionRecord => ({
  id: r.id,
  kind: r.kind,
  locationId: r.location_id,
  providerId: r.provider_id,
  fromDate: r.from_date,
  toDate: r.to_date,
  startMinute: r.start_minute === null ? null : Number(r.start_minute),
  endMinute: r.end_minute === null ? null : Number(r.end_minute),
  label: r.label,
  version: Number(r.version),
});

/** Positional parameters of an exception row, in the column order the stores' INSERT statements use. */
export const exceptionParams = (r: AvailabilityExceptionRecord): unknown[] => [
  r.id,
  r.kind,
  r.locationId,
  r.providerId,
  r.fromDate,
  r.toDate,
  r.startMinute,
  r.endMinute,
  r.label,
  r.version,
];
