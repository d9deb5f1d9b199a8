/**
 * Found by review 7 (R3, failed before the fix): the urgent queue holds escalated (overdue) routine threads (issue 14a, SLA escalation), but a search
 * in the urgent queue asks the index for the 'qurgent' tag, which only priorities urgent/asap/STAT carry: an
 * overdue routine thread the urgent list shows is not found by a search for its own words in that list.
 * Real encrypted store. Expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a search in the urgent queue', () => {
  it('finds an overdue routine thread that the urgent queue lists', () => {
    t = makeTestStore('clinic-urgent-search-');
    const store = t.store;
    store.transaction(() => {
      store.patients.upsert(patientFixture());
      store.threads.upsert(
        threadFixture({ id: 'thr-late', priority: 'routine', dueAt: '2026-11-20T10:00:00.000Z' }),
      );
      store.messages.upsert(messageFixture({ threadId: 'thr-late', body: 'My zebrafinch prescription' }));
    });
    store.threads.escalateOverdue('2026-11-20T12:00:00.000Z');
    const base = { queue: 'urgent' as const, staffId: 'stf-clinician1', offset: 0, limit: 50 };
    const listed = store.threads.page(base);
    expect(listed.rows.map((r) => r.id)).toEqual(['thr-late']);
    const found = store.threads.page({ ...base, search: 'zebrafinch' });
    expect(found.rows.map((r) => r.id)).toEqual(['thr-late']);
    expect(found.total).toBe(1);
    // The clock set back before the due time takes the escalation back: out of the urgent queue, and its search.
    store.threads.escalateOverdue('2026-11-20T09:30:00.000Z');
    expect(store.threads.page(base).rows).toEqual([]);
    expect(store.threads.page({ ...base, search: 'zebrafinch' }).rows).toEqual([]);
    // Still found in the queue it is in.
    expect(store.threads.page({ ...base, queue: 'all', search: 'zebrafinch' }).rows.map((r) => r.id)).toEqual(
      ['thr-late'],
    );
  });
});
