/**
 * Session 5, 16r (issue 16 §4): a cached first page answered again (the same frozen object) adds no per-record
 * read events within LIST_READ_REPEAT_MS, without even listing its records; later, after the clock went back, or
 * for another answer, each record is recorded again (records more, never less).
 */
import { describe, expect, it } from 'vitest';
import { LIST_READ_REPEAT_MS, RecentListReads, type AuditSubject } from './read-records';

const subjects: AuditSubject[] = [
  { entityType: 'thread', entityId: 'thr-1', fields: ['inbox.list'] },
  { entityType: 'patient', entityId: 'pat-1', fields: ['inbox.list'] },
];
const input = { queue: 'all', offset: 0, limit: 50 };

describe('RecentListReads.freshFor', () => {
  it('skips listing the records of the same cached answer within the repeat window, and only then', () => {
    let now = 1_000_000;
    const recent = new RecentListReads(() => now);
    const page = Object.freeze({ threads: [] });
    let listed = 0;
    const list = () => (listed++, subjects);
    expect(recent.freshFor('stf-1', 'inbox.list', input, page, list)).toEqual(subjects);
    now += 1_000;
    expect(recent.freshFor('stf-1', 'inbox.list', input, page, list)).toEqual([]);
    expect(listed, 'the same answer again: its records are not even listed').toBe(1);
    // Another staff member, or another query, with the same answer object: recorded for them.
    expect(recent.freshFor('stf-2', 'inbox.list', input, page, list)).toEqual(subjects);
    expect(recent.freshFor('stf-1', 'inbox.list', { ...input, limit: 49 }, page, list)).toEqual(subjects);
    // A new answer object (the page was read again) goes through the per-record check: nothing new yet.
    expect(recent.freshFor('stf-1', 'inbox.list', input, Object.freeze({ threads: [] }), list)).toEqual([]);
    // The window ends, counted from when the records were recorded: the same object is recorded again.
    now = 1_000_000 + LIST_READ_REPEAT_MS;
    expect(recent.freshFor('stf-1', 'inbox.list', input, page, list)).toEqual(subjects);
    // The clock goes back: recorded again (never less).
    now -= 60_000;
    expect(recent.freshFor('stf-1', 'inbox.list', input, page, list)).toEqual(subjects);
  });

  it('never skips an answer that is not frozen (a new object every time)', () => {
    const now = 5_000_000;
    const recent = new RecentListReads(() => now);
    const page = { threads: [] };
    let listed = 0;
    const list = () => (listed++, subjects);
    recent.freshFor('stf-1', 'inbox.list', input, page, list);
    recent.freshFor('stf-1', 'inbox.list', input, page, list);
    expect(listed).toBe(2);
  });
});
