/**
 * The privacy officer's audit report (DESIGN.md §7, issue 11): this device's events and the server's (other
 * desks, the portal, the backend) as one list, each event once, filtered by time range, staff member, action,
 * record type and id, outcome and device, sorted by any column, a page at a time; exported whole as CSV
 * (RFC 4180) or as a FHIR R4 Bundle of AuditEvent resources. Ids, names of staff and devices, and field names
 * only: never patient data.
 */
import type { AuditReportColumn, AuditReportQuery } from '../../src-shared/contract';
import type { AuditEntryView } from '../../src-shared/views';
import { uuidv7 } from '../base/ids';
import type { AuditRow } from '../store/repos/audit';
import type { Store } from '../store/store';
import type { AuditLog } from './audit-log';
import { toFhirBundle, type ExportEvent } from './fhir';

export interface AuditReportPage {
  rows: AuditEntryView[];
  total: number;
}

export interface AuditReportSort {
  by: AuditReportColumn;
  dir: 'asc' | 'desc';
}

type ReportRow = AuditRow & { prev_hash: string | null; hash: string | null; source: 'local' | 'server' };

/** Sort keys by column; a fixed map, so no caller text ever reaches the SQL. */
const ORDER: Record<AuditReportColumn, string> = {
  at: 'u.at',
  staff: "coalesce(s.display_name, u.staff_id, '')",
  action: 'u.action',
  entityType: 'u.entity_type',
  entityId: "coalesce(u.entity_id, '')",
  outcome: 'u.outcome',
  device: 'coalesce(d.name, u.device_id)',
};
/** Joins a sort column needs (names live in other tables). */
const JOIN: Partial<Record<AuditReportColumn, string>> = {
  staff: "LEFT JOIN staff s ON s.id = u.staff_id AND u.actor_kind != 'patient'",
  device: 'LEFT JOIN devices d ON d.id = u.device_id',
};

/** One SQL condition per filter given, on a table alias; values are always bound parameters. */
const CONDITION: Record<keyof AuditReportQuery, (t: string) => string> = {
  from: (t) => `${t}.at >= @from`,
  to: (t) => `${t}.at <= @to`,
  staffId: (t) => `${t}.staff_id = @staffId`,
  action: (t) => `${t}.action = @action`,
  entityType: (t) => `${t}.entity_type = @entityType`,
  entityId: (t) => `${t}.entity_id = @entityId`,
  outcome: (t) => `${t}.outcome = @outcome`,
  deviceId: (t) => `${t}.device_id = @deviceId`,
};

/** Stored times are toISOString() text, so filter bounds are compared in the same form. */
function instant(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError('audit report: a time is not an ISO instant');
  return new Date(t).toISOString();
}

/** The filters given, as bound parameters (times normalized). */
function params(q: AuditReportQuery): Record<string, string> {
  const p: Record<string, string | undefined> = { ...q, from: instant(q.from), to: instant(q.to) };
  return Object.fromEntries(
    Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined && e[0] in CONDITION),
  );
}

/**
 * A server event that is not one of this log's own (an event of this device that the server sent back). An event
 * of a device that wrote none of this log's events cannot be one (the device id is part of the chained content the
 * server keeps as pushed; `audit_devices` lists the devices of the indexed events, the tail is read for its own),
 * so only the rest are looked up by id: in the log's id index table up to its watermark, else among the tail's
 * ids (migration 021). Each IN list is built once per statement, not scanned per row.
 * Measured (bench/profile-report.ts, 100k local and 200k server events, a tenth sent back): the report's total
 * took 0.8 s with the look-up by id on every server event.
 */
const NOT_LOCAL = (t: string): string =>
  `((${t}.device_id NOT IN (SELECT device_id FROM audit_devices)
      AND ${t}.device_id NOT IN (SELECT device_id FROM audit_events
        WHERE seq > (SELECT through FROM audit_entity_indexed)))
    OR (NOT EXISTS (SELECT 1 FROM audit_id_index x WHERE x.id = ${t}.id)
      AND ${t}.id NOT IN (SELECT id FROM audit_events WHERE seq > (SELECT through FROM audit_entity_indexed))))`;

/**
 * Local events plus server events not from this log, each arm filtered on its own table, so a filter on a
 * record or a staff member uses that table's index. Conditions are written only for filters given: an
 * "(@x IS NULL OR col = @x)" form would keep SQLite from using any index. With `count`, the number of events instead.
 */
function union(keys: readonly string[], count = false): string {
  const where = (t: string) => keys.map((k) => CONDITION[k as keyof AuditReportQuery](t));
  const local = where('e');
  if (keys.includes('entityId')) {
    // One record's events: the per-record index table up to its watermark, the tail after it (migration 020).
    const type = keys.includes('entityType') ? ' AND entity_type = @entityType' : '';
    local.push(
      `(e.seq IN (SELECT seq FROM audit_entity_index WHERE entity_id = @entityId${type})
        OR e.seq > (SELECT through FROM audit_entity_indexed))`,
    );
  }
  const remote = [...where('r'), NOT_LOCAL('r')];
  if (count) {
    // Each arm counted on its own: a count over the union's CTE reads every column of every row.
    return `SELECT (SELECT count(*) FROM audit_events e ${local.length ? `WHERE ${local.join(' AND ')}` : ''})
      + (SELECT count(*) FROM audit_remote r WHERE ${remote.join(' AND ')}) AS n`;
  }
  const cols =
    'id, at, staff_id, role, device_id, action, entity_type, entity_id, outcome, fields, actor_kind';
  return `WITH u AS (
    SELECT ${cols}, seq, 0 AS remote FROM audit_events e ${local.length ? `WHERE ${local.join(' AND ')}` : ''}
    UNION ALL
    SELECT ${cols}, NULL, 1 FROM audit_remote r WHERE ${remote.join(' AND ')}
  )`;
}

/**
 * A page in time order without sorting the whole union (issue 16, session 8): each source is read in (at, id) order
 * and stops after `offset + limit` rows, and the page is cut from the merge of the two. This device's log by
 * `audit_at_index` up to its watermark plus its tail (a few hundred rows at most, sorted), the server's events not
 * from this log by `audit_remote_at` (migration 021). Exact: the first n rows of the union in this order are among
 * the first n of each source. Not for one record's events (its index, migration 020, already gives a short list).
 */
function byTime(keys: readonly string[], dir: 'ASC' | 'DESC'): string {
  const where = (t: string) => keys.map((k) => CONDITION[k as keyof AuditReportQuery](t));
  const and = (conds: string[]) => conds.map((c) => ` AND ${c}`).join('');
  // Time bounds on the index table itself, so the scan starts and ends at them.
  const bounds = keys
    .filter((k) => k === 'from' || k === 'to')
    .map((k) => CONDITION[k as 'from' | 'to']('x'));
  const order = `ORDER BY at ${dir}, id ${dir}`;
  return `SELECT id, seq, remote FROM (
      SELECT * FROM (
        SELECT x.at, x.id, x.seq, 0 AS remote FROM audit_at_index x JOIN audit_events e ON e.seq = x.seq
          WHERE 1${and([...bounds, ...where('e')])}
          ORDER BY x.at ${dir}, x.id ${dir} LIMIT @n)
      UNION ALL
      SELECT e.at, e.id, e.seq, 0 FROM audit_events e
        WHERE e.seq > (SELECT through FROM audit_entity_indexed)${and(where('e'))}
      UNION ALL
      SELECT * FROM (
        SELECT r.at, r.id, NULL, 1 FROM audit_remote r
          WHERE ${[...where('r'), NOT_LOCAL('r')].join(' AND ')}
          ORDER BY r.at ${dir}, r.id ${dir} LIMIT @n))
    ${order} LIMIT @limit OFFSET @offset`;
}

export class AuditReport {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => number,
  ) {}

  private select(q: AuditReportQuery, sort: AuditReportSort, limit: number, offset: number): ReportRow[] {
    const p = params(q);
    const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
    const names = Object.keys(p);
    const timeOrdered = sort.by === 'at' && limit >= 0 && !names.includes('entityId');
    const keys = this.store.db
      .prepare(
        timeOrdered
          ? byTime(names, dir)
          : `${union(names)} SELECT u.id, u.seq, u.remote FROM u ${JOIN[sort.by] ?? ''}
         ORDER BY ${ORDER[sort.by]} ${dir}, u.at ${dir}, u.id ${dir} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...p, limit, offset, ...(timeOrdered ? { n: offset + limit } : {}) }) as {
      id: string;
      seq: number | null;
      remote: 0 | 1;
    }[];
    // Local rows by seq (the log has no index on id, migration 021), server rows by their primary key.
    const local = this.store.db.prepare('SELECT * FROM audit_events WHERE seq = ?');
    const remote = this.store.db.prepare('SELECT * FROM audit_remote WHERE id = ?');
    return keys.map(({ id, seq, remote: fromServer }): ReportRow => {
      if (fromServer === 1)
        return { ...(remote.get(id) as AuditRow), prev_hash: null, hash: null, source: 'server' };
      const row = local.get(seq) as AuditRow & { prev_hash: string; hash: string };
      // A local event the server has sent back counts as 'server' (confirmed), as in the trails.
      return { ...row, source: remote.get(id) ? 'server' : 'local' };
    });
  }

  /** One page of the report: rows in the asked order (default newest first) and the total that match. */
  page(
    q: AuditReportQuery,
    sort: AuditReportSort | undefined,
    offset: number,
    limit: number,
  ): AuditReportPage {
    const rows = this.select(q, sort ?? { by: 'at', dir: 'desc' }, limit, offset);
    const p = params(q);
    const { n } = this.store.db.prepare(union(Object.keys(p), true)).get(p) as {
      n: number;
    };
    const view = this.audit.describer();
    return { rows: rows.map((r) => view(r, r.source)), total: n };
  }

  /** Every matching event, oldest first, as display views plus what the FHIR export needs. */
  private all(q: AuditReportQuery): ExportEvent[] {
    const view = this.audit.describer();
    return this.select(q, { by: 'at', dir: 'asc' }, -1, 0).map((r) => ({
      ...view(r, r.source),
      staffId: r.staff_id,
      chain: r.prev_hash !== null && r.hash !== null ? { prevHash: r.prev_hash, hash: r.hash } : null,
    }));
  }

  /** The export as a file to save: CSV (text/csv) or the FHIR Bundle (application/fhir+json). */
  exportFile(
    format: 'csv' | 'fhir',
    q: AuditReportQuery,
  ): { fileName: string; mimeType: string; text: string } {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    return format === 'csv'
      ? { fileName: `audit-report-${day}.csv`, mimeType: 'text/csv', text: this.csv(q) }
      : { fileName: `audit-report-${day}.fhir.json`, mimeType: 'application/fhir+json', text: this.fhir(q) };
  }

  /** RFC 4180 CSV with a header row, CRLF line ends, oldest first. */
  csv(q: AuditReportQuery): string {
    const header = [
      'time_utc',
      'staff',
      'role',
      'actor_kind',
      'action',
      'record_type',
      'record_id',
      'outcome',
      'device',
      'device_id',
      'fields',
      'source',
      'event_id',
      // FHIR AuditEvent.purposeOfEvent: 'BTG' for a read under emergency access (review 4: it was left out)
      'purpose_of_event',
    ];
    const lines = [header.join(',')];
    for (const e of this.all(q)) {
      lines.push(
        [
          e.at,
          e.staffName ?? '',
          e.role ?? '',
          e.actorKind,
          e.action,
          e.entityType,
          e.entityId ?? '',
          e.outcome,
          e.deviceName,
          e.deviceId,
          e.fields.join(' '),
          e.source,
          e.id,
          e.purposeOfEvent ?? '',
        ]
          .map(csvCell)
          .join(','),
      );
    }
    return lines.join('\r\n') + '\r\n';
  }

  /** A FHIR R4 Bundle (collection) of AuditEvent resources, oldest first, as JSON text. */
  fhir(q: AuditReportQuery): string {
    const now = this.now();
    return JSON.stringify(
      toFhirBundle(this.all(q), { id: uuidv7(now), timestamp: new Date(now).toISOString() }),
      null,
      2,
    );
  }
}

/**
 * One CSV field (RFC 4180 §2): quoted when it holds a comma, quote or line break. A text starting with = + - @
 * (or a tab/CR) is prefixed with an apostrophe so a spreadsheet never runs it as a formula (OWASP CSV injection).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
