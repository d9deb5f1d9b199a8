/**
 * Patient lookup terms rebuilt at the end of a bulk load (PatientsRepo.rebuildTerms; session 16: held in parallel
 * arrays and sorted as indexes) are the rows `upsert` writes one patient at a time: names in scripts without spaces
 * (the whole-name term), hyphens and apostrophes, long phone numbers (their last 10 and 7 digits), MRNs ending in
 * digits, two patients with the same name (the same terms and sort key), a character above U+FFFF. Real store.
 */
import { describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../../src-shared/domain';
import { patientFixture } from '../../../tests/helpers/fixtures';
import { useTestStore } from '../../../tests/helpers/sync-store';
import { TERM_FIELD } from './patient-terms';

const PATIENTS: PatientRecord[] = [
  patientFixture({
    id: 'pat-han',
    givenName: '小龙',
    familyName: '李',
    mrn: 'MRN-000123',
    phone: '+1 (555) 123-4567',
  }),
  patientFixture({
    id: 'pat-ob',
    givenName: 'Anne-Marie',
    familyName: "O'Brien",
    mrn: 'A-77',
    phone: '+44 20 7946 0958',
  }),
  patientFixture({
    id: 'pat-js1',
    givenName: 'Jo',
    familyName: 'Smith',
    mrn: 'MRN-5',
    birthDate: '1990-02-28',
  }),
  patientFixture({
    id: 'pat-js2',
    givenName: 'Jo',
    familyName: 'Smith',
    mrn: 'MRN-6',
    birthDate: '1990-02-28',
  }),
  patientFixture({ id: 'pat-astral', givenName: '𝒜lex', familyName: 'Núñez', mrn: 'X9', phone: '123' }),
];

const ALL_TERMS = 'SELECT term, field, patient_id, sort_key FROM patient_terms ORDER BY 1, 2, 3, 4';

describe('PatientsRepo.rebuildTerms', () => {
  const freshStore = useTestStore('clinic-terms-');

  it('writes the rows upsert writes, for every kind of term', () => {
    const t = freshStore();
    const { store } = t;
    store.db.transaction(() => {
      for (const p of PATIENTS) store.patients.upsert(p);
    })();
    const upserted = store.db.prepare(ALL_TERMS).all();
    // Written by hand: the whole name of a name without spaces, and a long phone's shorter forms.
    const termsOf = (id: string, field: number) =>
      store.db
        .prepare('SELECT term FROM patient_terms WHERE patient_id = ? AND field = ? ORDER BY term')
        .pluck()
        .all(id, field);
    expect(termsOf('pat-han', TERM_FIELD.fullName)).toEqual(['李小龙']);
    expect(termsOf('pat-ob', TERM_FIELD.phone)).toEqual(['2079460958', '442079460958', '9460958']);
    expect(termsOf('pat-js1', TERM_FIELD.given)).toEqual(['jo']);

    store.db.transaction(() => store.patients.rebuildTerms())();
    expect(store.db.prepare(ALL_TERMS).all()).toEqual(upserted);
    expect(upserted.length).toBeGreaterThan(30);
  });
});
