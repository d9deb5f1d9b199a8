import type { Database } from 'better-sqlite3-multiple-ciphers';
import type {
  AvailabilityExceptionRecord,
  AvailabilityTemplateRecord,
  ProviderAvailability,
} from '../../../src-shared/availability';
import {
  exceptionFromRow,
  templateFromRow,
  type AvailabilityExceptionRow,
  type AvailabilityTemplateRow,
} from '../../../src-shared/availability-rows';

/** Availability (issue 13 §3) as the server last sent it: weekly templates and exceptions. */
export class AvailabilityRepo {
  private readonly upsertTemplateStmt;
  private readonly deleteTemplateStmt;
  private readonly templateForStmt;
  private readonly upsertExceptionStmt;
  private readonly deleteExceptionStmt;
  private readonly exceptionsStmt;
  private readonly hasExceptionStmt;
  constructor(db: Database) {
    this.hasExceptionStmt = db.prepare<[string], { x: number }>(
      'SELECT 1 AS x FROM availability_exceptions WHERE id = ?',
    );
    this.upsertTemplateStmt = db.prepare(
      `INSERT INTO availability_templates (id, provider_id, location_id, blocks, version)
       VALUES (@id, @providerId, @locationId, @blocks, @version)
       ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, location_id = excluded.location_id,
         blocks = excluded.blocks, version = excluded.version
       WHERE excluded.version >= availability_templates.version`,
    );
    this.deleteTemplateStmt = db.prepare('DELETE FROM availability_templates WHERE id = ?');
    this.templateForStmt = db.prepare<[string, string], AvailabilityTemplateRow>(
      'SELECT * FROM availability_templates WHERE provider_id = ? AND location_id = ? ORDER BY version DESC LIMIT 1',
    );
    this.upsertExceptionStmt = db.prepare(
      `INSERT INTO availability_exceptions (id, kind, location_id, provider_id, from_date, to_date, start_minute,
         end_minute, label, version)
       VALUES (@id, @kind, @locationId, @providerId, @fromDate, @toDate, @startMinute, @endMinute, @label, @version)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, location_id = excluded.location_id,
         provider_id = excluded.provider_id, from_date = excluded.from_date, to_date = excluded.to_date,
         start_minute = excluded.start_minute, end_minute = excluded.end_minute, label = excluded.label,
         version = excluded.version
       WHERE excluded.version >= availability_exceptions.version`,
    );
    this.deleteExceptionStmt = db.prepare('DELETE FROM availability_exceptions WHERE id = ?');
    this.exceptionsStmt = db.prepare<[string, string, string], AvailabilityExceptionRow>(
      `SELECT * FROM availability_exceptions WHERE location_id = ? AND to_date >= ? AND from_date <= ?
       ORDER BY from_date, id`,
    );
  }
  /**
   * Writes the server's template unless a newer version of it is held (likewise `upsertException`): a late answer
   * to this PC's admin call never overwrites a newer record a pull brought meanwhile (review 6 D1).
   */
  upsertTemplate(r: AvailabilityTemplateRecord): void {
    this.upsertTemplateStmt.run({ ...r, blocks: JSON.stringify(r.blocks) });
  }
  deleteTemplate(id: string): void {
    this.deleteTemplateStmt.run(id);
  }
  templateFor(providerId: string, locationId: string): AvailabilityTemplateRecord | null {
    const row = this.templateForStmt.get(providerId, locationId);
    return row ? templateFromRow(row) : null;
  }
  upsertException(r: AvailabilityExceptionRecord): void {
    this.upsertExceptionStmt.run(r);
  }
  hasException(id: string): boolean {
    return this.hasExceptionStmt.get(id) !== undefined;
  }
  deleteException(id: string): void {
    this.deleteExceptionStmt.run(id);
  }
  /** Exceptions at a location overlapping the local dates fromDate..toDate (inclusive). */
  exceptions(locationId: string, fromDate: string, toDate: string): AvailabilityExceptionRecord[] {
    return this.exceptionsStmt.all(locationId, fromDate, toDate).map(exceptionFromRow);
  }
  /** What the shared rules need for a provider over the local dates fromDate..toDate at their location. */
  of(provider: { id: string; locationId: string }, fromDate: string, toDate: string): ProviderAvailability {
    return {
      template: this.templateFor(provider.id, provider.locationId),
      exceptions: this.exceptions(provider.locationId, fromDate, toDate),
    };
  }
}
