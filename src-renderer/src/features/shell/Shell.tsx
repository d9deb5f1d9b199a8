/** The signed-in console: header with role-aware navigation, the current view, overlays and the sync bar. */
import { useCallback, useEffect, useState } from 'react';
import type { Role } from '../../../../src-shared/domain';
import { call } from '../../api';
import { BrandMark } from '../../components/Brand';
import { Dialog } from '../../components/Dialog';
import { useInbox } from '../../state/inbox';
import { loadReference, refreshReference, refreshTemplates } from '../../state/reference';
import { useData } from '../../state/data';
import { applySession, useSession } from '../../state/session';
import { loadProblems, refreshSyncStatus } from '../../state/sync';
import { setUi, useUi, type View } from '../../state/ui';
import { SettingsView } from '../admin/SettingsView';
import { AvailabilityView } from '../admin/AvailabilityView';
import { AccountActivityView } from '../audit/AccountActivity';
import { AuditReportView } from '../audit/AuditReport';
import { AuditPanelDialog } from '../audit/AuditPanel';
import { InboxView } from '../inbox/InboxView';
import { PatientPanelDialog } from '../patient/PatientPanel';
import { AppointmentDialog } from '../schedule/AppointmentDialog';
import { ScheduleView } from '../schedule/ScheduleView';
import { REVOKED_NOTICE } from '../enrol/EnrolScreen';
import { SyncBar, SyncProblemBanner, SyncProblemsDialog } from '../sync/SyncBar';
import { BreakGlassReport } from '../triage/BreakGlassReport';
import { CoverageView } from '../triage/CoverageView';
import { lockNow, SHORTCUTS, useShortcuts } from './keyboard';

const VIEW_LABEL: Record<View, string> = {
  inbox: 'Inbox',
  schedule: 'Schedule',
  activity: 'Account activity',
  settings: 'Settings',
  audit: 'Audit report',
  breakglass: 'Emergency access',
  availability: 'Availability',
  coverage: 'Coverage',
};

const ROLE_LABEL: Record<Role, string> = {
  receptionist: 'Reception',
  clinician: 'Clinician',
  admin: 'IT admin',
};

export function viewsFor(role: Role): View[] {
  if (role === 'receptionist') return ['schedule', 'inbox', 'activity'];
  if (role === 'clinician') return ['inbox', 'schedule', 'coverage', 'activity'];
  return ['settings', 'audit', 'breakglass', 'coverage', 'inbox', 'schedule', 'availability', 'activity'];
}

export function Shell() {
  const staff = useSession((s) => s.info?.staff);
  const offline = useSession((s) => s.info?.offline ?? false);
  const revoked = useSession((s) => s.info?.device === 'revoked');
  const view = useUi((s) => s.view);
  const appointmentId = useUi((s) => s.appointmentId);
  const patientId = useUi((s) => s.patientId);
  const auditTarget = useUi((s) => s.auditTarget);
  const announcement = useUi((s) => s.announcement);
  const unread = useInbox((s) => s.counts?.all ?? 0);
  const [help, setHelp] = useState(false);
  const role = staff?.role ?? 'receptionist';
  const views = viewsFor(role);
  const current = views.includes(view) ? view : views[0]!;

  useShortcuts(useCallback(() => setHelp(true), []));

  useEffect(() => {
    void loadReference(true).catch(() => undefined);
    void refreshSyncStatus();
    void loadProblems();
  }, []);

  const version = useData((s) => s.version);
  useEffect(() => {
    const { entities } = useData.getState();
    if (version > 0 && (entities.includes('provider') || entities.includes('staff'))) {
      void refreshReference().catch(() => undefined);
    }
    // session 4, 14c: a pool template an admin made reaches the reply box with the sync that brought it.
    if (version > 0 && entities.includes('poolTemplate')) {
      void refreshTemplates().catch(() => undefined);
    }
  }, [version]);

  useEffect(() => {
    document.title = `${VIEW_LABEL[current]} · Clinic Console`;
  }, [current]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="topbar">
        <div className="topbar-brand">
          <BrandMark />
          <span className="topbar-product">Clinic Console</span>
        </div>
        <nav className="topnav" aria-label="Main">
          <ul>
            {views.map((v) => (
              <li key={v}>
                <button
                  type="button"
                  className="topnav-link"
                  aria-current={v === current ? 'page' : undefined}
                  onClick={() => setUi({ view: v })}
                >
                  {VIEW_LABEL[v]}
                  {v === 'inbox' && unread > 0 ? (
                    <span className="topnav-count" aria-label={`${unread} unread`}>
                      {unread > 999 ? '999+' : unread}
                    </span>
                  ) : null}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-user">
          <span className="user-name">
            {staff?.displayName}
            <span className="user-role">{ROLE_LABEL[role]}</span>
          </span>
          <button type="button" className="button button-small button-onbar" onClick={() => setHelp(true)}>
            Shortcuts
          </button>
          <button
            type="button"
            className="button button-small button-onbar"
            aria-keyshortcuts="Control+L"
            onClick={() => void lockNow()}
          >
            Lock
          </button>
          <button
            type="button"
            className="button button-small button-onbar"
            onClick={async () => {
              try {
                applySession(await call('auth.signOut', {}));
              } catch {
                // session.changed will follow.
              }
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <SyncProblemBanner />
      <main id="main" className={`main main-${current}`} tabIndex={-1} aria-label={VIEW_LABEL[current]}>
        {current === 'inbox' || current === 'schedule' ? (
          <h1 className="visually-hidden">{VIEW_LABEL[current]}</h1>
        ) : null}
        {current === 'inbox' ? <InboxView /> : null}
        {current === 'schedule' ? <ScheduleView /> : null}
        {current === 'activity' ? <AccountActivityView /> : null}
        {current === 'settings' && role === 'admin' ? <SettingsView /> : null}
        {current === 'audit' && role === 'admin' ? <AuditReportView /> : null}
        {current === 'breakglass' && role === 'admin' ? <BreakGlassReport /> : null}
        {current === 'availability' && role === 'admin' ? <AvailabilityView /> : null}
        {current === 'coverage' && role !== 'receptionist' ? <CoverageView /> : null}
      </main>
      {revoked ? (
        <p className="form-error" role="alert">
          {REVOKED_NOTICE} Nothing on this PC was deleted; unsent changes wait until it is enrolled again.
        </p>
      ) : null}
      <SyncBar offlineSession={offline} />

      {appointmentId ? (
        <AppointmentDialog appointmentId={appointmentId} onClose={() => setUi({ appointmentId: null })} />
      ) : null}
      {patientId ? (
        <PatientPanelDialog patientId={patientId} onClose={() => setUi({ patientId: null })} />
      ) : null}
      {auditTarget ? (
        <AuditPanelDialog
          entityType={auditTarget.entityType}
          entityId={auditTarget.entityId}
          onClose={() => setUi({ auditTarget: null })}
        />
      ) : null}
      <SyncProblemsDialog />
      {help ? (
        <Dialog title="Keyboard shortcuts" size="small" onClose={() => setHelp(false)}>
          <table className="table shortcuts">
            <caption className="visually-hidden">Keyboard shortcuts</caption>
            <tbody>
              {SHORTCUTS.map(([key, what]) => (
                <tr key={key}>
                  <th scope="row">
                    <kbd>{key}</kbd>
                  </th>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Dialog>
      ) : null}
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {announcement.text ? <span key={announcement.n}>{announcement.text}</span> : null}
      </div>
    </div>
  );
}
