/**
 * Patient lookup (issue 13 §8) on a real SQLCipher store: the reproductions ("Kai Nguyen", "Nguyen, Kai",
 * a date of birth, "Muller" for Müller, öztürk/ÖZTÜRK for Öztürk) and the whole kind of fault: names in several
 * scripts, dates of birth in common formats, phone numbers as typed, MRNs, ranking best first, renames and
 * deletes kept in the index, an upgraded store indexed, and hostile input. Expected results are written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src-shared/domain';
import { openDatabase } from '../store/open';
import { Store } from '../store/store';
import { datesOf, foldName } from '../store/repos/patient-terms';
import { makeTestStore, randomKeyHex, type TestStore } from '../../tests/helpers/sync-store';
import { tempDir } from '../../tests/helpers/tmp';

const NOW = Date.UTC(2026, 10, 23);
let n = 0;
const patient = (
  givenName: string,
  familyName: string,
  birthDate = '1970-01-01',
  phone: string | null = null,
): PatientRecord => {
  n++;
  return {
    id: `pat-t${String(n).padStart(3, '0')}`,
    mrn: `MRN9${String(n).padStart(6, '0')}`,
    givenName,
    familyName,
    birthDate,
    phone,
    version: 1,
  };
};

const PEOPLE = {
  kai: patient('Kai', 'Nguyen', '1985-04-12', '+1-555-010-1234'),
  anna: patient('Anna', 'Nguyen', '1990-12-04'),
  kaiSmith: patient('Kai', 'Smith', '1962-07-30'),
  kaito: patient('Kaito', 'Abe', '2001-02-03'),
  nguyenKai: patient('Nguyen', 'Kai', '1977-03-15'), // a given name that is another's family name
  muller: patient('Hans', 'Müller', '1958-11-02', '+49 30 1234567'),
  mullerAscii: patient('Greta', 'Mueller', '1960-01-01'),
  ozturk: patient('Ayşe', 'Öztürk', '1979-09-09'),
  li: patient('小龙', '李', '1940-11-27'),
  lukasz: patient('Łukasz', 'Kowalski', '1988-08-08'),
  olga: patient('Ольга', 'Иванова', '1975-05-05'),
  odysseas: patient('Οδυσσέας', 'Παπαδόπουλος', '1982-02-02'),
  strasse: patient('Jonas', 'Großmann', '1999-09-19'),
  obrien: patient('Seán', "O'Brien-Walsh", '1966-06-06'),
};

let t: TestStore;
const find = (query: string, limit = 20): string[] =>
  t.store.patients.search(query, limit, NOW).map((p) => `${p.givenName} ${p.familyName}`);
const first = (query: string): string | undefined => find(query)[0];

beforeAll(() => {
  t = makeTestStore('clinic-lookup-');
  t.store.transaction(() => {
    for (const p of Object.values(PEOPLE)) t.store.patients.upsert(p);
  });
});
afterAll(() => t.dispose());

describe('fold', () => {
  it('is case- and accent-insensitive in every script, without the locale (and folds stroked letters)', () => {
    const table: [string, string][] = [
      ['Müller', 'muller'],
      ['ÖZTÜRK', 'ozturk'],
      ['öztürk', 'ozturk'],
      ['Straße', 'strasse'],
      ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
      ['Οδυσσέας', 'οδυσσεασ'],
      ['Ｋａｉ', 'kai'],
      ['İstanbul', 'istanbul'],
      ['IĞDIR', 'igdir'],
      ['Фёдор', 'федор'],
      ['Łukasz', 'lukasz'],
      ['Đorđević', 'dordevic'],
      ['Ørsted', 'orsted'],
      ['李小龙', '李小龙'],
    ];
    for (const [input, folded] of table) expect([input, foldName(input)]).toEqual([input, folded]);
  });
});

describe('patient lookup: the reproductions', () => {
  it('"Kai Nguyen" finds Kai Nguyen first', () => {
    expect(first('Kai Nguyen')).toBe('Kai Nguyen');
    // Both words must match: Kai Smith and Anna Nguyen are not Kai Nguyen.
    expect(find('Kai Nguyen')).not.toContain('Kai Smith');
    expect(find('Kai Nguyen')).not.toContain('Anna Nguyen');
  });

  it('"Nguyen, Kai" (Last, First) finds Kai Nguyen before Nguyen Kai', () => {
    expect(find('Nguyen, Kai').slice(0, 2)).toEqual(['Kai Nguyen', 'Nguyen Kai']);
    // And "First Last" ranks the other way round.
    expect(find('Nguyen Kai').slice(0, 2)).toEqual(['Nguyen Kai', 'Kai Nguyen']);
  });

  it('a date of birth in common formats', () => {
    for (const q of [
      '1985-04-12',
      '1985/04/12',
      '19850412',
      '04/12/1985',
      '12/04/1985',
      '12.04.1985',
      '4/12/85',
      '12 Apr 1985',
      '12 April 1985',
      'April 12, 1985',
      'apr 12 1985',
    ]) {
      expect([q, find(q)]).toEqual([q, ['Kai Nguyen']]);
    }
    // Ambiguous day/month: both readings (12 April and 4 December).
    expect(find('04/12/1990')).toEqual(['Anna Nguyen']);
    expect(datesOf('04/12/1990', 2026)).toEqual(['1990-04-12', '1990-12-04']);
    expect(datesOf('31/02/1990', 2026)).toEqual([]);
    expect(datesOf('03/02/40', 2026)).toEqual(['1940-03-02', '1940-02-03']);
  });

  it('"Muller" finds Müller; öztürk, ÖZTÜRK and ozturk find Öztürk', () => {
    for (const q of ['Muller', 'muller', 'MÜLLER', 'Müll'])
      expect([q, find(q)]).toEqual([q, ['Hans Müller']]);
    for (const q of ['öztürk', 'ÖZTÜRK', 'ozturk', 'Ayse Ozturk', 'AYŞE'])
      expect([q, first(q)]).toEqual([q, 'Ayşe Öztürk']);
  });
});

describe('patient lookup: the whole kind', () => {
  it('names in several scripts, whole or in part', () => {
    expect(first('李小龙')).toBe('小龙 李');
    expect(first('小龙')).toBe('小龙 李');
    expect(first('ольга иванова')).toBe('Ольга Иванова');
    expect(first('ИВАН')).toBe('Ольга Иванова');
    expect(first('Иванова, Ольга')).toBe('Ольга Иванова');
    expect(first('ΟΔΥΣΣΕΑΣ')).toBe('Οδυσσέας Παπαδόπουλος');
    expect(first('papa')).toBeUndefined(); // no transliteration across scripts
    expect(first('Lukasz Kowalski')).toBe('Łukasz Kowalski');
    expect(first('GROSSMANN')).toBe('Jonas Großmann');
    expect(first('Sean OBrien')).toBe("Seán O'Brien-Walsh");
    expect(first("o'brien walsh")).toBe("Seán O'Brien-Walsh");
    expect(first('Walsh, Sean')).toBe("Seán O'Brien-Walsh");
    expect(find('Ngu')).toEqual(['Nguyen Kai', 'Anna Nguyen', 'Kai Nguyen']);
  });

  it('ranks an exact word before a longer name it begins, then by family and given name', () => {
    // Kaito Abe sorts first by name, but "kai" is exactly Kai's name.
    expect(find('kai')).toEqual(['Nguyen Kai', 'Kai Nguyen', 'Kai Smith', 'Kaito Abe']);
  });

  it('a phone number as typed, with or without the country and area code', () => {
    for (const q of ['+1-555-010-1234', '(555) 010-1234', '5550101234', '010 1234', '0101234', '555-010'])
      expect([q, find(q)]).toEqual([q, ['Kai Nguyen']]);
    for (const q of ['+49 30 1234567', '49 30 123', '123 4567']) expect(find(q)).toEqual(['Hans Müller']);
  });

  it('an MRN, whole or by its digits, in any case', () => {
    const mrn = PEOPLE.olga.mrn;
    expect(find(mrn)).toEqual(['Ольга Иванова']);
    expect(find(mrn.toLowerCase())).toEqual(['Ольга Иванова']);
    expect(find(mrn.slice(3))).toEqual(['Ольга Иванова']);
  });

  it('keeps the index in step with renames and deletes', () => {
    const p = { ...PEOPLE.kaiSmith, familyName: 'Jørgensen', version: 2 };
    t.store.transaction(() => t.store.patients.upsert(p));
    expect(find('Kai Smith')).toEqual([]);
    expect(find('kai jorgensen')).toEqual(['Kai Jørgensen']);
    t.store.transaction(() => t.store.patients.delete(p.id));
    expect(find('jorgensen')).toEqual([]);
  });

  it('hostile or empty input finds nobody and raises nothing', () => {
    for (const q of ['%', '_', "' OR 1=1 --", '\\', ',', '  ', '\u0301', '%%%%'])
      expect([q, find(q)]).toEqual([q, []]);
    expect(find('a'.repeat(100))).toEqual([]);
    expect(find('k a i n g u y e n x y z')).toEqual([]);
    expect(find('Kai', 1)).toHaveLength(1);
  });
});

describe('patient lookup index on an upgraded store', () => {
  it('indexes the patients a store held before the upgrade', () => {
    const { dir, cleanup } = tempDir('clinic-lookup-upgrade-');
    const key = randomKeyHex();
    try {
      const old = openDatabase(dir, key, { upTo: 4 });
      const p = PEOPLE.muller;
      old.db
        .prepare(
          `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(p.id, p.mrn, p.givenName, p.familyName, p.birthDate, p.phone, p.version);
      old.db.close();
      const { db, file } = openDatabase(dir, key);
      const store = new Store(db, file);
      expect(store.patients.search('muller', 5, NOW).map((x) => x.id)).toEqual([p.id]);
      store.close();
    } finally {
      cleanup();
    }
  });
});
