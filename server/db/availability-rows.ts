/**
 * The availability tables' rows (issue 13 §3; schema migration 7): the row shapes and their mapping to the shared
 * records are the console's too (src-shared/availability-rows.ts); the stores' INSERT parameters are the server's.
 */
import type { AvailabilityExceptionRecord, AvailabilityTemplateRecord } from '../../src-shared/availability';

export {
  exceptionFromRow,
  templateFromRow,
  type AvailabilityExceptionRow,
  type AvailabilityTemplateRow,
} from '../../src-shared/availability-rows';

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

/** Positional parameters of a template row: (id, provider_id, location_id, blocks as JSON text, version). */
export const templateParams = (r: AvailabilityTemplateRecord): unknown[] => [
  r.id,
  r.providerId,
  r.locationId,
  JSON.stringify(r.blocks),
  r.version,
];
