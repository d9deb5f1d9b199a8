import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { PatientRecord } from '../../../src-shared/domain';
import { patientFromRow, type PatientRecordRow } from '../../../src-shared/record-rows';
import {
  SORT_KEY_SEPARATOR,
  TERM_FIELD,
  parseLookup,
  sortKeyOf,
  termsOf,
  type LookupWord,
} from './patient-terms';

type PatientRow = PatientRecordRow;
/** A patient's record from its row (src-shared/record-rows.ts, shared with the portal backend). */
const toRecord: (r: PatientRow) => PatientRecord = patientFromRow;

/** The highest code point: `term < prefix || MAX` bounds a prefix range in SQLite's binary (UTF-8) order. */
const MAX_CHAR = String.fromCodePoint(0x10ffff);
/** Words of a query beyond this are ignored (a name is rarely longer). */
const MAX_WORDS = 6;
/**
 * Index rows read for a multi-word query at most (a one-word query reads a few times its limit). Rows come in
 * (term, name) order, so every exact match of the scanned word is read before any longer term it begins; only a
 * very common name or a one-letter prefix reaches the cap. Measured with bench `patients` at 100,000 patients.
 */
const SCAN_CAP = 4000;

/**
 * [term, field, patient_id, sort_key] as a scan returns them: raw rows, no object per row (measured:
 * materializing rows is most of a lookup's time).
 */
type ScanRow = [string, number, string, string];

/** How well one query word matches a name word: exact 3, a prefix 1, none 0; +1 in the field it was typed as. */
function nameScore(word: LookupWord, sortKey: string): number {
  const [familyPart = '', givenPart = ''] = sortKey.split(SORT_KEY_SEPARATOR);
  let best = 0;
  for (const [part, field] of [
    [familyPart, TERM_FIELD.family],
    [givenPart, TERM_FIELD.given],
  ] as const) {
    const words = part.split(' ');
    const joined = words.join('');
    let s = 0;
    if (words.includes(word.text) || joined === word.text) s = 3;
    else if (words.some((w) => w.startsWith(word.text)) || joined.startsWith(word.text)) s = 1;
    if (s > 0 && word.role === field) s += 1;
    best = Math.max(best, s);
  }
  return best;
}

export class PatientsRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  private readonly deleteTermStmt;
  private readonly addTermStmt;
  private readonly scanStmts = new Map<number, Statement<Record<string, unknown>, ScanRow>>();
  private readonly byBirthDateStmt;
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
    this.deleteTermStmt = db.prepare(
      'DELETE FROM patient_terms WHERE term = ? AND sort_key = ? AND field = ? AND patient_id = ?',
    );
    this.addTermStmt = db.prepare(
      'INSERT OR IGNORE INTO patient_terms (term, field, patient_id, sort_key) VALUES (?, ?, ?, ?)',
    );
    this.byBirthDateStmt = db
      .prepare<[string, number], ScanRow>(
        `SELECT term, field, patient_id, sort_key FROM patient_terms
         WHERE field = ${TERM_FIELD.birthDate} AND term IN (SELECT value FROM json_each(?)) LIMIT ?`,
      )
      .raw(true);
  }
  /**
   * While true (an initial sync's bulk load, src-main/store/bulk-load.ts), upsert writes the patient only;
   * rebuildTerms() then indexes every patient at once (issue 16).
   */
  deferTerms = false;

  /** Insert or replace a patient and its lookup terms (call inside the caller's transaction, e.g. a pull). */
  upsert(record: PatientRecord): void {
    if (this.deferTerms) {
      this.upsertStmt.run(record);
      return;
    }
    const before = this.byIdStmt.get(record.id);
    this.upsertStmt.run(record);
    if (before) {
      const old = toRecord(before);
      // A pull re-delivers patients unchanged far more often than it renames them: nothing to re-index.
      if (sameTerms(old, record)) return;
      this.deleteTerms(old);
    }
    const key = sortKeyOf(record);
    for (const t of termsOf(record)) this.addTermStmt.run(t.term, t.field, record.id, key);
  }

  /**
   * Remove a patient's terms by their full keys, recomputed from the record (measured: cheaper than keeping a
   * second index on patient_id, which every term insert of an initial sync would also write).
   */
  private deleteTerms(old: PatientRecord): void {
    const key = sortKeyOf(old);
    for (const t of termsOf(old)) this.deleteTermStmt.run(t.term, key, t.field, old.id);
  }
  /**
   * Every patient's lookup terms written again from the patients table (the end of a bulk load, issue 16): the
   * same terms upsert writes, inserted in key order so the index is built by appending. Call in a transaction.
   *
   * Held compactly while sorted (session 16): per patient its id and sort key, per term its text and its owner
   * (patient index × 8 + field: TermField is below 8) in parallel arrays, and the sort orders term indexes. An
   * array of four per term grew the JS heap by 29 MB at scale 100 (134,926 terms; 15 MB this way,
   * bench/profile-apply.ts replay), at the initial sync's RSS peak (the finish's search index runs next).
   */
  rebuildTerms(): void {
    // The owner's three low bits hold the field.
    if (Object.values(TERM_FIELD).some((field) => field > 7))
      throw new Error('TermField does not fit 3 bits.');
    this.db.prepare('DELETE FROM patient_terms').run();
    const ids: string[] = [];
    const keys: string[] = [];
    const terms: string[] = [];
    /** patient index × 8 + TermField (0-5). */
    const owners: number[] = [];
    for (const p of this.db.prepare<[], PatientRow>('SELECT * FROM patients').iterate()) {
      const record = toRecord(p);
      const at = ids.length;
      ids.push(record.id);
      keys.push(sortKeyOf(record));
      for (const t of termsOf(record)) {
        terms.push(t.term);
        owners.push(at * 8 + t.field);
      }
    }
    const order = new Uint32Array(terms.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Primary key order (term, sort_key, field, patient_id); plain code-unit order is close enough to SQLite's.
    order.sort((a, b) => {
      const ta = terms[a]!;
      const tb = terms[b]!;
      if (ta !== tb) return ta < tb ? -1 : 1;
      const oa = owners[a]!;
      const ob = owners[b]!;
      const ka = keys[oa >>> 3]!;
      const kb = keys[ob >>> 3]!;
      if (ka !== kb) return ka < kb ? -1 : 1;
      if ((oa & 7) !== (ob & 7)) return (oa & 7) - (ob & 7);
      const ia = ids[oa >>> 3]!;
      const ib = ids[ob >>> 3]!;
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    });
    for (const i of order) {
      const owner = owners[i]!;
      this.addTermStmt.run(terms[i], owner & 7, ids[owner >>> 3], keys[owner >>> 3]);
    }
  }

  byId(id: string): PatientRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? toRecord(row) : null;
  }

  /**
   * Patient lookup (issue 13 §8), best match first: "First Last", "Last, First", part of a name, an MRN, a
   * phone number, or a date of birth in common formats (patient-terms.ts); case- and accent-insensitive in
   * every script (src-shared/text-fold.ts). Every word must match: the longest word is looked up in the index
   * (exact term or prefix of one, any field), the others are checked against each candidate's name words.
   * Ranked by score (exact 3, prefix 1, +1 in the field typed: "Last, First" or the first/last word of
   * "First Last", +1 for the whole name typed as one word), then family and given name. `now` (ms) resolves
   * two-digit years of birth. A query with no letter or digit finds nobody.
   */
  search(query: string, limit: number, now: number = Date.now()): PatientRecord[] {
    const lookup = parseLookup(query, new Date(now).getUTCFullYear());
    const best = new Map<string, { score: number; term: string; key: string }>();
    if (lookup.kind === 'birthDate') {
      for (const [, , id, key] of this.byBirthDateStmt.all(JSON.stringify(lookup.dates), SCAN_CAP))
        best.set(id, { score: 3, term: '', key });
    } else {
      const words = lookup.words.slice(0, MAX_WORDS);
      if (words.length === 0) return [];
      // The longest word is the most selective; on a tie, the one typed as the family name.
      let lead = 0;
      words.forEach((w, i) => {
        const l = words[lead]!;
        if (
          w.text.length > l.text.length ||
          (w.text.length === l.text.length && w.role === TERM_FIELD.family)
        )
          lead = i;
      });
      const scanned = words[lead]!;
      const others = words.filter((_, i) => i !== lead);
      const params: Record<string, unknown> = {
        w: scanned.text,
        h: scanned.text + MAX_CHAR,
        // One word: rows come best first (exact term, then the nearest completions, each in name order).
        cap: others.length === 0 ? limit * 4 : SCAN_CAP,
      };
      others.forEach((o, i) => (params[`o${i}`] = o.text));
      for (const [term, field, id, key] of this.scanStmt(others.length).all(params)) {
        const exact = term === scanned.text;
        let score = (exact ? 3 : 1) + (field === scanned.role ? 1 : 0);
        if (field === TERM_FIELD.fullName && exact) score += 1;
        const prior = best.get(id);
        if (prior && prior.score >= score) continue;
        let total = score;
        for (const o of others) {
          const s = nameScore(o, key);
          if (s === 0) {
            total = -1;
            break;
          }
          total += s;
        }
        if (total > 0) best.set(id, { score: total, term, key });
      }
    }
    return [...best.entries()]
      .sort(
        ([ia, a], [ib, b]) => b.score - a.score || cmp(a.term, b.term) || cmp(a.key, b.key) || cmp(ia, ib),
      )
      .slice(0, limit)
      .map(([id]) => toRecord(this.byIdStmt.get(id)!));
  }

  /**
   * The index scan of a query's lead word; each other word must occur in the row's sort key (a coarse filter in
   * SQL, so rows that cannot match are never materialized; nameScore decides).
   */
  private scanStmt(others: number): Statement<Record<string, unknown>, ScanRow> {
    let stmt = this.scanStmts.get(others);
    if (!stmt) {
      const filters = Array.from({ length: others }, (_, i) => ` AND instr(sort_key, @o${i}) > 0`).join('');
      stmt = this.db
        .prepare<Record<string, unknown>, ScanRow>(
          `SELECT term, field, patient_id, sort_key FROM patient_terms
           WHERE term >= @w AND term < @h${filters} ORDER BY term, sort_key LIMIT @cap`,
        )
        .raw(true);
      this.scanStmts.set(others, stmt);
    }
    return stmt;
  }

  /** Remove a record the server deleted (sync), with its lookup terms. */
  delete(id: string): void {
    const before = this.byIdStmt.get(id);
    if (before) this.deleteTerms(toRecord(before));
    this.deleteStmt.run(id);
  }
}

/** The fields patient_terms is made from are the same (termsOf, sortKeyOf). */
const sameTerms = (a: PatientRecord, b: PatientRecord): boolean =>
  a.givenName === b.givenName &&
  a.familyName === b.familyName &&
  a.birthDate === b.birthDate &&
  a.phone === b.phone &&
  a.mrn === b.mrn;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
