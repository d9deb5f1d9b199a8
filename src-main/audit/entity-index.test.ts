/**
 * Session 7 (s7read), issue 16 §3: the log's per-record index is a table filled in batches after the audited
 * call's commit (migration 020), so an audited read's durable commit writes no random index page. Every event is
 * still in `audit_events` at once; a record's trail, its report rows and the index after a flush, a cap, a prune
 * and an upgrade are checked here against values written by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog } from './audit-log';
import { ENTITY_INDEX_BATCH, ENTITY_INDEX_CAP, ENTITY_INDEX_STEP } from './audit-log';
import { AuditReport } from './report';
import { READER, read } from './test-events';
import { logFlushedByTest, openTestStore, type TestStore, useOldAuditStore } from './test-store';

describe('the per-record audit index, filled in batches (migration 020)', () => {
  let t: TestStore;
  let tasks: (() => void)[];
  let log: AuditLog;
  beforeEach(() => {
    t = openTestStore();
    tasks = [];
    log = logFlushedByTest(t, (task) => void tasks.push(task));
  });
  afterEach(() => t.cleanup());

  const through = () => t.store.audit.entityIndexedThrough();
  const indexRows = () =>
    t.store.db.prepare('SELECT entity_type, entity_id, seq FROM audit_entity_index ORDER BY seq').all();
  const trailIds = (type: 'thread' | 'patient', id: string) => log.trail(type, id).map((e) => e.id);

  it("an audited read's commit writes its events only; the index is written after, in a batch", () => {
    const [a, b] = t.store.transaction(() =>
      log.recordMany(READER, [read('thread', 'thr-1'), read('patient', 'pat-1')]),
    );
    expect(t.store.audit.count()).toBe(2);
    expect(indexRows()).toEqual([]);
    expect(through()).toBe(0);
    expect(tasks).toHaveLength(0);
    // Found at once through the tail.
    expect(trailIds('thread', 'thr-1')).toEqual([a!.id]);
    expect(trailIds('patient', 'pat-1')).toEqual([b!.id]);
    expect(log.flushEntityIndex()).toBe(2);
    expect(indexRows()).toEqual([
      { entity_type: 'thread', entity_id: 'thr-1', seq: 1 },
      { entity_type: 'patient', entity_id: 'pat-1', seq: 2 },
    ]);
    expect(through()).toBe(2);
    expect(trailIds('thread', 'thr-1')).toEqual([a!.id]);
  });

  it('a trail merges indexed events and the tail, newest first, each once', () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(log.record(READER, read('thread', 'thr-1')).id);
      log.record(READER, read('thread', 'thr-2'));
      t.clock.advance(1_000);
    }
    log.flushEntityIndex();
    expect(through()).toBe(6);
    for (let i = 0; i < 2; i++) {
      ids.push(log.record(READER, read('thread', 'thr-1')).id);
      t.clock.advance(1_000);
    }
    log.record(READER, read('thread', null));
    expect(through()).toBe(6);
    expect(trailIds('thread', 'thr-1')).toEqual([...ids].reverse());
    expect(trailIds('thread', 'thr-2')).toHaveLength(3);
    // The report of one record: the same five events.
    const report = new AuditReport(t.store, log, () => t.clock.now());
    const page = report.page({ entityType: 'thread', entityId: 'thr-1' }, undefined, 0, 50);
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.id)).toEqual([...ids].reverse());
    // The record id alone too.
    expect(report.page({ entityId: 'thr-1' }, undefined, 0, 50).total).toBe(5);
  });

  it(`schedules one flush past ${ENTITY_INDEX_BATCH} unindexed events, and it indexes them all`, () => {
    for (let i = 0; i < ENTITY_INDEX_BATCH - 1; i++) log.record(READER, read('thread', `thr-${i % 7}`));
    expect(tasks).toHaveLength(0);
    log.record(READER, read('thread', 'thr-x'));
    log.record(READER, read('thread', 'thr-y'));
    expect(tasks, 'one flush scheduled, not one per event').toHaveLength(1);
    expect(through()).toBe(0);
    tasks.shift()!();
    expect(through()).toBe(ENTITY_INDEX_BATCH + 1);
    expect(indexRows()).toHaveLength(ENTITY_INDEX_BATCH + 1);
    expect(trailIds('thread', 'thr-0')).toHaveLength(Math.ceil((ENTITY_INDEX_BATCH - 1) / 7));
  });

  it('indexes a long tail in steps, each a task of its own', () => {
    expect([ENTITY_INDEX_BATCH, ENTITY_INDEX_STEP]).toEqual([64, 128]);
    for (let i = 0; i < 300; i++) log.record(READER, read('thread', 'thr-1'));
    expect(tasks).toHaveLength(1);
    const steps: number[] = [];
    while (tasks.length > 0) {
      tasks.shift()!();
      steps.push(through());
    }
    expect(steps).toEqual([128, 256, 300]);
    expect(indexRows()).toHaveLength(300);
    expect(trailIds('thread', 'thr-1')).toHaveLength(300);
  });

  it('a flush that finds the connection inside a transaction leaves it for the next one', () => {
    for (let i = 0; i < ENTITY_INDEX_BATCH; i++) log.record(READER, read('thread', 'thr-1'));
    expect(tasks).toHaveLength(1);
    t.store.transaction(() => tasks.shift()!());
    expect(through()).toBe(0);
    log.record(READER, read('thread', 'thr-1'));
    expect(tasks).toHaveLength(1);
    tasks.shift()!();
    expect(through()).toBe(ENTITY_INDEX_BATCH + 1);
  });

  it(`at ${ENTITY_INDEX_CAP} unindexed events the audited commit indexes the tail itself`, () => {
    expect(ENTITY_INDEX_CAP).toBe(2048);
    t.store.transaction(() =>
      log.recordMany(
        READER,
        Array.from({ length: ENTITY_INDEX_CAP }, (_, i) => read('patient', `pat-${i % 10}`)),
      ),
    );
    expect(through()).toBe(ENTITY_INDEX_CAP);
    expect(indexRows()).toHaveLength(ENTITY_INDEX_CAP);
    // i = 3, 13, …, 2043
    expect(trailIds('patient', 'pat-3')).toHaveLength(205);
  });

  it('a rolled-back call takes its events and its inline flush with it', () => {
    expect(() =>
      t.store.transaction(() => {
        log.recordMany(
          READER,
          Array.from({ length: ENTITY_INDEX_CAP }, () => read('thread', 'thr-1')),
        );
        throw new Error('the handler failed');
      }),
    ).toThrow('the handler failed');
    expect(t.store.audit.count()).toBe(0);
    expect(indexRows()).toEqual([]);
    expect(through()).toBe(0);
  });

  it("a flush does not count as a change of the store's data (the inbox keeps its cached first pages)", () => {
    for (let i = 0; i < 5; i++) log.record(READER, read('thread', `thr-${i}`));
    const version = t.store.changes.version();
    expect(log.flushEntityIndex()).toBe(5);
    expect(t.store.changes.version()).toBe(version);
  });

  it('a pruned event takes its index row with it', () => {
    log.record(READER, read('thread', 'thr-1'));
    log.record(READER, read('thread', 'thr-2'));
    log.flushEntityIndex();
    t.store.transaction(() => {
      t.store.db.prepare('INSERT INTO audit_prune_permit (seq) VALUES (1)').run();
      t.store.db.prepare('DELETE FROM audit_events WHERE seq = 1').run();
    });
    expect(indexRows()).toEqual([{ entity_type: 'thread', entity_id: 'thr-2', seq: 2 }]);
    expect(trailIds('thread', 'thr-1')).toEqual([]);
  });
});

describe('migration 020 on a store with events', () => {
  const old = useOldAuditStore();

  it('indexes every event that names a record and sets the watermark to the newest', () => {
    old.write(18, [
      { seq: 1, id: 'evt-1', entityType: 'thread', entityId: 'thr-1' },
      { seq: 2, id: 'evt-2', entityType: 'thread', entityId: null },
      { seq: 3, id: 'evt-3', entityType: 'patient', entityId: 'pat-1' },
    ]);
    const store = old.open();
    const db = store.db;
    try {
      expect(
        db.prepare('SELECT entity_type, entity_id, seq FROM audit_entity_index ORDER BY seq').all(),
      ).toEqual([
        { entity_type: 'thread', entity_id: 'thr-1', seq: 1 },
        { entity_type: 'patient', entity_id: 'pat-1', seq: 3 },
      ]);
      expect(store.audit.entityIndexedThrough()).toBe(3);
      expect(store.audit.localForEntity('patient', 'pat-1', 10).map((r) => r.id)).toEqual(['evt-3']);
      expect(
        db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'audit_events_entity'`).get(),
      ).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});
