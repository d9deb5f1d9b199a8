/**
 * A pull page's records applied as JSON rows in SQL (pull-rows.ts, issue 16 §2, session 9): the same rows as the
 * per-record path (expected rows written by hand), the records given back whole for the per-record path, the
 * pages that must go as objects, and a page with a pending local change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change, PullResponse } from '../../src-shared/sync';
import { appointmentFixture, messageFixture, threadFixture } from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore, queueThreadChange } from '../../tests/helpers/sync-store';
import { applyPullBatch } from './apply-changes';
import { changesOfRows, pullRows, splitPullPage } from './pull-rows';

const auditRecord = {
  id: 'aud-1',
  at: '2026-11-23T10:00:00.000Z',
  staffId: null,
  role: null,
  deviceId: 'portal',
  action: 'update',
  entityType: 'thread',
  entityId: 'thr-1',
  outcome: 'success',
  fields: ['priority', 'status', 'ünit "note"'],
  actorKind: 'patient',
  version: 1,
} as const;

/** A page of every row entity, optional keys present and absent, text SQLite's JSON must give back exactly. */
const page = (): PullResponse => ({
  changes: [
    { entity: 'device', id: 'dev-9', data: { id: 'dev-9', name: 'Front desk 2', version: 1 } },
    { entity: 'thread', id: 'thr-1', data: threadFixture() },
    {
      entity: 'thread',
      id: 'thr-2',
      data: threadFixture({
        id: 'thr-2',
        subject: 'Quote " backslash \\ tab\t',
        status: 'in_progress',
        priority: 'urgent',
        assigneeId: 'stf-1',
        dueAt: '2026-11-21T09:00:00.000Z',
        topic: 'clinical-question',
        poolId: null,
        version: Number.MAX_SAFE_INTEGER,
      }),
    },
    { entity: 'message', id: 'msg-1', data: messageFixture({ body: 'Plain line.\nSecond line, «ça».' }) },
    {
      entity: 'message',
      id: 'msg-2',
      data: messageFixture({ id: 'msg-2', body: 'Emoji 😀 \u0001 字 \u2028\u2029' }),
    },
    { entity: 'appointment', id: 'apt-1', data: appointmentFixture() },
    {
      entity: 'appointment',
      id: 'apt-2',
      data: appointmentFixture({ id: 'apt-2', seriesId: 'ser-1', cancelReason: 'x', version: 2 }),
    },
    { entity: 'audit', id: 'aud-1', data: auditRecord },
    {
      entity: 'audit',
      id: 'aud-2',
      data: { ...auditRecord, id: 'aud-2', fields: [], purposeOfEvent: 'BTG', prevHash: 'p', hash: 'h' },
    },
  ] as Change[],
  cursor: '9',
  hasMore: true,
  remaining: 5,
});

/** The page as the feed hands it to the main thread: the rest, with its rows in pullRows. */
function asRows(batch: PullResponse): PullResponse {
  const split = splitPullPage(batch);
  if (!split) throw new Error('not split');
  const rest = structuredClone(split.rest);
  pullRows.set(rest, structuredClone(split.rows));
  return rest;
}

const rowsOf = (t: TestStore, table: string): unknown[] =>
  t.store.db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw().all();

// Written by hand from the page above (column order of each table).
const EXPECTED = {
  threads: [
    // id, patient, subject, status, priority, assignee, provider, created, updated, last message, due, version,
    // seen_at, topic, pool_id, bodies_withheld, overdue
    [
      'thr-1',
      'pat-1',
      'Knee swelling',
      'new',
      'routine',
      null,
      null,
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
      null,
      1,
      null,
      null,
      null,
      0,
      0,
    ],
    [
      'thr-2',
      'pat-1',
      'Quote " backslash \\ tab\t',
      'in_progress',
      'urgent',
      'stf-1',
      null,
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
      '2026-11-21T09:00:00.000Z',
      Number.MAX_SAFE_INTEGER,
      null,
      'clinical-question',
      null,
      0,
      0,
    ],
  ],
  messages: [
    ['msg-1', 'thr-1', 'patient', 'pat-1', 'Plain line.\nSecond line, «ça».', '2026-11-20T09:00:00.000Z', 1],
    ['msg-2', 'thr-1', 'patient', 'pat-1', 'Emoji 😀 \u0001 字 \u2028\u2029', '2026-11-20T09:00:00.000Z', 1],
  ],
  appointments: [
    [
      'apt-1',
      'pat-1',
      'prov-1',
      '2026-11-24T09:00:00.000Z',
      '2026-11-24T09:30:00.000Z',
      'booked',
      'Follow-up',
      null,
      null,
      1,
      null,
      null,
      null,
    ],
    [
      'apt-2',
      'pat-1',
      'prov-1',
      '2026-11-24T09:00:00.000Z',
      '2026-11-24T09:30:00.000Z',
      'booked',
      'Follow-up',
      'x',
      null,
      2,
      null,
      null,
      'ser-1',
    ],
  ],
  audit_remote: [
    [
      'aud-1',
      '2026-11-23T10:00:00.000Z',
      null,
      null,
      'portal',
      'update',
      'thread',
      'thr-1',
      'success',
      '["priority","status","ünit \\"note\\""]',
      'patient',
      null,
    ],
    [
      'aud-2',
      '2026-11-23T10:00:00.000Z',
      null,
      null,
      'portal',
      'update',
      'thread',
      'thr-1',
      'success',
      '[]',
      'patient',
      'BTG',
    ],
  ],
} as const;

describe('pull rows (JSON rows in SQL)', () => {
  let rowsStore: TestStore;
  let objectStore: TestStore;
  beforeEach(() => {
    rowsStore = makeTestStore();
    objectStore = makeTestStore();
  });
  afterEach(() => {
    rowsStore.dispose();
    objectStore.dispose();
  });

  it('writes the rows the per-record path writes', () => {
    const viaRows = applyPullBatch(rowsStore.store, asRows(page()));
    const viaObjects = applyPullBatch(objectStore.store, page());
    expect(viaRows).toMatchObject({ applied: 9, skipped: 0, cursor: '9' });
    expect(viaObjects).toMatchObject({ applied: 9, skipped: 0, cursor: '9' });
    expect(new Set(viaRows.entities)).toEqual(
      new Set(['device', 'thread', 'message', 'appointment', 'audit']),
    );
    for (const [table, expected] of Object.entries(EXPECTED)) {
      expect(rowsOf(rowsStore, table), table).toEqual(expected);
      expect(rowsOf(objectStore, table), table).toEqual(expected);
    }
    expect(rowsStore.store.messages.writes).toBe(2);
    // The derived tables too: queue counts, and the search index after its refresh.
    for (const t of [rowsStore, objectStore]) t.store.threads.refreshSearch(1);
    for (const [table, order] of [
      ['thread_counts', '1, 2, 3, 4, 5'],
      ['search_keys', '1'],
      ['search_vocab', '1'],
    ]) {
      const all = (t: TestStore) =>
        t.store.db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).raw().all();
      expect(all(rowsStore), table).toEqual(all(objectStore));
      expect(all(rowsStore).length, table).toBeGreaterThan(0);
    }
    const hits = (t: TestStore, q: string) =>
      t.store.db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid').all(q);
    expect(hits(rowsStore, 'second')).toHaveLength(1);
    expect(hits(rowsStore, 'emoji')).toEqual(hits(objectStore, 'emoji'));
  });

  it('gives the records back whole, absent keys absent', () => {
    const split = splitPullPage(page())!;
    expect(split.rest.changes.map((c) => c.id)).toEqual(['dev-9']);
    expect(split.rows.counts).toEqual({ thread: 2, message: 2, appointment: 2, audit: 2 });
    expect(changesOfRows(structuredClone(split.rows))).toEqual(page().changes.slice(1));
    const thread = changesOfRows(split.rows)[0]!.data as Record<string, unknown>;
    expect('topic' in thread || 'poolId' in thread).toBe(false);
  });

  it.each([
    ['a deletion', { entity: 'message', id: 'msg-9', data: null }],
    ['a change whose id is not its record’s', { entity: 'message', id: 'msg-9', data: messageFixture() }],
    ['a lone surrogate', { entity: 'message', id: 'msg-1', data: messageFixture({ body: 'a\ud800b' }) }],
    ['a NUL', { entity: 'message', id: 'msg-1', data: messageFixture({ body: 'a\u0000b' }) }],
    [
      'a key the rows do not know',
      { entity: 'message', id: 'msg-1', data: { ...messageFixture(), extra: 1 } },
    ],
    ['a missing key', { entity: 'thread', id: 'thr-1', data: { ...threadFixture(), subject: undefined } }],
  ])('sends a page with %s as objects', (_name, change) => {
    expect(splitPullPage({ ...page(), changes: [...page().changes, change as Change] })).toBeNull();
  });

  it('keeps a record with a pending local change as its server image, as the per-record path does', () => {
    for (const t of [rowsStore, objectStore]) {
      applyPullBatch(t.store, {
        changes: [{ entity: 'thread', id: 'thr-1', data: threadFixture() }],
        cursor: '1',
        hasMore: false,
        remaining: 0,
      });
      queueThreadChange(t.store, { op: 'thread.setPriority', priority: 'stat' });
    }
    const next = (): PullResponse => {
      const p = page();
      p.changes[1] = {
        entity: 'thread',
        id: 'thr-1',
        data: threadFixture({ priority: 'urgent', version: 2 }),
      };
      return p;
    };
    const viaRows = applyPullBatch(rowsStore.store, asRows(next()));
    const viaObjects = applyPullBatch(objectStore.store, next());
    expect(viaRows).toMatchObject({ applied: 8, skipped: 1 });
    expect(viaObjects).toMatchObject({ applied: 8, skipped: 1 });
    for (const t of [rowsStore, objectStore]) {
      expect(t.store.threads.byId('thr-1')).toMatchObject({ priority: 'stat', version: 1 });
      expect(rowsOf(t, 'messages')).toEqual(EXPECTED.messages);
    }
    const image = (t: TestStore) =>
      t.store.db.prepare(`SELECT entity, id, change FROM sync_shadows`).raw().all();
    expect(image(rowsStore)).toEqual(image(objectStore));
    expect(image(rowsStore)).toHaveLength(1);
  });

  it('hands audit events to a handler of its own one by one', () => {
    const seen: string[] = [];
    applyPullBatch(rowsStore.store, asRows(page()), {
      onAuditRecord: (r) => seen.push(`${r.id}:${r.purposeOfEvent ?? '-'}`),
    });
    expect(seen).toEqual(['aud-1:-', 'aud-2:BTG']);
    expect(rowsOf(rowsStore, 'audit_remote')).toEqual([]);
  });
});
