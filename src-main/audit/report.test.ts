/**
 * The admin audit report over a real encrypted store: this device's events and the server's merged (each event
 * once), every filter, sorting by every column both ways, paging, RFC 4180 CSV with formula-injection guard, and
 * a FHIR export that passes the maintained R4 validator. Expected values are written by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import { validateFhirR4 } from '../../tests/helpers/fhir-validator';
import { AuditReport, csvCell } from './report';
import { DEVICE_ID, openTestStore, type TestStore } from './test-store';

let t: TestStore;
let report: AuditReport;
const ids: Record<string, string> = {};

beforeEach(() => {
  t = openTestStore();
  report = new AuditReport(t.store, t.audit, () => t.clock.now());
  for (const [id, name, role] of [
    ['stf-ada', 'Ada Admin', 'admin'],
    ['stf-bo', 'Bo Clinician', 'clinician'],
  ] as const) {
    t.store.staff.upsert({ id, username: id, displayName: name, role, providerId: null, version: 1 });
  }
  const ada = { staffId: 'stf-ada', role: 'admin' as const };
  const bo = { staffId: 'stf-bo', role: 'clinician' as const };
  // 09:00 Ada reads pat-1; 09:01 Bo is refused an update of apt-1; 09:02 (next day) Bo reads pat-1.
  ids.a = t.audit.record(ada, {
    action: 'read',
    entityType: 'patient',
    entityId: 'pat-1',
    outcome: 'success',
  }).id;
  t.clock.advance(60_000);
  ids.b = t.audit.record(bo, {
    action: 'update',
    entityType: 'appointment',
    entityId: 'apt-1',
    outcome: 'failure',
  }).id;
  t.clock.advance(86_400_000);
  const c = t.audit.record(bo, {
    action: 'read',
    entityType: 'patient',
    entityId: 'pat-1',
    outcome: 'success',
  });
  ids.c = c.id;
  // The server sent back event c (same id: shown once) and an event of another desk.
  t.audit.applyRemote({ ...c, version: 1 });
  const other: AuditRecord = {
    ...c,
    id: '01937a6e-0000-7000-8000-00000000000d',
    at: '2026-11-23T10:00:00.000Z',
    deviceId: 'dev-other',
    staffId: 'stf-ada',
    role: 'admin',
    action: 'export',
    entityType: 'audit',
    entityId: 'pat-1',
    prevHash: '',
    hash: '',
  };
  t.audit.applyRemote(other);
  ids.d = other.id;
  t.store.devices.upsert('dev-other', 'Back office', false);
});
afterEach(() => t.cleanup());

const idsOf = (q: Parameters<AuditReport['page']>[0], sort?: Parameters<AuditReport['page']>[1]) =>
  report.page(q, sort, 0, 50).rows.map((r) => Object.keys(ids).find((k) => ids[k] === r.id));

describe('audit report', () => {
  it('merges this device and the server, each event once, newest first', () => {
    const page = report.page({}, undefined, 0, 50);
    expect(page.total).toBe(4);
    expect(idsOf({})).toEqual(['c', 'd', 'b', 'a']);
    expect(page.rows[0]).toMatchObject({ source: 'server', staffName: 'Bo Clinician' });
    expect(page.rows[2]).toMatchObject({ source: 'local', deviceId: DEVICE_ID });
  });

  it('filters by time range, staff, action, record type and id, outcome and device', () => {
    expect(idsOf({ from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T23:59:59.999Z' })).toEqual(['c']);
    expect(idsOf({ to: '2026-11-23T09:00:00.000Z' })).toEqual(['a']);
    expect(idsOf({ staffId: 'stf-bo' })).toEqual(['c', 'b']);
    expect(idsOf({ action: 'export' })).toEqual(['d']);
    expect(idsOf({ entityType: 'patient', entityId: 'pat-1' })).toEqual(['c', 'a']);
    expect(idsOf({ outcome: 'failure' })).toEqual(['b']);
    expect(idsOf({ deviceId: 'dev-other' })).toEqual(['d']);
    expect(idsOf({ staffId: 'stf-bo', outcome: 'success' })).toEqual(['c']);
    expect(report.page({ entityId: 'nothing' }, undefined, 0, 50)).toEqual({ rows: [], total: 0 });
  });

  it('sorts by every column, both ways, and pages', () => {
    expect(idsOf({}, { by: 'at', dir: 'asc' })).toEqual(['a', 'b', 'd', 'c']);
    expect(idsOf({}, { by: 'staff', dir: 'asc' })).toEqual(['a', 'd', 'b', 'c']);
    expect(idsOf({}, { by: 'action', dir: 'asc' })).toEqual(['d', 'a', 'c', 'b']);
    expect(idsOf({}, { by: 'entityType', dir: 'desc' })).toEqual(['c', 'a', 'd', 'b']);
    expect(idsOf({}, { by: 'entityId', dir: 'asc' })).toEqual(['b', 'a', 'd', 'c']);
    expect(idsOf({}, { by: 'outcome', dir: 'asc' })).toEqual(['b', 'a', 'd', 'c']);
    expect(idsOf({}, { by: 'device', dir: 'asc' })).toEqual(['d', 'a', 'b', 'c']);
    const second = report.page({}, { by: 'at', dir: 'asc' }, 2, 2);
    expect(second.total).toBe(4);
    expect(second.rows.map((r) => r.id)).toEqual([ids.d, ids.c]);
  });

  it('exports CSV with one line per event, oldest first', () => {
    const csv = report.csv({ entityType: 'patient' });
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'time_utc,staff,role,actor_kind,action,record_type,record_id,outcome,device,device_id,fields,source,event_id,purpose_of_event',
    );
    expect(lines.slice(1)).toEqual([
      `2026-11-23T09:00:00.000Z,Ada Admin,admin,staff,read,patient,pat-1,success,Front desk 1,${DEVICE_ID},,local,${ids.a},`,
      `2026-11-24T09:01:00.000Z,Bo Clinician,clinician,staff,read,patient,pat-1,success,Front desk 1,${DEVICE_ID},,server,${ids.c},`,
    ]);
  });

  it('quotes CSV cells (RFC 4180) and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
  });

  it('exports a FHIR R4 bundle that passes the validator', () => {
    const bundle = JSON.parse(report.fhir({ entityId: 'pat-1' })) as { entry: unknown[] };
    expect(bundle.entry).toHaveLength(3);
    expect(validateFhirR4(bundle)).toEqual([]);
    expect(report.exportFile('csv', {}).fileName).toBe('audit-report-2026-11-24.csv');
    expect(report.exportFile('fhir', {}).mimeType).toBe('application/fhir+json');
  });
});
