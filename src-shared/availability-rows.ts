/**
 * Row shapes of the availability tables (issue 13 §3) and their mapping to the shared records. The portal
 * backend's stores (SQLite and PostgreSQL, server schema 7) and the console's store (migration 012) keep these
 * tables in the same columns, so one mapping serves both sides (session 6, dx6: it was written once per side).
 * Like audit-chain.ts, it is shared code of the data format, not of a layer: it imports only src-shared.
 */
import {
  AvailabilityBlock,
  type AvailabilityExceptionRecord,
  type AvailabilityTemplateRecord,
} from './availability';

/** A row of `availability_templates`. */
export interface AvailabilityTemplateRow {
  id: string;
  provider_id: string;
  location_id: string;
  /** JSON array of AvailabilityBlock. */
  blocks: string;
  /** A number (PostgreSQL may hand a BIGINT over as a string: read with Number). */
  version: number;
}

/**
 * The template record of a row. The blocks were validated when written; they are parsed again so a damaged row
 * cannot reach a console, the rules or the renderer.
 * @throws ZodError / SyntaxError for a damaged `blocks` column.
 */
export const templateFromRow = (r: AvailabilityTemplateRow): AvailabilityTemplateRecord => ({
  id: r.id,
  providerId: r.provider_id,
  locationId: r.location_id,
  blocks: AvailabilityBlock.array().parse(JSON.parse(r.blocks)),
  version: Number(r.version),
});

/** A row of `availability_exceptions` (minutes from local midnight, dates YYYY-MM-DD in the location's zone). */
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

/** The exception record of a row (numbers read with Number, as for templates). */
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
