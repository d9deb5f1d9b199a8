import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { LocationRecord } from '../../../src-shared/domain';

interface LocationRow {
  id: string;
  name: string;
  time_zone: string;
  walk_in_minutes: number;
  version: number;
}
const toRecord = (r: LocationRow): LocationRecord => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  walkInMinutes: r.walk_in_minutes,
  version: r.version,
});

/** The clinic profile's locations (issue 13a), as the server last sent them. */
export class LocationsRepo {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO locations (id, name, time_zone, walk_in_minutes, version)
       VALUES (@id, @name, @timeZone, @walkInMinutes, @version)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
         walk_in_minutes = excluded.walk_in_minutes, version = excluded.version`,
    );
    this.listStmt = db.prepare<[], LocationRow>('SELECT * FROM locations ORDER BY id');
    this.byIdStmt = db.prepare<[string], LocationRow>('SELECT * FROM locations WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM locations WHERE id = ?');
  }
  upsert(record: LocationRecord): void {
    this.upsertStmt.run(record);
  }
  list(): LocationRecord[] {
    return this.listStmt.all().map(toRecord);
  }
  byId(id: string): LocationRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
