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

// Local events (confirmed when the server sent them back) plus server events not from this log.
const UNION = `
  WITH u AS (
    SELECT e.id, e.at, e.staff_id, e.role, e.device_id, e.action, e.entity_type, e.entity_id, e.outcome, e.fields,
      e.actor_kind, e.prev_hash, e.hash,
      CASE WHEN EXISTS (SELECT 1 FROM audit_remote r WHERE r.id = e.id) THEN 'server' ELSE 'local' END AS source
    FROM audit_events e
    UNION ALL
    SELECT r.id, r.at, r.staff_id, r.role, r.device_id, r.action, r.entity_type, r.entity_id, r.outcome, r.fields,
      r.actor_kind, NULL, NULL, 'server'
    FROM audit_remote r WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = r.id)
  )`;
const FROM = `FROM u LEFT JOIN staff s ON s.id = u.staff_id AND u.actor_kind != 'patient'
  LEFT JOIN devices d ON d.id = u.device_id`;
const WHERE = `WHERE (@from IS NULL OR u.at >= @from) AND (@to IS NULL OR u.at <= @to)
  AND (@staffId IS NULL OR u.staff_id = @staffId) AND (@action IS NULL OR u.action = @action)
  AND (@entityType IS NULL OR u.entity_type = @entityType) AND (@entityId IS NULL OR u.entity_id = @entityId)
  AND (@outcome IS NULL OR u.outcome = @outcome) AND (@deviceId IS NULL OR u.device_id = @deviceId)`;

/** Stored times are toISOString() text, so filter bounds are compared in the same form. */
function instant(iso: string | undefined): string | null {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError('audit report: a time is not an ISO instant');
  return new Date(t).toISOString();
}

function params(q: AuditReportQuery): Record<string, string | null> {
  return {
    from: instant(q.from),
    to: instant(q.to),
    staffId: q.staffId ?? null,
    action: q.action ?? null,
    entityType: q.entityType ?? null,
    entityId: q.entityId ?? null,
    outcome: q.outcome ?? null,
    deviceId: q.deviceId ?? null,
  };
}

export class AuditReport {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly now: () => number,
  ) {}

  private select(q: AuditReportQuery, sort: AuditReportSort, limit: number, offset: number): ReportRow[] {
    const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
    return this.store.db
      .prepare(
        `${UNION} SELECT u.* ${FROM} ${WHERE}
         ORDER BY ${ORDER[sort.by]} ${dir}, u.at ${dir}, u.id ${dir} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params(q), limit, offset }) as ReportRow[];
  }

  /** One page of the report: rows in the asked order (default newest first) and the total that match. */
  page(
    q: AuditReportQuery,
    sort: AuditReportSort | undefined,
    offset: number,
    limit: number,
  ): AuditReportPage {
    const rows = this.select(q, sort ?? { by: 'at', dir: 'desc' }, limit, offset);
    const { n } = this.store.db.prepare(`${UNION} SELECT count(*) AS n ${FROM} ${WHERE}`).get(params(q)) as {
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
