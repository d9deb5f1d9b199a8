/**
 * Session 8 (s8read), issue 16: the audit report's pages in time order are cut from a merge of this device's log
 * (by time, migration 021's index table plus the unindexed tail) and the server's events (by time), each read only
 * as far as the page goes, instead of sorting the whole union. The order across both sources, ties on the time,
 * a clock that jumped back, events the server sent back, and paging are checked against an order written by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PulledAuditRecord } from '../../src-shared/sync';
import type { AuditLog } from './audit-log';
import { AuditReport } from './report';
import { logFlushedByTest, openTestStore, type TestStore } from './test-store';

const READER = { staffId: 'stf-1', role: 'clinician' as const };
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('the audit report in time order, across local and server events', () => {
  let t: TestStore;
  let log: AuditLog;
  let report: AuditReport;
  /** Event ids by the name the expected orders use. */
  const id: Record<string, string> = {};
  beforeEach(() => {
    t = openTestStore();
    log = logFlushedByTest(t);
    report = new AuditReport(t.store, log, () => t.clock.now());
    const local = (name: string, atMs: number, entityId: string) => {
      t.clock.t = T0 + atMs;
      id[name] = log.record(READER, {
        action: 'read',
        entityType: 'thread',
        entityId,
        outcome: 'success',
      }).id;
    };
    const remote = (record: Partial<PulledAuditRecord> & { id: string; at: string }) =>
      log.applyRemote({
        staffId: 'stf-2',
        role: 'receptionist',
        deviceId: 'dev-other',
        action: 'read',
        entityType: 'thread',
        entityId: 'thr-9',
        outcome: 'success',
        fields: [],
        actorKind: 'staff',
        version: 0,
        ...record,
      });
    const sentBack = (name: string) => {
      const row = t.store.audit.byId(id[name]!)!;
      remote({
        id: row.id,
        at: row.at,
        deviceId: row.device_id,
        staffId: row.staff_id,
        entityId: row.entity_id,
      });
    };
    // This device's log: four events indexed (two written after the clock jumped back, so the log's order is not
    // the time order), two in the tail, and one
    // more in the tail written after the clock jumped back again.
    local('L1', 0, 'thr-1');
    local('L6', 5_500, 'thr-7');
    local('L2', 2_000, 'thr-2');
    local('L0', -1_000, 'thr-3');
    log.flushEntityIndex();
    local('L3', 4_000, 'thr-4');
    local('L4', 5_000, 'thr-5');
    local('L5', 500, 'thr-6');
    expect(t.store.audit.entityIndexedThrough()).toBe(4);
    // The server's events: ids are not UUIDv7 here, so the tie-breaks below are known ('s…' > '0…').
    remote({ id: 'srv-1', at: iso(1_000) });
    remote({ id: 'srv-2', at: iso(2_000) }); // the same instant as L2
    remote({ id: 'srv-3a', at: iso(3_000) });
    remote({ id: 'srv-3b', at: iso(3_000), action: 'update', fields: ['priority'] });
    remote({ id: 'srv-6', at: iso(6_000), staffId: 'stf-1' });
    // Two of this device's events came back from the server: one indexed, one in the tail. Each is shown once.
    sentBack('L2');
    sentBack('L3');
    id['srv-1'] = 'srv-1';
    id['srv-2'] = 'srv-2';
    id['srv-3a'] = 'srv-3a';
    id['srv-3b'] = 'srv-3b';
    id['srv-6'] = 'srv-6';
  });
  afterEach(() => t.cleanup());

  const NEWEST_FIRST = [
    'srv-6',
    'L6',
    'L4',
    'L3',
    'srv-3b',
    'srv-3a',
    'srv-2',
    'L2',
    'srv-1',
    'L5',
    'L1',
    'L0',
  ];
  const SOURCE: Record<string, 'local' | 'server'> = { L2: 'server', L3: 'server', L0: 'local', L1: 'local' };
  const names = (rows: { id: string }[]) =>
    rows.map((r) => Object.keys(id).find((k) => id[k] === r.id) ?? `unknown ${r.id}`);

  it('newest first: the whole order, each event once, with its source', () => {
    const page = report.page({}, undefined, 0, 100);
    expect(names(page.rows)).toEqual(NEWEST_FIRST);
    expect(page.total).toBe(12);
    for (const r of page.rows) {
      const name = names([r])[0]!;
      expect(r.source).toBe(SOURCE[name] ?? (name.startsWith('srv') ? 'server' : 'local'));
    }
  });

  it('pages of 3 newest first, and oldest first, join up to the whole order', () => {
    const pages: string[] = [];
    for (let offset = 0; offset < 13; offset += 3) {
      const page = report.page({}, { by: 'at', dir: 'desc' }, offset, 3);
      expect(page.total).toBe(12);
      pages.push(...names(page.rows));
    }
    expect(pages).toEqual(NEWEST_FIRST);
    const oldest: string[] = [];
    for (let offset = 0; offset < 13; offset += 4)
      oldest.push(...names(report.page({}, { by: 'at', dir: 'asc' }, offset, 4).rows));
    expect(oldest).toEqual([...NEWEST_FIRST].reverse());
  });

  it('a page of 1 at each offset is the event at that place', () => {
    NEWEST_FIRST.forEach((name, offset) =>
      expect(names(report.page({}, undefined, offset, 1).rows)).toEqual([name]),
    );
    expect(report.page({}, undefined, 12, 5).rows).toEqual([]);
  });

  it('filters apply to both sources: a time range, a staff member, an action', () => {
    expect(names(report.page({ from: iso(1_000), to: iso(4_000) }, undefined, 0, 3).rows)).toEqual([
      'L3',
      'srv-3b',
      'srv-3a',
    ]);
    expect(names(report.page({ from: iso(1_000), to: iso(4_000) }, undefined, 3, 10).rows)).toEqual([
      'srv-2',
      'L2',
      'srv-1',
    ]);
    expect(names(report.page({ staffId: 'stf-1' }, undefined, 0, 4).rows)).toEqual([
      'srv-6',
      'L6',
      'L4',
      'L3',
    ]);
    expect(names(report.page({ action: 'update' }, undefined, 0, 10).rows)).toEqual(['srv-3b']);
  });

  it('the CSV export (every event, oldest first) has the same order', () => {
    const lines = report.csv({}).trim().split('\r\n').slice(1);
    const eventIds = lines.map((l) => l.split(',')[12]!);
    expect(names(eventIds.map((e) => ({ id: e })))).toEqual([...NEWEST_FIRST].reverse());
  });
});
