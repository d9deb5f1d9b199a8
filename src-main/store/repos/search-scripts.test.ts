/**
 * Issue 14, reproduction + deliverable 6: search in every script, on a real encrypted store. Each sample is
 * stored in one form and searched in another case / accent / width form of one of its words (expected values
 * written by hand). Before the fix the index folded Latin only (FTS5 unicode61) and a run of Chinese or
 * Japanese text was one token.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { makeTestStore } from '../../../tests/helpers/sync-store';
import { tempDir } from '../../../tests/helpers/tmp';
import { openDatabase } from '../open';
import { Store } from '../store';

let store: Store;
let dispose: () => void;

beforeEach(() => {
  ({ store, dispose } = makeTestStore('clinic-store-'));
  store.patients.upsert(patientFixture());
});
afterEach(() => dispose());

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();
const search = (text: string) =>
  store.threads.page({ staffId: 'me', queue: 'all', offset: 0, limit: 50, search: text });
const found = (text: string) => search(text).rows.map((r) => r.id);

/** [script, stored message, search as typed, the word's form in the stored text (for the snippet)] */
const SAMPLES: [string, string, string, string][] = [
  [
    'Latin (sharp s, diacritics)',
    'Meine Adresse ist jetzt Hauptstraße 5, Köln.',
    'HAUPTSTRASSE',
    'Hauptstraße',
  ],
  ['Turkish dotless ı', 'Dün akşam ılık su içtim ama ateşim düşmedi.', 'ILIK', 'ılık'],
  ['Turkish dotted İ', 'İLAÇ işe yaramadı, başım hâlâ ağrıyor.', 'ilac', 'İLAÇ'],
  ['Cyrillic ё', 'Болит голова, и ещё тошнит с утра.', 'ЕЩЕ', 'ещё'],
  ['Greek tonos + final sigma', 'Έχω έντονο πονοκέφαλος από χθες.', 'ΠΟΝΟΚΕΦΑΛΟΣ', 'πονοκέφαλος'],
  ['Arabic harakat', 'عِنْدِي صُدَاعٌ شَدِيدٌ مُنْذُ أَمْسِ', 'صداع', 'صُدَاعٌ'],
  ['Hebrew niqqud', 'יֵשׁ לִי כְּאֵב רֹאשׁ חָזָק', 'כאב', 'כְּאֵב'],
  ['Devanagari nukta (precomposed)', 'मुझे दवा की \u095Bरूरत है', 'जरूरत', '\u095Bरूरत'],
  ['Chinese word inside a run', '我今天头痛得很厉害', '头痛', '头痛'],
  ['Japanese word inside a run', '昨日から頭が痛いです', '痛い', '痛い'],
  ['Japanese half-width katakana', 'クスリを飲みました', 'ｸｽﾘ', 'クスリ'],
  ['Korean word with a particle', '어제부터 머리가 아파요', '머리', '머리'],
  ['Thai word inside a run (tone and vowel marks)', 'ฉันปวดหัวมากตั้งแต่เมื่อวาน', 'ปวดหัว', 'ปวดหัว'],
];

describe('search in every script (issue 14)', () => {
  beforeEach(() => {
    store.transaction(() =>
      SAMPLES.forEach(([, body], i) => {
        store.threads.upsert(threadFixture({ id: `t${i}`, lastMessageAt: at(i), updatedAt: at(i) }));
        store.messages.upsert(messageFixture({ id: `m${i}`, threadId: `t${i}`, body, sentAt: at(i) }));
      }),
    );
  });

  it.each(SAMPLES.map((s, i) => [...s, i] as const))(
    '%s: "%s" is found by "%s"',
    (_script, _body, query, word, i) => {
      const result = search(query);
      expect(result.rows.map((r) => r.id)).toEqual([`t${i}`]);
      expect(result.total).toBe(1);
      expect(result.rows[0]!.snippet).toContain(`\uE000${word}\uE001`);
    },
  );

  it('finds a Chinese or Japanese word of one character, and several words of a run in any order', () => {
    expect(found('痛')).toEqual(['t9', 't8']);
    expect(found('厉害 我')).toEqual(['t8']);
    expect(found('头疼')).toEqual([]);
  });

  it('finds Latin words and CJK words mixed in one message and one search', () => {
    store.threads.upsert(threadFixture({ id: 'mix', lastMessageAt: at(30), updatedAt: at(30) }));
    store.messages.upsert(
      messageFixture({ id: 'mm', threadId: 'mix', body: 'MRI検査の結果はいつですか', sentAt: at(30) }),
    );
    expect(found('mri 結果')).toEqual(['mix']);
    expect(found('検査')).toEqual(['mix']);
  });

  it('treats template and query syntax in a search as text', () => {
    expect(found('"ещё" OR NEAR(')).toEqual([]);
    expect(found('(ЕЩЁ)*')).toEqual(['t3']);
    expect(found('{ещё}: ^"')).toEqual(['t3']);
    expect(found('{{ещё}} ${x}')).toEqual(['t3']);
  });
});

describe('migration 6 (search in every script)', () => {
  it('rebuilds the existing index: messages indexed before the upgrade are found in every script', () => {
    const tmp = tempDir();
    try {
      const key = crypto.randomBytes(32).toString('hex');
      // Version 4, written as that release wrote it: the thread keyed and indexed by the old tokenizer (which
      // kept "我今天头痛" as one token). The Store of this release cannot run on version 4, so plain SQL.
      const old = openDatabase(tmp.dir, key, { upTo: 4 });
      const p = patientFixture();
      old.db
        .prepare(
          `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version) VALUES (?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(p.id, p.mrn, p.givenName, p.familyName, p.birthDate, p.phone);
      old.db
        .prepare(
          `INSERT INTO threads (id, patient_id, subject, status, priority, created_at, updated_at, last_message_at,
             version) VALUES ('a', ?, 'Headache', 'new', 'routine', ?, ?, ?, 1)`,
        )
        .run(p.id, at(1), at(1), at(1));
      const body = 'Болит голова, 我今天头痛';
      old.db
        .prepare(
          `INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version)
           VALUES ('m', 'a', 'patient', ?, ?, ?, 1)`,
        )
        .run(p.id, body, at(1));
      // An open thread's key: (1 << 42) | (unix seconds of its last message << 9) (repos/search-index.ts).
      const searchKey = 2 ** 42 + (Date.parse(at(1)) / 1000) * 512;
      old.db.prepare(`INSERT INTO search_keys (thread_id, key) VALUES ('a', ?)`).run(searchKey);
      old.db.exec('DELETE FROM search_dirty');
      old.db
        .prepare(
          `INSERT INTO messages_fts (rowid, body, tags) VALUES (? << 20, ?, 'stnew prroutine asnone pvnone')`,
        )
        .run(searchKey, body);
      expect(
        old.db.prepare(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH '"头痛"*'`).get(),
      ).toEqual({
        n: 0,
      });
      old.db.close();

      const { db, file, migratedFrom } = openDatabase(tmp.dir, key);
      expect(migratedFrom).toBe(4);
      const upgraded = new Store(db, file);
      try {
        // Rebuilt by the migration itself, not left for a later refresh.
        expect(db.prepare('SELECT count(*) AS n FROM search_dirty').get()).toEqual({ n: 0 });
        const q = (search: string) =>
          upgraded.threads
            .page({ staffId: 'me', queue: 'all', offset: 0, limit: 50, search })
            .rows.map((r) => r.id);
        expect(q('БОЛИТ')).toEqual(['a']);
        expect(q('头痛')).toEqual(['a']);
        expect(q('голову')).toEqual([]);
      } finally {
        upgraded.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
