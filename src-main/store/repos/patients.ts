import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PatientRecord } from '../../../src-shared/domain';

interface PatientRow {
  id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  birth_date: string;
  phone: string | null;
  version: number;
}
const toRecord = (r: PatientRow): PatientRecord => ({
  id: r.id,
  mrn: r.mrn,
  givenName: r.given_name,
  familyName: r.family_name,
  birthDate: r.birth_date,
  phone: r.phone,
  version: r.version,
});

/** Escape LIKE wildcards so a search for "50%" means the characters, not a pattern. */
const likePrefix = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

export class PatientsRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  private readonly searchStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
       VALUES (@id, @mrn, @givenName, @familyName, @birthDate, @phone, @version)
       ON CONFLICT (id) DO UPDATE SET mrn = excluded.mrn, given_name = excluded.given_name,
         family_name = excluded.family_name, birth_date = excluded.birth_date, phone = excluded.phone,
         version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], PatientRow>('SELECT * FROM patients WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM patients WHERE id = ?');
    this.searchStmt = db.prepare<{ q: string; limit: number }, PatientRow>(
      `SELECT * FROM patients
       WHERE family_name LIKE @q ESCAPE '\\' OR given_name LIKE @q ESCAPE '\\' OR mrn LIKE @q ESCAPE '\\'
       ORDER BY family_name, given_name LIMIT @limit`,
    );
  }
  upsert(record: PatientRecord): void {
    this.upsertStmt.run(record);
  }
  byId(id: string): PatientRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }
  /** Prefix search on family name, given name or MRN (case-insensitive). */
  search(query: string, limit: number): PatientRecord[] {
    return this.searchStmt.all({ q: likePrefix(query.trim()), limit }).map(toRecord);
  }
  /** Remove a record the server deleted (sync). */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
