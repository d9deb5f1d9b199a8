/**
 * The inbox's maintained state (migration 3) on a real encrypted store: queue totals and unread counts kept by
 * triggers, and the thread-keyed search index kept up to date through inserts, updates and deletes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThreadRecord } from '../../../src-shared/domain';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { makeTestStore } from '../../../tests/helpers/sync-store';
import type { Store } from '../store';
import { parseSearch, snippetOf } from '../../../src-shared/search-text';
import type { InboxQuery } from './threads';

let store: Store;
let dispose: () => void;

beforeEach(() => {
  ({ store, dispose } = makeTestStore('clinic-store-'));
  store.patients.upsert(patientFixture());
});
afterEach(() => dispose());

// The recency order of each queue (issue 14a made priority the default order; tests/integration/triage-order).
const base = { staffId: 'me', offset: 0, limit: 50, sort: 'received' } as const;
const page = (q: Partial<InboxQuery> & Pick<InboxQuery, 'queue'>) => store.threads.page({ ...base, ...q });
const ids = (q: Partial<InboxQuery> & Pick<InboxQuery, 'queue'>) => page(q).rows.map((r) => r.id);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();

function thread(id: string, minute: number, over: Partial<ThreadRecord> = {}): ThreadRecord {
  const t = threadFixture({ id, lastMessageAt: at(minute), updatedAt: at(minute), ...over });
  store.threads.upsert(t);
  return t;
}
function message(id: string, threadId: string, body: string, minute = 0): void {
  store.messages.upsert(messageFixture({ id, threadId, body, sentAt: at(minute) }));
}

describe('queue totals and unread counts', () => {
  it('follow inserts, updates and deletes of threads', () => {
    const a = thread('a', 1);
    thread('b', 2, { assigneeId: 'me', priority: 'urgent' });
    thread('c', 3, { status: 'done' });
    expect(page({ queue: 'all' }).total).toBe(2);
    expect(page({ queue: 'unassigned' }).total).toBe(1);
    expect(page({ queue: 'closed' }).total).toBe(1);

    store.threads.update({ ...a, assigneeId: 'me', priority: 'stat' });
    expect(page({ queue: 'mine' }).total).toBe(2);
    expect(page({ queue: 'unassigned' }).total).toBe(0);
    expect(page({ queue: 'urgent' }).total).toBe(2);
    expect(page({ queue: 'all', priority: 'stat' }).total).toBe(1);

    store.threads.update({ ...a, assigneeId: 'me', priority: 'stat', status: 'done' });
    expect(page({ queue: 'all' }).total).toBe(1);
    expect(page({ queue: 'closed' }).total).toBe(2);

    store.threads.delete('c');
    expect(page({ queue: 'closed' }).total).toBe(1);
    // A re-pulled, unchanged record counts once.
    thread('b', 2, { assigneeId: 'me', priority: 'urgent' });
    expect(page({ queue: 'mine' }).total).toBe(1);
  });

  it('count provider and status filters, and dates by counting', () => {
    thread('a', 1, { providerId: 'prv-1' });
    thread('b', 2, { providerId: 'prv-1', status: 'in_progress' });
    thread('c', 30, { providerId: 'prv-2' });
    expect(page({ queue: 'all', providerId: 'prv-1' }).total).toBe(2);
    expect(page({ queue: 'all', providerId: 'prv-1', status: 'new' }).total).toBe(1);
    expect(page({ queue: 'all', since: at(10) })).toMatchObject({ total: 1 });
    expect(ids({ queue: 'all', since: at(10) })).toEqual(['c']);
  });

  it('unread counts follow opening a thread and new activity in it', () => {
    const a = thread('a', 1);
    thread('b', 2, { assigneeId: 'me' });
    expect(store.threads.unreadCounts('me')).toEqual({
      unassigned: 1,
      mine: 1,
      urgent: 0,
      all: 2,
      closed: 0,
    });
    store.threads.markSeen('a', at(5));
    expect(store.threads.unreadCounts('me')).toMatchObject({ unassigned: 0, all: 1 });
    store.threads.update({ ...a, lastMessageAt: at(6) });
    expect(store.threads.unreadCounts('me')).toMatchObject({ unassigned: 1, all: 2 });
  });

  it('pages by offset in activity order, ties by id', () => {
    for (let i = 0; i < 7; i++) thread(`t${i}`, i % 3);
    const all = ids({ queue: 'all' });
    expect(all).toEqual(['t2', 't5', 't1', 't4', 't0', 't3', 't6']);
    expect([...ids({ queue: 'all', limit: 3 }), ...ids({ queue: 'all', offset: 3, limit: 10 })]).toEqual(all);
  });
});

describe('search index', () => {
  it('lists matching threads newest first and counts threads, not messages', () => {
    thread('old', 1);
    thread('new', 9);
    message('m1', 'old', 'knee pain');
    message('m2', 'old', 'knee again');
    message('m3', 'new', 'my knee');
    const result = page({ queue: 'all', search: 'knee' });
    expect(result.rows.map((r) => r.id)).toEqual(['new', 'old']);
    expect(result.total).toBe(2);
  });

  it('matches every word within one message, as before', () => {
    thread('a', 1);
    message('m1', 'a', 'blood test');
    message('m2', 'a', 'high pressure');
    expect(page({ queue: 'all', search: 'blood pressure' }).total).toBe(0);
    message('m3', 'a', 'blood pressure tablets');
    expect(page({ queue: 'all', search: 'blood pressure' }).total).toBe(1);
  });

  it('applies queues and filters, and follows changes to the thread', () => {
    const a = thread('a', 1, { providerId: 'prv-1' });
    thread('b', 2, { status: 'done' });
    message('m1', 'a', 'rash on my arm');
    message('m2', 'b', 'rash is gone');
    expect(ids({ queue: 'all', search: 'rash' })).toEqual(['a']);
    expect(ids({ queue: 'closed', search: 'rash' })).toEqual(['b']);
    expect(ids({ queue: 'unassigned', search: 'rash' })).toEqual(['a']);
    expect(ids({ queue: 'mine', search: 'rash' })).toEqual([]);
    expect(ids({ queue: 'all', search: 'rash', providerId: 'prv-1' })).toEqual(['a']);
    expect(ids({ queue: 'all', search: 'rash', providerId: 'prv-2' })).toEqual([]);

    store.threads.update({ ...a, assigneeId: 'me', priority: 'asap' });
    expect(ids({ queue: 'mine', search: 'rash' })).toEqual(['a']);
    expect(ids({ queue: 'urgent', search: 'rash' })).toEqual(['a']);
    expect(ids({ queue: 'all', search: 'rash', priority: 'asap' })).toEqual(['a']);
    expect(ids({ queue: 'unassigned', search: 'rash' })).toEqual([]);

    store.threads.update({ ...a, assigneeId: 'me', priority: 'asap', status: 'done' });
    expect(ids({ queue: 'all', search: 'rash' })).toEqual([]);
    expect(ids({ queue: 'closed', search: 'rash' })).toEqual(['b', 'a']);
    expect(ids({ queue: 'closed', search: 'rash', status: 'done', since: at(2) })).toEqual(['b']);
  });

  it('follows new, edited and deleted messages and deleted threads', () => {
    thread('a', 1);
    message('m1', 'a', 'fever since monday');
    expect(page({ queue: 'all', search: 'cough' }).total).toBe(0);
    message('m2', 'a', 'and a cough');
    expect(page({ queue: 'all', search: 'cough' }).total).toBe(1);
    store.messages.upsert(messageFixture({ id: 'm2', threadId: 'a', body: 'and a sore throat', version: 2 }));
    expect(page({ queue: 'all', search: 'cough' }).total).toBe(0);
    expect(page({ queue: 'all', search: 'throat' }).total).toBe(1);
    store.messages.delete('m1');
    expect(page({ queue: 'all', search: 'fever' }).total).toBe(0);
    store.threads.delete('a');
    expect(page({ queue: 'all', search: 'throat' }).total).toBe(0);
  });

  it('finds a message that arrived before its thread once the thread is there', () => {
    message('m1', 'late', 'palpitations at night');
    expect(page({ queue: 'all', search: 'palpitations' }).total).toBe(0);
    thread('late', 4);
    expect(ids({ queue: 'all', search: 'palpitations' })).toEqual(['late']);
  });

  it('defers a refresh below the threshold, and a search still sees every change', () => {
    thread('a', 1);
    message('m1', 'a', 'wheezing at night');
    store.threads.refreshSearch(10);
    const dirty = () => (store.db.prepare('SELECT count(*) AS n FROM search_dirty').get() as { n: number }).n;
    expect(dirty()).toBe(1);
    expect(ids({ queue: 'all', search: 'wheezing' })).toEqual(['a']);
    expect(dirty()).toBe(0);
  });

  it('keeps every thread when more than 512 share the same second of last activity', () => {
    store.transaction(() => {
      for (let i = 0; i < 600; i++) {
        thread(`s${String(i).padStart(3, '0')}`, 7);
        message(`sm${i}`, `s${String(i).padStart(3, '0')}`, 'same second');
      }
      thread('later', 8);
      message('lm', 'later', 'same second later');
    });
    const result = page({ queue: 'all', search: 'same second', limit: 200 });
    expect(result.total).toBe(601);
    expect(result.rows[0]!.id).toBe('later');
    const seen = new Set<string>();
    for (let offset = 0; offset < 601; offset += 200) {
      for (const r of page({ queue: 'all', search: 'same second', offset, limit: 200 }).rows) seen.add(r.id);
    }
    expect(seen.size).toBe(601);
  });
});

/** The hit marks of a snippet (U+E000 / U+E001), written here by hand. */
const O = '\uE000';
const C = '\uE001';
/** snippetOf for a search as typed. */
const snippet = (bodies: string[], search: string) => snippetOf(bodies, parseSearch(search).highlights);

describe('snippetOf', () => {
  it('marks prefix matches, folds case and accents, and cuts with ellipses', () => {
    expect(snippet(['Mein Knie tut weh'], 'knie')).toBe(`Mein ${O}Knie${C} tut weh`);
    expect(snippet(['Café au lait'], 'cafe')).toBe(`${O}Café${C} au lait`);
    const long =
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen dizzy sixteen.';
    expect(snippet([long], 'dizzy')).toMatch(/^….*\uE000dizzy\uE001.*$/);
    expect(snippet(['no match here'], 'xyz')).toBeNull();
  });

  it('marks only hits: brackets in a message are its text, and stray mark code points are dropped', () => {
    expect(snippet(['Results from the [lab] are in'], 'results')).toBe(
      `${O}Results${C} from the [lab] are in`,
    );
    expect(snippet(['see [lab] report'], 'lab')).toBe(`see [${O}lab${C}] report`);
    expect(snippet([`odd ${O}text${C} here`], 'here')).toBe(`odd text ${O}here${C}`);
  });

  it('picks a message that has every word', () => {
    expect(snippet(['blood test', 'blood pressure is high'], 'blood pressure')).toBe(
      `${O}blood${C} ${O}pressure${C} is high`,
    );
  });
});

describe('snippetOf in every script', () => {
  it('marks a word in its stored form, and a CJK word inside a run as one mark', () => {
    expect(snippet(['Έχω πονοκέφαλο από χθες'], 'ΧΘΕΣ')).toBe(`Έχω πονοκέφαλο από ${O}χθες${C}`);
    expect(snippet(['我今天头痛得很厉害'], '头痛')).toBe(`我今天${O}头痛${C}得很厉害`);
    expect(snippet(['MRI検査の結果'], 'mri 結果')).toBe(`${O}MRI${C}検査の${O}結果${C}`);
    expect(snippet(['ｸｽﾘを飲みました'], 'クスリ')).toBe(`${O}ｸｽﾘ${C}を飲みました`);
    // Every bigram is there but not the run: listed by the index, no snippet.
    expect(snippet(['头痛 痛得'], '头痛得')).toBeNull();
  });

  it('does not mark two-letter words as prefixes, and skips one-letter words', () => {
    expect(snippet(['BP is high, bpm normal'], 'bp')).toBe(`${O}BP${C} is high, bpm normal`);
    expect(snippet(['I feel ill'], 'i ill')).toBe(`I feel ${O}ill${C}`);
  });
});

// Session 5, 16r (issue 16 §4): a first page in the default priority order is cut from an index in that order for
// the queues a desk switches between, never by sorting the whole queue (154 ms for "mine" at 100k threads).
describe('first pages in priority order', () => {
  it('walk an index in triage order for all, mine, unassigned and urgent (no sort of the queue)', () => {
    thread('a', 1, { assigneeId: 'me', priority: 'stat' });
    thread('b', 2);
    const prepared: string[] = [];
    const prepare = store.db.prepare.bind(store.db);
    const spy = vi.spyOn(store.db, 'prepare').mockImplementation(((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof store.db.prepare);
    try {
      for (const queue of ['all', 'mine', 'unassigned', 'urgent'] as const) {
        prepared.length = 0;
        expect(page({ queue, sort: 'priority' }).rows.length).toBeGreaterThan(0);
        const sql = prepared.find((s) => s.includes(') page'));
        expect(sql, queue).toBeDefined();
        const params = queue === 'mine' ? { staffId: 'me', limit: 50, offset: 0 } : { limit: 50, offset: 0 };
        const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map(
          (r) => r.detail,
        );
        // The inner query (before "SCAN page") reads the index in order: no temporary sort there.
        const inner = plan.slice(0, plan.indexOf('SCAN page'));
        expect(inner.join(' | '), queue).toMatch(/threads_q_(assignee_)?triage/);
        expect(inner.join(' | '), queue).not.toContain('TEMP B-TREE');
      }
    } finally {
      spy.mockRestore();
    }
  });
});
