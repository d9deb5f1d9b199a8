/**
 * Admin: the clinic's enrolled PCs with a remove (revoke) action, and the server's audit-integrity alerts
 * (issue 10). Both come from the server and need an online admin session.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditAlertRecord, EnrolledDevice } from '../../../../src-shared/sync';
import { call, errorMessage } from '../../api';
import { AdminList } from '../../components/AdminList';
import { useSession } from '../../state/session';
import { announce } from '../../state/ui';

export function DevicesPanel() {
  const self = useSession((s) => s.info?.deviceId ?? null);
  const [devices, setDevices] = useState<EnrolledDevice[] | null>(null);
  const [alerts, setAlerts] = useState<AuditAlertRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    call('admin.devices', {}).then(setDevices, (e) => setError(errorMessage(e)));
    call('admin.auditAlerts', {}).then(setAlerts, (e) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);

  async function revoke(device: EnrolledDevice) {
    if (!window.confirm(`Remove "${device.name}" from the clinic? It will stop syncing at once.`)) return;
    setBusy(device.id);
    try {
      await call('admin.revokeDevice', { deviceId: device.id });
      announce(`${device.name} was removed.`);
      load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title" className="section-title">
        Enrolled PCs
      </h2>
      <div className="form-error" role="alert">
        {error ? <p>{error}</p> : null}
      </div>
      <AdminList
        label="Enrolled PCs"
        records={devices}
        columns={[
          { header: 'Name', cell: (d) => `${d.name}${d.id === self ? ' (this PC)' : ''}` },
          { header: 'Enrolled', cell: (d) => new Date(d.createdAt).toLocaleString() },
          { header: 'State', cell: (d) => (d.revokedAt ? 'Removed' : 'Active') },
        ]}
        action={{
          text: 'Remove',
          label: (d) => `Remove ${d.name}`,
          when: (d) => !d.revokedAt,
          disabled: busy !== null,
          onAction: (d) => void revoke(d),
        }}
      />
      <h2 id="alerts-title" className="section-title">
        Audit integrity alerts
      </h2>
      {alerts === null ? null : alerts.length === 0 ? (
        <p className="muted">No audit integrity alerts.</p>
      ) : (
        <ul aria-labelledby="alerts-title" className="alert-list">
          {alerts.map((a) => (
            <li key={a.seq}>
              <strong>{a.kind}</strong> {new Date(a.at).toLocaleString()} — {a.detail} (PC{' '}
              {devices?.find((d) => d.id === a.deviceId)?.name ?? a.deviceId})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
