/**
 * The per-record audit trail (who saw or changed it, when, from which device), newest first; verifying the local
 * hash chain; and a FHIR R4 AuditEvent export for clinicians and admins.
 */
import { useEffect, useState } from 'react';
import type { AuditEntryView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { saveBlob } from '../../lib/download';
import { dateTimeLabel } from '../../lib/time';
import { loadTrail, useAudit, verifyLog } from '../../state/audit';
import { useData } from '../../state/data';
import { useSession } from '../../state/session';
import { announce, type AuditEntity } from '../../state/ui';

const ACTION_LABEL: Record<AuditEntryView['action'], string> = {
  create: 'Created',
  read: 'Viewed',
  update: 'Changed',
  delete: 'Deleted',
  export: 'Exported',
  print: 'Printed',
  'sign-in': 'Signed in',
  'sign-out': 'Signed out',
  lock: 'Locked',
  unlock: 'Unlocked',
  'failed-sign-in': 'Failed sign-in',
};

const ENTITY_LABEL: Record<AuditEntity, string> = {
  thread: 'Thread',
  appointment: 'Appointment',
  patient: 'Patient',
};

export function AuditTable({ entries, caption }: { entries: AuditEntryView[]; caption: string }) {
  if (entries.length === 0) return <p className="muted">No events recorded yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table table-dense">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time (clinic)</th>
            <th scope="col">Who</th>
            <th scope="col">Device</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Changed fields</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td className="nowrap">
                <time dateTime={e.at}>
                  {dateTimeLabel(e.at).replace(/ (\S+)$/, `:${e.at.slice(17, 19)} $1`)}
                </time>
              </td>
              <td>
                {e.actorKind === 'patient'
                  ? 'Patient (portal)'
                  : e.actorKind === 'system'
                    ? coverageActor(e)
                    : (e.staffName ?? 'Unknown staff')}
                {e.role ? <span className="muted"> · {e.role}</span> : null}
              </td>
              <td>
                {e.deviceName}
                {e.source === 'local' ? <span className="muted"> · not yet synced</span> : null}
              </td>
              <td>{ACTION_LABEL[e.action]}</td>
              <td>
                <span className={`outcome outcome-${e.outcome}`}>
                  {e.outcome === 'success' ? 'Success' : 'Failure'}
                </span>
              </td>
              <td>{e.fields.length ? e.fields.join(', ') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function VerifyBlock() {
  const verify = useAudit((s) => s.verify);
  const verifyError = useAudit((s) => s.verifyError);
  const [busy, setBusy] = useState(false);
  return (
    <div className="verify">
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await verifyLog();
          setBusy(false);
        }}
      >
        {busy ? 'Verifying…' : 'Verify audit log'}
      </button>
      <p className="verify-result" role="status">
        {verifyError ? (
          <span className="inline-error">{verifyError}</span>
        ) : verify === null ? null : verify.ok ? (
          <span className="ok-text">
            Audit log intact: {verify.count.toLocaleString('en')} events verified on this PC.
          </span>
        ) : (
          <span className="inline-error">
            Audit log damaged: the chain breaks at event {verify.firstBadEventId} (
            {verify.reason.replace('-', ' ')}). Tell IT.
          </span>
        )}
      </p>
    </div>
  );
}

export function AuditPanelDialog(p: { entityType: AuditEntity; entityId: string; onClose: () => void }) {
  const key = `${p.entityType}/${p.entityId}`;
  const trail = useAudit((s) => (s.targetKey === key ? s.trail : null));
  const error = useAudit((s) => (s.targetKey === key ? s.error : null));
  const role = useSession((s) => s.info?.staff?.role);
  const version = useData((s) => s.version);
  const [exportError, setExportError] = useState<string | null>(null);
  const canExport = role === 'clinician' || role === 'admin';

  useEffect(() => {
    void loadTrail(p.entityType, p.entityId);
  }, [p.entityType, p.entityId, version]);

  async function exportFhir() {
    setExportError(null);
    try {
      const { bundleJson } = await call('audit.export', { entityType: p.entityType, entityId: p.entityId });
      saveBlob(
        new Blob([bundleJson], { type: 'application/fhir+json' }),
        `audit-${p.entityType}-${p.entityId}.json`,
      );
      announce('Audit trail exported as a FHIR bundle.');
    } catch (e) {
      setExportError(errorMessage(e));
    }
  }

  return (
    <Dialog
      title={`Audit trail · ${ENTITY_LABEL[p.entityType]}`}
      subtitle="Who viewed or changed this record, newest first"
      size="large"
      onClose={p.onClose}
    >
      <div className="audit-toolbar">
        <button type="button" className="button" onClick={() => void loadTrail(p.entityType, p.entityId)}>
          Refresh
        </button>
        {canExport ? (
          <button type="button" className="button" onClick={() => void exportFhir()}>
            Export (FHIR)
          </button>
        ) : null}
        <VerifyBlock />
      </div>
      {exportError ? (
        <p className="inline-error" role="alert">
          {exportError}
        </p>
      ) : null}
      {trail ? (
        <AuditTable entries={trail} caption={`Audit trail of this ${p.entityType}`} />
      ) : error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : (
        <p aria-busy="true">Loading audit trail…</p>
      )}
    </Dialog>
  );
}

/**
 * Session 4, 14c: a move the server made for an absence (fields 'coverage.hand-over' / 'coverage.hand-back') says
 * why and for whom; other system events say "System".
 */
function coverageActor(e: AuditEntryView): string {
  const why = e.fields.includes('coverage.hand-over')
    ? 'coverage hand-over'
    : e.fields.includes('coverage.hand-back')
      ? 'coverage hand-back'
      : null;
  if (!why) return 'System';
  return e.staffName ? `System (${why}: ${e.staffName} away)` : `System (${why})`;
}
