/**
 * The privacy officer's audit report (admins only, issue 11): every event this PC holds — its own and those the
 * server sent (other desks, the portal) — filtered by time range, staff member, action, record type and id,
 * outcome and device; sorted by any column; exported as CSV or as a FHIR R4 AuditEvent bundle. Days and times
 * are the clinic location's wall clock with the zone named (issue 13: never UTC on screen; exports keep UTC
 * instants). Ids, staff and device names only: no patient data.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AuditReportColumn, AuditReportQuery } from '../../../../src-shared/contract';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '../../../../src-shared/domain';
import type { AuditEntryView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { InputField, SelectField, type Choice } from '../../components/Field';
import { saveBlob } from '../../lib/download';
import { useReference } from '../../state/reference';
import { announce } from '../../state/ui';
import { localDayBounds, localTimeCell, timeColumnLabel } from './report-time';

const PAGE = 100;
/** The filter choice that does not filter. */
const ANY = { value: '', label: 'Any' };
/** "Any", then each value as it is named in the audit log. */
const choices = (values: readonly string[]): Choice[] => [
  ANY,
  ...values.map((v) => ({ value: v, label: v })),
];

interface Form {
  fromDay: string;
  toDay: string;
  staffId: string;
  action: string;
  entityType: string;
  entityId: string;
  outcome: string;
  deviceId: string;
}
const EMPTY: Form = {
  fromDay: '',
  toDay: '',
  staffId: '',
  action: '',
  entityType: '',
  entityId: '',
  outcome: '',
  deviceId: '',
};

const COLUMNS: { by: AuditReportColumn; label: string }[] = [
  // The label names the clinic's IANA zone at render time (see timeColumnLabel).
  { by: 'at', label: 'Time' },
  { by: 'staff', label: 'Staff' },
  { by: 'action', label: 'Action' },
  { by: 'entityType', label: 'Record type' },
  { by: 'entityId', label: 'Record ID' },
  { by: 'outcome', label: 'Outcome' },
  { by: 'device', label: 'Device' },
];

/** The form as the API's query: a range of clinic-local days becomes inclusive UTC instants. */
function queryOf(f: Form): AuditReportQuery {
  const q: AuditReportQuery = { ...localDayBounds(f.fromDay, f.toDay) };
  if (f.staffId) q.staffId = f.staffId;
  if (f.action) q.action = f.action as AuditReportQuery['action'];
  if (f.entityType) q.entityType = f.entityType as AuditReportQuery['entityType'];
  if (f.entityId.trim()) q.entityId = f.entityId.trim();
  if (f.outcome) q.outcome = f.outcome as AuditReportQuery['outcome'];
  if (f.deviceId.trim()) q.deviceId = f.deviceId.trim();
  return q;
}

function who(e: AuditEntryView): string {
  if (e.actorKind === 'patient') return 'Patient (portal)';
  if (e.actorKind === 'system') return 'System';
  return e.staffName ?? 'Unknown staff';
}

export function AuditReportView() {
  const staff = useReference((s) => s.staff);
  const [form, setForm] = useState<Form>(EMPTY);
  const [applied, setApplied] = useState<AuditReportQuery>({});
  const [sort, setSort] = useState<{ by: AuditReportColumn; dir: 'asc' | 'desc' }>({ by: 'at', dir: 'desc' });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ rows: AuditEntryView[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    setError(null);
    call('audit.report', { ...applied, sort, offset, limit: PAGE }).then(
      (p) => {
        if (current) setPage(p);
      },
      (e) => {
        if (current) setError(errorMessage(e));
      },
    );
    return () => {
      current = false;
    };
  }, [applied, sort, offset]);

  const set = (key: keyof Form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  // The filters in their order on screen: a choice list, or a typed field (ids are not spell-checked).
  const filters: { key: keyof Form; label: string; options?: readonly Choice[]; type?: 'date' | 'text' }[] = [
    { key: 'fromDay', label: 'From day', type: 'date' },
    { key: 'toDay', label: 'To day', type: 'date' },
    {
      key: 'staffId',
      label: 'Staff member',
      options: [{ value: '', label: 'Anyone' }, ...staff.map((m) => ({ value: m.id, label: m.displayName }))],
    },
    { key: 'action', label: 'Action', options: choices(AUDIT_ACTIONS) },
    { key: 'entityType', label: 'Record type', options: choices(AUDIT_ENTITY_TYPES) },
    { key: 'entityId', label: 'Record ID', type: 'text' },
    {
      key: 'outcome',
      label: 'Outcome',
      options: [ANY, { value: 'success', label: 'Success' }, { value: 'failure', label: 'Failure' }],
    },
    { key: 'deviceId', label: 'Device ID', type: 'text' },
  ];

  function apply(e: FormEvent) {
    e.preventDefault();
    if (form.fromDay && form.toDay && form.fromDay > form.toDay) {
      setError('The first day must not be after the last day.');
      return;
    }
    setOffset(0);
    setApplied(queryOf(form));
  }

  async function exportAs(format: 'csv' | 'fhir') {
    setBusy(true);
    setError(null);
    try {
      const file = await call('audit.reportExport', { ...applied, format });
      saveBlob(new Blob([file.text], { type: file.mimeType }), file.fileName);
      announce(`Exported ${format === 'csv' ? 'CSV' : 'FHIR bundle'}.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const sortBy = (by: AuditReportColumn) => {
    setOffset(0);
    setSort((s) => ({ by, dir: s.by === by && s.dir === 'desc' ? 'asc' : 'desc' }));
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1 className="view-title">Audit report</h1>
          <p className="muted">
            Every recorded view, change, export, sign-in and refused attempt known to this PC, from this desk
            and from the server. Exports hold ids and staff names only.
          </p>
        </div>
      </div>
      <form className="card form report-filters" onSubmit={apply} aria-label="Report filters">
        <div className="field-row">
          {filters.map((f) =>
            f.options ? (
              <SelectField
                key={f.key}
                compact
                label={f.label}
                value={form[f.key]}
                onChange={set(f.key)}
                options={f.options}
              />
            ) : (
              <InputField
                key={f.key}
                compact
                label={f.label}
                type={f.type}
                spellCheck={f.type === 'text' ? false : undefined}
                value={form[f.key]}
                onChange={set(f.key)}
              />
            ),
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            Apply filters
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => void exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => void exportAs('fhir')}>
            Export FHIR
          </button>
        </div>
      </form>
      <div className="card">
        {error ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : null}
        {page === null ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <>
            <p role="status" className="muted">
              {page.total === 1 ? '1 event' : `${page.total} events`}
              {page.total > PAGE ? ` · showing ${offset + 1}–${Math.min(offset + PAGE, page.total)}` : ''}
            </p>
            <div className="table-wrap">
              <table className="table table-dense">
                <caption className="visually-hidden">Audit events</caption>
                <thead>
                  <tr>
                    {COLUMNS.map((c) => (
                      <th
                        key={c.by}
                        scope="col"
                        aria-sort={
                          sort.by === c.by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'
                        }
                      >
                        <button type="button" className="link-button" onClick={() => sortBy(c.by)}>
                          {c.by === 'at' ? timeColumnLabel() : c.label}
                        </button>
                      </th>
                    ))}
                    <th scope="col">Fields</th>
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <time dateTime={e.at}>{localTimeCell(e.at)}</time>
                      </td>
                      <td>
                        {who(e)}
                        {e.role ? <span className="muted"> · {e.role}</span> : null}
                      </td>
                      <td>{e.action}</td>
                      <td>{e.entityType}</td>
                      <td className="mono">{e.entityId ?? '—'}</td>
                      <td>
                        <span className={`outcome outcome-${e.outcome}`}>
                          {e.outcome === 'success' ? 'Success' : 'Failure'}
                        </span>
                      </td>
                      <td>{e.deviceName}</td>
                      <td>{e.fields.length ? e.fields.join(', ') : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {page.total > PAGE ? (
              <div className="form-actions">
                <button
                  type="button"
                  className="button"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE))}
                >
                  Previous page
                </button>
                <button
                  type="button"
                  className="button"
                  disabled={offset + PAGE >= page.total}
                  onClick={() => setOffset(offset + PAGE)}
                >
                  Next page
                </button>
              </div>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
