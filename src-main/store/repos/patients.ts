import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { PatientRecord } from '../../../src-shared/domain';
import { TERM_FIELD, parseLookup, termsOf, type LookupWord } from './patient-terms';

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

/** The highest code point: `term < prefix || MAX` bounds a prefix range in SQLite's binary (UTF-8) order. */
const MAX_CHAR = String.fromCodePoint(0x10ffff);
/** Words of a query beyond this are ignored (a name is rarely longer; each word is one range scan). */
const MAX_WORDS = 6;

/**
 * One query word's best match per patient, scored: an exact term 3, a prefix of one 1; +1 when it matched the
 * field it was typed as ("Last, First", or first/last word of "First Last"); +1 for the whole name typed as one
 * word ("李小龙", "kainguyen").
 */
const wordScan = (i: number): string => `
  SELECT patient_id, MAX(
    (CASE WHEN term = @w${i} THEN 3 ELSE 1 END)
    + (CASE WHEN field = @r${i} THEN 1 ELSE 0 END)
    + (CASE WHEN field = ${TERM_FIELD.fullName} AND term = @w${i} THEN 1 ELSE 0 END)
  ) AS s
  FROM patient_terms WHERE term >= @w${i} AND term < @h${i}
  GROUP BY patient_id`;

export class PatientsRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  private readonly deleteTermsStmt;
  private readonly addTermStmt;
  private readonly byBirthDateStmt;
  private readonly wordStmts = new Map<number, Statement<Record<string, unknown>, PatientRow>>();
  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
       VALUES (@id, @mrn, @givenName, @familyName, @birthDate, @phone, @version)
       ON CONFLICT (id) DO UPDATE SET mrn = excluded.mrn, given_name = excluded.given_name,
         family_name = excluded.family_name, birth_date = excluded.birth_date, phone = excluded.phone,
         version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], PatientRow>('SELECT * FROM patients WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM patients WHERE id = ?');
    this.deleteTermsStmt = db.prepare('DELETE FROM patient_terms WHERE patient_id = ?');
    this.addTermStmt = db.prepare(
      'INSERT OR IGNORE INTO patient_terms (term, field, patient_id) VALUES (?, ?, ?)',
    );
    this.byBirthDateStmt = db.prepare<[string, number], PatientRow>(
      `SELECT p.* FROM patient_terms t JOIN patients p ON p.id = t.patient_id
       WHERE t.field = ${TERM_FIELD.birthDate} AND t.term IN (SELECT value FROM json_each(?))
       ORDER BY p.family_name, p.given_name, p.id LIMIT ?`,
    );
  }
  /** Insert or replace a patient and its lookup terms (call inside the caller's transaction, e.g. a pull). */
  upsert(record: PatientRecord): void {
    this.upsertStmt.run(record);
    this.deleteTermsStmt.run(record.id);
    for (const t of termsOf(record)) this.addTermStmt.run(t.term, t.field, record.id);
  }
  byId(id: string): PatientRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }

  /**
   * Patient lookup (issue 13 §8), best match first: "First Last", "Last, First", part of a name, an MRN, a
   * phone number, or a date of birth in common formats (patient-terms.ts); case- and accent-insensitive in
   * every script (src-shared/text-fold.ts). Every word must match a term of the patient exactly or as a prefix;
   * patients are ranked by the words' scores (wordScan), then by family and given name. A query with no letter
   * or digit finds nobody. `now` (ms) resolves two-digit years of birth.
   */
  search(query: string, limit: number, now: number = Date.now()): PatientRecord[] {
    const lookup = parseLookup(query, new Date(now).getUTCFullYear());
    if (lookup.kind === 'birthDate') {
      return this.byBirthDateStmt.all(JSON.stringify(lookup.dates), limit).map(toRecord);
    }
    const words = lookup.words.slice(0, MAX_WORDS);
    if (words.length === 0) return [];
    const params: Record<string, unknown> = { limit };
    words.forEach((w: LookupWord, i) => {
      params[`w${i}`] = w.text;
      params[`h${i}`] = w.text + MAX_CHAR;
      params[`r${i}`] = w.role ?? -1;
    });
    return this.wordsStmt(words.length).all(params).map(toRecord);
  }

  private wordsStmt(n: number): Statement<Record<string, unknown>, PatientRow> {
    let stmt = this.wordStmts.get(n);
    if (!stmt) {
      const scans = Array.from({ length: n }, (_, i) => wordScan(i)).join('\n  UNION ALL');
      stmt = this.db.prepare<Record<string, unknown>, PatientRow>(
        `SELECT p.* FROM (
           SELECT patient_id, SUM(s) AS score FROM (${scans})
           GROUP BY patient_id HAVING COUNT(*) = ${n}
         ) m JOIN patients p ON p.id = m.patient_id
         ORDER BY m.score DESC, p.family_name, p.given_name, p.id
         LIMIT @limit`,
      );
      this.wordStmts.set(n, stmt);
    }
    return stmt;
  }

  /** Remove a record the server deleted (sync), with its lookup terms. */
  delete(id: string): void {
    this.deleteStmt.run(id);
    this.deleteTermsStmt.run(id);
  }
}
