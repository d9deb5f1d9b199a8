import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AbsenceRecord } from '../../../src-shared/coverage';
import {
  BREAK_GLASS_DEFAULT_MINUTES,
  CLINIC_SETTINGS_ID,
  ClinicSettingsRecord,
  PoolTemplateRecord,
} from '../../../src-shared/triage';

/** The clinic settings a console assumes before the server's record arrives (the server's own defaults). */
export const DEFAULT_CLINIC_SETTINGS: ClinicSettingsRecord = {
  id: CLINIC_SETTINGS_ID,
  breakGlassMinutes: BREAK_GLASS_DEFAULT_MINUTES,
  version: 0,
};

/**
 * The server's records arrive by pull and, earlier or later, as the answer to this PC's own admin call: a record
 * is written only if its version is not older than the one held, so a late answer never overwrites a newer record
 * a pull brought meanwhile (review 6 D1; DESIGN §5 "never show what the server does not have").
 */
const NOT_OLDER = (table: string) =>
  `json_extract(excluded.data, '$.version') >= coalesce(json_extract(${table}.data, '$.version'), -1)`;

/**
 * Session 4, 14c: what the server syncs for coverage (absences), the clinic settings and pool templates. Rows keep
 * the record as the server sent it (validated on arrival); reads parse it again, so a corrupt row never reaches
 * the renderer (it is skipped).
 */
export class CoverageRepo {
  private readonly upsertAbsenceStmt;
  private readonly deleteAbsenceStmt;
  private readonly absencesStmt;
  private readonly upsertSettingsStmt;
  private readonly deleteSettingsStmt;
  private readonly settingsStmt;
  private readonly upsertTemplateStmt;
  private readonly deleteTemplateStmt;
  private readonly templatesStmt;

  constructor(db: Database) {
    this.upsertAbsenceStmt = db.prepare(
      `INSERT INTO absences (id, staff_id, cover_id, ends_at, data) VALUES (@id, @staffId, @coverId, @endsAt, @data)
       ON CONFLICT (id) DO UPDATE SET staff_id = excluded.staff_id, cover_id = excluded.cover_id,
         ends_at = excluded.ends_at, data = excluded.data
       WHERE ${NOT_OLDER('absences')}`,
    );
    this.deleteAbsenceStmt = db.prepare('DELETE FROM absences WHERE id = ?');
    this.absencesStmt = db.prepare<[], { data: string }>('SELECT data FROM absences ORDER BY ends_at, id');
    this.upsertSettingsStmt = db.prepare(
      `INSERT INTO clinic_settings (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data
       WHERE ${NOT_OLDER('clinic_settings')}`,
    );
    this.deleteSettingsStmt = db.prepare('DELETE FROM clinic_settings WHERE id = ?');
    this.settingsStmt = db.prepare<[string], string>('SELECT data FROM clinic_settings WHERE id = ?').pluck();
    this.upsertTemplateStmt = db.prepare(
      `INSERT INTO pool_templates (id, pool_id, data) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pool_id = excluded.pool_id, data = excluded.data
       WHERE ${NOT_OLDER('pool_templates')}`,
    );
    this.deleteTemplateStmt = db.prepare('DELETE FROM pool_templates WHERE id = ?');
    this.templatesStmt = db.prepare<[], { data: string }>(
      'SELECT data FROM pool_templates ORDER BY pool_id, id',
    );
  }

  /** Writes the server's absence unless a newer version is held (NOT_OLDER); likewise the setters below. */
  upsertAbsence(a: AbsenceRecord): void {
    this.upsertAbsenceStmt.run({
      id: a.id,
      staffId: a.staffId,
      coverId: a.coverId,
      endsAt: a.endsAt,
      data: JSON.stringify(a),
    });
  }
  deleteAbsence(id: string): void {
    this.deleteAbsenceStmt.run(id);
  }
  /** Every absence held, soonest end first. */
  absences(): AbsenceRecord[] {
    return parsed(this.absencesStmt.all(), AbsenceRecord);
  }

  setClinicSettings(r: ClinicSettingsRecord): void {
    this.upsertSettingsStmt.run(r.id, JSON.stringify(r));
  }
  deleteClinicSettings(id: string): void {
    this.deleteSettingsStmt.run(id);
  }
  /** The server's clinic settings, or the defaults before they arrived. */
  clinicSettings(): ClinicSettingsRecord {
    const raw = this.settingsStmt.get(CLINIC_SETTINGS_ID);
    if (!raw) return DEFAULT_CLINIC_SETTINGS;
    const result = ClinicSettingsRecord.safeParse(JSON.parse(raw));
    return result.success ? result.data : DEFAULT_CLINIC_SETTINGS;
  }

  upsertPoolTemplate(t: PoolTemplateRecord): void {
    this.upsertTemplateStmt.run(t.id, t.poolId, JSON.stringify(t));
  }
  deletePoolTemplate(id: string): void {
    this.deleteTemplateStmt.run(id);
  }
  /** Every pool template, by pool and title. */
  poolTemplates(): PoolTemplateRecord[] {
    return parsed(this.templatesStmt.all(), PoolTemplateRecord).sort(
      (a, b) => a.poolId.localeCompare(b.poolId) || a.title.localeCompare(b.title),
    );
  }
}

function parsed<T>(
  rows: { data: string }[],
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
): T[] {
  const out: T[] = [];
  for (const row of rows) {
    try {
      const result = schema.safeParse(JSON.parse(row.data));
      if (result.success) out.push(result.data as T);
    } catch {
      // a row that is not JSON is skipped
    }
  }
  return out;
}
