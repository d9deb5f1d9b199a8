/**
 * Issue 14 §6 / issue 16 §4: a search counts matching threads up to 1,000 ("1,000+"), pages past that, completes
 * prefixes from the vocabulary, and a receptionist's search filters administrative pools inside the index (a
 * clinical body never counts). Real encrypted store; every expected value below is written out by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { makeTestStore, openStoreAt, randomKeyHex } from '../../../tests/helpers/sync-store';
import { tempDir } from '../../../tests/helpers/tmp';
import { openDatabase } from '../open';
import { DEFAULT_SLA } from '../../../src-shared/triage';
import type { Store } from '../store';
import { ftsQueryOf } from './threads';

let store: Store;
let dispose: () => void;

const pad = (i: number) => String(i).padStart(4, '0');
/** Thread i's last activity: one minute after thread i-1's, so newest first is i descending. */
const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
const pool = (id: string, kind: 'clinical' | 'administrative', version = 1) =>
  store.pools.upsert({ id, name: id, kind, topics: [], sla: DEFAULT_SLA, version });

beforeAll(() => {
  ({ store, dispose } = makeTestStore('clinic-search-cap-'));
  store.transaction(() => {
    store.patients.upsert(patientFixture());
    pool('clinical', 'clinical');
    pool('front-desk', 'administrative');
    // 1,003 clinical threads t-0000..t-1002: "ankle" in all, "hip" in t-0000..t-1000 (1,001), "wrist" in
    // t-0000..t-0999 (1,000), "invoice" in all.
    for (let i = 0; i < 1003; i++) {
      const id = `t-${pad(i)}`;
      store.threads.upsert(threadFixture({ id, lastMessageAt: at(i), poolId: 'clinical' }));
      const words = ['Ankle', i <= 1000 ? 'hip' : '', i <= 999 ? 'wrist' : '', 'invoice'].join(' ');
      store.messages.upsert(messageFixture({ id: `m-${pad(i)}`, threadId: id, body: words, sentAt: at(i) }));
    }
    // Three administrative threads, newest of all.
    for (let i = 1; i <= 3; i++) {
      const id = `a-${i}`;
      store.threads.upsert(threadFixture({ id, lastMessageAt: at(2000 + i), poolId: 'front-desk' }));
      store.messages.upsert(
        messageFixture({
          id: `ma-${i}`,
          threadId: id,
          body: 'Question about my invoice',
          sentAt: at(2000 + i),
        }),
      );
    }
    // Three older threads whose words share beginnings: "sprain…" and "knuck…" complete to three words each.
    for (const [i, body] of ['sprained knuckle', 'sprains knuckles', 'sprainy knucklebone'].entries()) {
      const id = `x-${i + 1}`;
      store.threads.upsert(threadFixture({ id, lastMessageAt: at(-10 - i), poolId: 'clinical' }));
      store.messages.upsert(messageFixture({ id: `mx-${i}`, threadId: id, body, sentAt: at(-10 - i) }));
    }
    // 20 words starting with "pre", one thread each (more completions than are ORed: FTS5's prefix query).
    for (let i = 0; i < 20; i++) {
      const id = `p-${pad(i)}`;
      const word = `pre${String.fromCharCode(97 + i)}x`;
      store.threads.upsert(threadFixture({ id, lastMessageAt: at(3000 + i), poolId: 'clinical' }));
      store.messages.upsert(
        messageFixture({ id: `mp-${i}`, threadId: id, body: word, sentAt: at(3000 + i) }),
      );
    }
  });
});
afterAll(() => dispose());

const base = { queue: 'all', staffId: 'me', offset: 0, limit: 50 } as const;
const search = (text: string, over: { offset?: number; limit?: number; receptionist?: boolean } = {}) => {
  const page = store.threads.page({
    ...base,
    search: text,
    offset: over.offset ?? 0,
    limit: over.limit ?? 50,
    ...(over.receptionist ? { administrativeOnly: true } : {}),
  });
  return { ids: page.rows.map((r) => r.id), total: page.total, lowerBound: page.totalIsLowerBound === true };
};

describe('search totals: counted up to 1,000', () => {
  it('says "at least 1,000" when more than 1,000 threads match', () => {
    const r = search('ankle');
    expect(r.total).toBe(1000);
    expect(r.lowerBound).toBe(true);
    expect(r.ids.slice(0, 3)).toEqual(['t-1002', 't-1001', 't-1000']);
    expect(r.ids).toHaveLength(50);
    expect(search('hip')).toMatchObject({ total: 1000, lowerBound: true });
  });

  it('is exact up to and including 1,000 matching threads', () => {
    expect(search('wrist')).toMatchObject({ total: 1000, lowerBound: false });
    expect(search('question')).toEqual({ ids: ['a-3', 'a-2', 'a-1'], total: 3, lowerBound: false });
    expect(search('xylophone')).toEqual({ ids: [], total: 0, lowerBound: false });
  });

  it('pages past the cap, counting up to the end of the page asked for', () => {
    expect(search('ankle', { offset: 1000, limit: 50 })).toEqual({
      ids: ['t-0002', 't-0001', 't-0000'],
      total: 1003,
      lowerBound: false,
    });
    expect(search('ankle', { offset: 990, limit: 20 })).toMatchObject({ total: 1003, lowerBound: false });
    expect(search('ankle', { offset: 990, limit: 20 }).ids).toHaveLength(13);
    const middle = search('ankle', { offset: 900, limit: 50 });
    expect(middle).toMatchObject({ total: 1000, lowerBound: true });
    expect(middle.ids[0]).toBe('t-0102');
    expect(middle.ids[49]).toBe('t-0053');
    // "hip": 1,001 threads; a page ending at 1,000 does not know about the 1,001st.
    expect(search('hip', { offset: 950, limit: 50 })).toMatchObject({ total: 1000, lowerBound: true });
    expect(search('hip', { offset: 950, limit: 100 })).toMatchObject({ total: 1001, lowerBound: false });
  });
});

describe("a receptionist's search: administrative pools only, inside the index", () => {
  it('never counts a clinical body', () => {
    expect(search('invoice')).toMatchObject({ total: 1000, lowerBound: true });
    expect(search('invoice', { receptionist: true })).toEqual({
      ids: ['a-3', 'a-2', 'a-1'],
      total: 3,
      lowerBound: false,
    });
    expect(search('ankle', { receptionist: true })).toEqual({ ids: [], total: 0, lowerBound: false });
    expect(search('invo', { receptionist: true }).total).toBe(3);
  });

  it('follows a thread moved to an administrative pool, a pool arriving late, and a pool changing kind', () => {
    const { store: s, dispose: done } = makeTestStore('clinic-search-pools-');
    try {
      s.transaction(() => {
        s.patients.upsert(patientFixture());
        s.pools.upsert({
          id: 'clinical',
          name: 'C',
          kind: 'clinical',
          topics: [],
          sla: DEFAULT_SLA,
          version: 1,
        });
        s.pools.upsert({
          id: 'desk',
          name: 'D',
          kind: 'administrative',
          topics: [],
          sla: DEFAULT_SLA,
          version: 1,
        });
        for (const [id, poolId, i] of [
          ['c-1', 'clinical', 1],
          ['c-2', 'clinical', 2],
          ['l-1', 'late', 3],
        ] as const) {
          s.threads.upsert(threadFixture({ id, poolId, lastMessageAt: at(i) }));
          s.messages.upsert(
            messageFixture({ id: `m-${id}`, threadId: id, body: 'parking fee', sentAt: at(i) }),
          );
        }
      });
      const desk = () =>
        s.threads.page({ ...base, search: 'parking', administrativeOnly: true }).rows.map((r) => r.id);
      expect(desk()).toEqual([]);
      const c1 = s.threads.byId('c-1')!;
      s.threads.update({ ...c1, poolId: 'desk', version: 2 });
      expect(desk()).toEqual(['c-1']);
      s.pools.upsert({
        id: 'late',
        name: 'L',
        kind: 'administrative',
        topics: [],
        sla: DEFAULT_SLA,
        version: 1,
      });
      expect(desk()).toEqual(['l-1', 'c-1']);
      s.pools.upsert({
        id: 'clinical',
        name: 'C',
        kind: 'administrative',
        topics: [],
        sla: DEFAULT_SLA,
        version: 2,
      });
      expect(desk()).toEqual(['l-1', 'c-2', 'c-1']);
      // A search in one pool's queue lists that pool's threads only.
      expect(s.threads.page({ ...base, search: 'parking', poolId: 'late' }).rows.map((r) => r.id)).toEqual([
        'l-1',
      ]);
    } finally {
      done();
    }
  });
});

describe('prefixes completed from the vocabulary', () => {
  it('finds words by their beginning, folded, and nothing for a beginning no word has', () => {
    expect(search('ANK')).toMatchObject({ total: 1000, lowerBound: true });
    expect(search('Ánkl').ids[0]).toBe('t-1002');
    expect(search('wri')).toMatchObject({ total: 1000, lowerBound: false });
    expect(search('zzq')).toEqual({ ids: [], total: 0, lowerBound: false });
    expect(search('ankle zzq')).toEqual({ ids: [], total: 0, lowerBound: false });
  });

  it('finds threads by several words that each complete to several', () => {
    expect(search('sprain knuck')).toEqual({ ids: ['x-1', 'x-2', 'x-3'], total: 3, lowerBound: false });
    expect(search('KNUCK sprai')).toEqual({ ids: ['x-1', 'x-2', 'x-3'], total: 3, lowerBound: false });
    expect(search('sprains knuckles')).toEqual({ ids: ['x-2'], total: 1, lowerBound: false });
    expect(search('sprain knuckleb')).toEqual({ ids: ['x-3'], total: 1, lowerBound: false });
  });

  it('a prefix with more completions than are ORed still finds every thread', () => {
    expect(search('pre').total).toBe(20);
    expect(search('prea').ids).toEqual(['p-0000']);
    expect(search('pret')).toEqual({ ids: ['p-0019'], total: 1, lowerBound: false });
  });

  it('writes a completed prefix as an OR of quoted words', () => {
    const complete = (p: string) => (p === 'the' ? ['the', 'them'] : p === 'kne' ? ['knee'] : null);
    expect(ftsQueryOf('the kne', complete)).toBe('{body} : (("the" OR "them") AND "knee")');
    expect(ftsQueryOf('the hea', complete)).toBe('{body} : (("the" OR "them") AND "hea"*)');
    expect(ftsQueryOf('the zzz', (p) => (p === 'zzz' ? [] : ['the']))).toBe('none');
  });
});

describe('migration 16 (search vocabulary, pool tags)', () => {
  it("an index written before the upgrade completes prefixes and serves a receptionist's search", () => {
    const { dir, cleanup } = tempDir('clinic-search-upgrade-');
    const key = randomKeyHex();
    // A store of the previous version, its rows and search index written as that version wrote them.
    const old = openDatabase(dir, key, { upTo: 13 }).db;
    old.exec(`
      INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
        VALUES ('pat-1', 'MRN1', 'Ada', 'Byron', '1961-04-12', NULL, 1);
      INSERT INTO pools (id, name, kind, topics, sla, version) VALUES
        ('clinical', 'Clinical', 'clinical', '[]', '${JSON.stringify(DEFAULT_SLA)}', 1),
        ('desk', 'Desk', 'administrative', '[]', '${JSON.stringify(DEFAULT_SLA)}', 1);
      INSERT INTO threads (id, patient_id, subject, status, priority, assignee_id, provider_id, created_at,
          updated_at, last_message_at, due_at, version, topic, pool_id) VALUES
        ('c-1', 'pat-1', 'S', 'new', 'routine', NULL, NULL, '${at(1)}', '${at(1)}', '${at(1)}', NULL, 1, NULL, 'clinical'),
        ('d-1', 'pat-1', 'S', 'new', 'routine', NULL, NULL, '${at(2)}', '${at(2)}', '${at(2)}', NULL, 1, NULL, 'desk');
      INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version) VALUES
        ('m-c', 'c-1', 'patient', 'pat-1', 'Parking permit for my knee', '${at(1)}', 1),
        ('m-d', 'd-1', 'patient', 'pat-1', 'Parking permit renewal', '${at(2)}', 1);
      INSERT INTO search_keys (thread_id, key) VALUES ('c-1', ${2 ** 42 + 100}), ('d-1', ${2 ** 42 + 200});
      INSERT INTO messages_fts (rowid, body, grams, tags) VALUES
        (${(2 ** 42 + 100) * 2 ** 20}, 'parking permit for my knee', '', 'stnew prroutine asnone pvnone'),
        (${(2 ** 42 + 200) * 2 ** 20}, 'parking permit renewal', '', 'stnew prroutine asnone pvnone');
      DELETE FROM search_dirty;
    `);
    old.close();
    const upgraded = openStoreAt(dir, key);
    try {
      const page = (text: string, administrativeOnly = false) =>
        upgraded.threads
          .page({ ...base, search: text, ...(administrativeOnly ? { administrativeOnly } : {}) })
          .rows.map((r) => r.id);
      expect(page('PARK')).toEqual(['d-1', 'c-1']);
      expect(page('park', true)).toEqual(['d-1']);
      expect(page('kne')).toEqual(['c-1']);
      expect(page('kne', true)).toEqual([]);
      expect(
        upgraded.db.prepare("SELECT term FROM search_vocab WHERE term LIKE 'p%' ORDER BY term").pluck().all(),
      ).toEqual(['parking', 'permit']);
    } finally {
      upgraded.close();
      cleanup();
    }
  });
});
