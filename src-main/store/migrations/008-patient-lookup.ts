import { sortKeyOf, termsOf } from '../repos/patient-terms';
import type { Migration } from './types';

/**
 * Issue 13 §8 (patient lookup): `patient_terms`, the folded terms each patient is found by (name words, whole
 * name, date of birth, phone digits, MRN; src-main/store/repos/patient-terms.ts), kept by PatientsRepo on every
 * upsert and delete. Prefix lookups are range scans of the primary key, in (term, name) order: a one-word lookup
 * reads its best answers first and stops.
 * Existing patients are indexed here.
 */
export const patientLookup: Migration = {
  version: 8,
  name: 'patient lookup terms',
  up: (db) => {
    db.exec(`
      CREATE TABLE patient_terms (
        term TEXT NOT NULL,
        field INTEGER NOT NULL,
        patient_id TEXT NOT NULL,
        -- folded "family<U+0001>given": ranks equal matches and checks a query's other words without a join
        sort_key TEXT NOT NULL,
        PRIMARY KEY (term, sort_key, field, patient_id)
      ) STRICT, WITHOUT ROWID;
    `);
    const insert = db.prepare(
      'INSERT OR IGNORE INTO patient_terms (term, field, patient_id, sort_key) VALUES (?, ?, ?, ?)',
    );
    const rows = db
      .prepare('SELECT id, mrn, given_name, family_name, birth_date, phone FROM patients')
      .all() as {
      id: string;
      mrn: string;
      given_name: string;
      family_name: string;
      birth_date: string;
      phone: string | null;
    }[];
    for (const r of rows) {
      const key = sortKeyOf({ givenName: r.given_name, familyName: r.family_name });
      for (const t of termsOf({
        givenName: r.given_name,
        familyName: r.family_name,
        birthDate: r.birth_date,
        phone: r.phone,
        mrn: r.mrn,
      }))
        insert.run(t.term, t.field, r.id, key);
    }
  },
};
