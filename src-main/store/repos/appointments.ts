import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { AppointmentRecord } from '../../../src-shared/domain';
import { appointmentFromRow, type AppointmentRecordRow } from '../../../src-shared/record-rows';

/** An `appointments` row (the record's columns: src-shared/record-rows.ts). */
export type AppointmentRow = AppointmentRecordRow;
export interface AppointmentListRow extends AppointmentRow {
  patient_name: string;
}

/** An appointment's record from its row (src-shared/record-rows.ts, shared with the portal backend). */
export const appointmentRecordOf: (r: AppointmentRow) => AppointmentRecord = appointmentFromRow;

const LIST = `SELECT a.*, p.given_name || ' ' || p.family_name AS patient_name
              FROM appointments a JOIN patients p ON p.id = a.patient_id`;

/** A pulled appointment's upsert (named parameters: AppointmentRecord's keys, seriesId null when absent); also run
 * per page over JSON rows (sync/pull-rows.ts). */
export const APPOINTMENT_UPSERT_SQL = `INSERT INTO appointments (id, patient_id, provider_id, start, "end", status, reason, cancel_reason,
     virtual_link, version, cancel_code, overlap_reason, series_id)
   VALUES (@id, @patientId, @providerId, @start, @end, @status, @reason, @cancelReason, @virtualLink, @version,
     @cancelCode, @overlapReason, @seriesId)
   ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, provider_id = excluded.provider_id,
     start = excluded.start, "end" = excluded."end", status = excluded.status, reason = excluded.reason,
     cancel_reason = excluded.cancel_reason, virtual_link = excluded.virtual_link, version = excluded.version,
     cancel_code = excluded.cancel_code, overlap_reason = excluded.overlap_reason,
     series_id = excluded.series_id`;

export class AppointmentsRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly rowStmt;
  private readonly rangeStmt;
  private readonly rangeProviderStmt;
  private readonly upcomingStmt;
  private readonly deleteStmt;
  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(APPOINTMENT_UPSERT_SQL);
    this.byIdStmt = db.prepare<[string], AppointmentRow>('SELECT * FROM appointments WHERE id = ?');
    this.rowStmt = db.prepare<[string], AppointmentListRow>(`${LIST} WHERE a.id = ?`);
    this.rangeStmt = db.prepare<[string, string], AppointmentListRow>(
      `${LIST} WHERE a.start >= ? AND a.start < ? ORDER BY a.start, a.provider_id`,
    );
    this.rangeProviderStmt = db.prepare<[string, string, string], AppointmentListRow>(
      `${LIST} WHERE a.start >= ? AND a.start < ? AND a.provider_id = ? ORDER BY a.start`,
    );
    this.upcomingStmt = db.prepare<[string, string], AppointmentListRow>(
      `${LIST} WHERE a.patient_id = ? AND a.start >= ? ORDER BY a.start LIMIT 20`,
    );
    this.deleteStmt = db.prepare('DELETE FROM appointments WHERE id = ?');
  }
  upsert(record: AppointmentRecord): void {
    this.upsertStmt.run({ ...record, seriesId: record.seriesId ?? null });
  }
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
  byId(id: string): AppointmentRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? appointmentRecordOf(row) : null;
  }
  listRow(id: string): AppointmentListRow | null {
    return this.rowStmt.get(id) ?? null;
  }
  /** Appointments starting in [from, to), optionally for one provider. */
  range(from: string, to: string, providerId?: string): AppointmentListRow[] {
    return providerId ? this.rangeProviderStmt.all(from, to, providerId) : this.rangeStmt.all(from, to);
  }
  /** issue 13 §4: the occurrences of a series on this PC, in time order. */
  ofSeries(seriesId: string): AppointmentRecord[] {
    return this.db
      .prepare<[string], AppointmentRow>('SELECT * FROM appointments WHERE series_id = ? ORDER BY start')
      .all(seriesId)
      .map(appointmentRecordOf);
  }
  upcomingForPatient(patientId: string, now: string): AppointmentListRow[] {
    return this.upcomingStmt.all(patientId, now);
  }

  // issue 13a: overlap queries on normalised UTC instants (text order is time order). An appointment is at most
  // one local day long, so candidates start less than two days before `end`.
  private readonly overlapStmts = new Map<string, Statement<unknown[], AppointmentRow>>();
  /**
   * Appointments overlapping [start, end) (UTC instants) of a provider (`by = 'provider'`) or a patient
   * (`by = 'patient'`), other than `exceptId`, any status: the caller filters slot-holding ones.
   */
  overlapping(
    by: 'provider' | 'patient',
    key: string,
    start: string,
    end: string,
    exceptId: string | null,
  ): AppointmentRecord[] {
    const since = new Date(Date.parse(start) - 2 * 86_400_000).toISOString();
    let stmt = this.overlapStmts.get(by);
    if (!stmt) {
      const column = by === 'provider' ? 'provider_id' : 'patient_id';
      stmt = this.db.prepare<unknown[], AppointmentRow>(
        `SELECT * FROM appointments WHERE ${column} = ? AND start >= ? AND start < ? AND "end" > ? AND id <> ?
           ORDER BY start`,
      );
      this.overlapStmts.set(by, stmt);
    }
    const rows = stmt.all(key, since, end, start, exceptId ?? '');
    return rows.map(appointmentRecordOf);
  }
}
