/**
 * Session 8 (s8read), issue 16 §3: the log has no index on the event id (migration 021), so an audited commit
 * writes no page of one; the look-up by id is a table filled in the same batches as the per-record index, up to
 * the same watermark, and the events after it (the unindexed tail) are found by a scan of the tail. Checked here
 * with an unindexed tail against values written by hand: the look-up by id, the audit report's "not from this
 * log" (an event of this device the server sent back is shown once), the chain verification, the push by seq,
 * a record's trail, a prune, and the upgrade of a store written by raw SQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditRecordOf } from '../store/repos/audit';
import { AuditLog } from './audit-log';
import { AuditReport } from './report';
import { READER, read } from './test-events';
import { DEVICE_ID, logFlushedByTest, openTestStore, type TestStore, useOldAuditStore } from './test-store';

describe('the look-up of audit events by id, filled in batches (migration 021)', () => {
  let t: TestStore;
  let log: AuditLog;
  let report: AuditReport;
  beforeEach(() => {
    t = openTestStore();
    // Flushes only when the test runs them: every event stays in the unindexed tail until then.
    log = logFlushedByTest(t);
    report = new AuditReport(t.store, log, () => t.clock.now());
  });
  afterEach(() => t.cleanup());

  const idRows = () => t.store.db.prepare('SELECT id, seq FROM audit_id_index ORDER BY seq').all();
  /** The server's copy of one of this device's events, as a pull brings it back. */
  const sentBack = (id: string) => log.applyRemote(auditRecordOf(t.store.audit.byId(id)!));

  it('the log has no index of its own: a commit writes the event rows only', () => {
    expect(
      t.store.db
        .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_events'`)
        .all(),
    ).toEqual([]);
    const [a, b] = t.store.transaction(() =>
      log.recordMany(READER, [read('thread', 'thr-1'), read('patient', 'pat-1')]),
    );
    expect(idRows()).toEqual([]);
    // Found at once through the tail…
    expect(t.store.audit.byId(a!.id)?.seq).toBe(1);
    expect(t.store.audit.byId(b!.id)?.seq).toBe(2);
    expect(t.store.audit.byId('evt-not-here')).toBeNull();
    // …and through the table once a batch has indexed them.
    log.flushEntityIndex();
    expect(idRows()).toEqual([
      { id: a!.id, seq: 1 },
      { id: b!.id, seq: 2 },
    ]);
    expect(t.store.audit.byId(a!.id)?.seq).toBe(1);
    const c = log.record(READER, read('thread', 'thr-2'));
    expect(t.store.audit.byId(c.id)?.seq).toBe(3);
  });

  it('the report shows an event the server sent back once, whether it is indexed or in the tail', () => {
    const indexed = log.record(READER, read('thread', 'thr-1'));
    t.clock.advance(1_000);
    log.flushEntityIndex();
    const tail = log.record(READER, read('thread', 'thr-2'));
    t.clock.advance(1_000);
    const notBack = log.record(READER, read('thread', 'thr-3'));
    expect(t.store.audit.entityIndexedThrough()).toBe(1);
    sentBack(indexed.id);
    sentBack(tail.id);
    const page = report.page({}, undefined, 0, 50);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => [r.id, r.source])).toEqual([
      [notBack.id, 'local'],
      [tail.id, 'server'],
      [indexed.id, 'server'],
    ]);
    // The FHIR export and CSV read the same rows: each event once.
    expect(report.csv({}).trim().split('\r\n')).toHaveLength(1 + 3);
  });

  it('an event sent back before any batch ran (its device known from the tail only) is shown once', () => {
    const a = log.record(READER, read('thread', 'thr-1'));
    expect(t.store.db.prepare('SELECT device_id FROM audit_devices').all()).toEqual([]);
    sentBack(a.id);
    const page = report.page({}, undefined, 0, 50);
    expect(page.total).toBe(1);
    expect(page.rows.map((r) => [r.id, r.source])).toEqual([[a.id, 'server']]);
    log.flushEntityIndex();
    expect(t.store.db.prepare('SELECT device_id FROM audit_devices').all()).toEqual([
      { device_id: DEVICE_ID },
    ]);
    expect(report.page({}, undefined, 0, 50).total).toBe(1);
  });

  it('verification, the push by seq and the trail see the unindexed tail', () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(log.record(READER, read('thread', 'thr-1')).id);
      t.clock.advance(1_000);
      if (i === 1) log.flushEntityIndex();
    }
    expect(t.store.audit.entityIndexedThrough()).toBe(2);
    expect(log.verify()).toEqual({ ok: true, count: 5 });
    expect(t.store.auditPush.peek(10).map((e) => [e.seq, e.record.id])).toEqual(
      ids.map((id, i) => [i + 1, id]),
    );
    expect(log.trail('thread', 'thr-1').map((e) => e.id)).toEqual([...ids].reverse());
  });

  it('a pruned event takes its id row with it', () => {
    const a = log.record(READER, read('thread', 'thr-1'));
    const b = log.record(READER, read('thread', 'thr-2'));
    log.flushEntityIndex();
    t.store.transaction(() => {
      t.store.db.prepare('INSERT INTO audit_prune_permit (seq) VALUES (1)').run();
      t.store.db.prepare('DELETE FROM audit_events WHERE seq = 1').run();
    });
    expect(idRows()).toEqual([{ id: b.id, seq: 2 }]);
    expect(t.store.audit.byId(a.id)).toBeNull();
    // The server's copy of the pruned event is the only one left: the report shows it.
    log.applyRemote({
      id: a.id,
      at: a.at,
      staffId: a.staffId,
      role: a.role,
      deviceId: a.deviceId,
      action: a.action,
      entityType: a.entityType,
      entityId: a.entityId,
      outcome: a.outcome,
      fields: [],
      actorKind: a.actorKind,
      version: 0,
    });
    expect(report.page({}, undefined, 0, 50).rows.map((r) => [r.id, r.source])).toEqual([
      [b.id, 'local'],
      [a.id, 'server'],
    ]);
  });

  it('events stay append-only', () => {
    log.record(READER, read('thread', 'thr-1'));
    expect(() => t.store.db.prepare(`UPDATE audit_events SET outcome = 'failure'`).run()).toThrow(
      /append-only/,
    );
    expect(() => t.store.db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
  });
});

describe('migration 021 on a store with events', () => {
  const old = useOldAuditStore();

  it('keeps every row, indexes the ids up to the watermark, and leaves the tail to the scan', () => {
    const at = (s: number) => `2026-11-01T09:00:0${s}.000Z`;
    old.write(
      20,
      [
        { seq: 1, id: 'evt-1', at: at(0), entityId: 'thr-1', prevHash: 'p0', hash: 'h1' },
        { seq: 2, id: 'evt-2', at: at(1), entityId: null, prevHash: 'h1', hash: 'h2', purposeOfEvent: 'BTG' },
        { seq: 3, id: 'evt-3', at: at(2), entityId: 'thr-1', prevHash: 'h2', hash: 'h3' },
      ],
      (db) => {
        // As the batches of migration 020 left it: the first two events indexed by record, the third in the tail.
        db.prepare(
          `INSERT INTO audit_entity_index (entity_type, entity_id, seq) VALUES ('thread', 'thr-1', 1)`,
        ).run();
        db.prepare('UPDATE audit_entity_indexed SET through = 2').run();
      },
    );

    const store = old.open();
    const db = store.db;
    try {
      expect(
        db
          .prepare('SELECT seq, id, at, entity_id, prev_hash, hash, purpose_of_event FROM audit_events')
          .all(),
      ).toEqual([
        {
          seq: 1,
          id: 'evt-1',
          at: '2026-11-01T09:00:00.000Z',
          entity_id: 'thr-1',
          prev_hash: 'p0',
          hash: 'h1',
          purpose_of_event: null,
        },
        {
          seq: 2,
          id: 'evt-2',
          at: '2026-11-01T09:00:01.000Z',
          entity_id: null,
          prev_hash: 'h1',
          hash: 'h2',
          purpose_of_event: 'BTG',
        },
        {
          seq: 3,
          id: 'evt-3',
          at: '2026-11-01T09:00:02.000Z',
          entity_id: 'thr-1',
          prev_hash: 'h2',
          hash: 'h3',
          purpose_of_event: null,
        },
      ]);
      expect(db.prepare('SELECT id, seq FROM audit_id_index ORDER BY seq').all()).toEqual([
        { id: 'evt-1', seq: 1 },
        { id: 'evt-2', seq: 2 },
      ]);
      expect(db.prepare('SELECT device_id FROM audit_devices').all()).toEqual([{ device_id: 'dev-1' }]);
      expect(store.audit.byId('evt-3')?.seq).toBe(3);
      expect(store.audit.byId('evt-1')?.seq).toBe(1);
      expect(store.audit.localForEntity('thread', 'thr-1', 10).map((r) => r.id)).toEqual(['evt-3', 'evt-1']);
      expect(
        db.prepare(`SELECT name FROM sqlite_schema WHERE tbl_name = 'audit_events' ORDER BY name`).all(),
      ).toEqual([
        { name: 'audit_entity_index_delete' },
        { name: 'audit_events' },
        { name: 'audit_events_no_delete' },
        { name: 'audit_events_no_update' },
      ]);
      expect(() => db.prepare('DELETE FROM audit_events WHERE seq = 1').run()).toThrow(/append-only/);
      // The next event gets the next seq.
      const log = new AuditLog(store, { now: () => Date.UTC(2026, 10, 2) }, () => 'dev-1');
      expect(store.audit.lastSeq()).toBe(3);
      log.record(READER, read('thread', 'thr-9'));
      expect(store.audit.lastSeq()).toBe(4);
    } finally {
      store.close();
    }
  });
});
