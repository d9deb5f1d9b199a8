import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ProviderRecord } from '../../../src-shared/domain';

interface ProviderRow {
  id: string;
  name: string;
  specialty: string;
  location_id: string;
  slot_minutes: number;
  day_start_minute: number;
  day_end_minute: number;
  version: number;
}
const toRecord = (r: ProviderRow): ProviderRecord => ({
  id: r.id,
  name: r.name,
  specialty: r.specialty,
  locationId: r.location_id,
  slotMinutes: r.slot_minutes,
  dayStartMinute: r.day_start_minute,
  dayEndMinute: r.day_end_minute,
  version: r.version,
});

export class ProvidersRepo {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO providers (id, name, specialty, slot_minutes, day_start_minute, day_end_minute, version,
         location_id)
       VALUES (@id, @name, @specialty, @slotMinutes, @dayStartMinute, @dayEndMinute, @version, @locationId)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, specialty = excluded.specialty,
         location_id = excluded.location_id,
         slot_minutes = excluded.slot_minutes, day_start_minute = excluded.day_start_minute,
         day_end_minute = excluded.day_end_minute, version = excluded.version`,
    );
    this.listStmt = db.prepare<[], ProviderRow>('SELECT * FROM providers ORDER BY name');
    this.byIdStmt = db.prepare<[string], ProviderRow>('SELECT * FROM providers WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM providers WHERE id = ?');
  }
  upsert(record: ProviderRecord): void {
    this.upsertStmt.run(record);
  }
  list(): ProviderRecord[] {
    return this.listStmt.all().map(toRecord);
  }
  byId(id: string): ProviderRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }
  /** Remove a record the server deleted (sync). */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
