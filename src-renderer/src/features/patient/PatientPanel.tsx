/** The patient panel: minimal demographics, upcoming appointments and open threads. */
import { useEffect } from 'react';
import { APPOINTMENT_STATUS_LABEL, PriorityBadge, StatusBadge } from '../../components/Badges';
import { Dialog } from '../../components/Dialog';
import { dayLabel, hhmm, zoneLabel } from '../../lib/time';
import { useData } from '../../state/data';
import { chooseThread } from '../../state/inbox';
import { loadPatient, usePatient } from '../../state/patient';
import { useReference } from '../../state/reference';
import { setUi } from '../../state/ui';

export function PatientPanelDialog({ patientId, onClose }: { patientId: string; onClose: () => void }) {
  const panel = usePatient((s) => (s.patientId === patientId ? s.panel : null));
  const error = usePatient((s) => (s.patientId === patientId ? s.error : null));
  const providers = useReference((s) => s.providers);
  const version = useData((s) => s.version);

  useEffect(() => {
    void loadPatient(patientId);
  }, [patientId, version]);

  const p = panel?.patient;
  return (
    <Dialog
      title={p ? `${p.givenName} ${p.familyName}` : 'Patient'}
      subtitle={p ? `${p.mrn} · born ${p.birthDate}` : undefined}
      size="large"
      onClose={onClose}
    >
      {!panel ? (
        error ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : (
          <p aria-busy="true">Loading patient…</p>
        )
      ) : (
        <div className="patient-panel">
          <section aria-labelledby="patient-demo-title" className="panel-section">
            <h3 id="patient-demo-title" className="section-title">
              Patient details
            </h3>
            <dl className="facts facts-grid">
              <div>
                <dt>Name</dt>
                <dd>
                  {panel.patient.givenName} {panel.patient.familyName}
                </dd>
              </div>
              <div>
                <dt>MRN</dt>
                <dd>{panel.patient.mrn}</dd>
              </div>
              <div>
                <dt>Date of birth</dt>
                <dd>{panel.patient.birthDate}</dd>
              </div>
              <div>
                <dt>Phone</dt>
                <dd>{panel.patient.phone ?? 'Not on file'}</dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="patient-appts-title" className="panel-section">
            <h3 id="patient-appts-title" className="section-title">
              Upcoming appointments ({panel.upcoming.length})
            </h3>
            {panel.upcoming.length === 0 ? (
              <p className="muted">No upcoming appointments.</p>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">When ({zoneLabel()})</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {panel.upcoming.map((a) => (
                    <tr key={a.id}>
                      <td>
                        {dayLabel(a.start)} {hhmm(a.start)}
                      </td>
                      <td>{providers.find((x) => x.id === a.providerId)?.name ?? '—'}</td>
                      <td>{a.reason || '—'}</td>
                      <td>
                        {APPOINTMENT_STATUS_LABEL[a.status]}
                        {a.pending ? ' (not confirmed yet)' : ''}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Open appointment on ${dayLabel(a.start)} at ${hhmm(a.start)}`}
                          onClick={() => setUi({ appointmentId: a.id })}
                        >
                          Open
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="patient-threads-title" className="panel-section">
            <h3 id="patient-threads-title" className="section-title">
              Open threads ({panel.openThreads.length})
            </h3>
            {panel.openThreads.length === 0 ? (
              <p className="muted">No open message threads.</p>
            ) : (
              <ul className="plain-list">
                {panel.openThreads.map((t) => (
                  <li key={t.id} className="plain-list-row">
                    <span className="plain-list-main">{t.subject}</span>
                    <PriorityBadge priority={t.priority} />
                    <StatusBadge status={t.status} />
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Open thread: ${t.subject}`}
                      onClick={() => {
                        // Its summary goes with it: a thread whose body the role may not read shows topic and
                        // subject, whatever list the inbox shows (s9sec).
                        chooseThread(t, {
                          view: 'inbox',
                          queue: 'all',
                          patientId: null,
                          appointmentId: null,
                        });
                      }}
                    >
                      Open
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="dialog-actions dialog-actions-start">
            <button
              type="button"
              className="button button-quiet"
              onClick={() => setUi({ auditTarget: { entityType: 'patient', entityId: patientId } })}
            >
              Audit trail
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
