/**
 * Admin settings: idle auto-lock timeout, portal server address, the offline sign-in period, and the store
 * window (DESIGN.md §4: how many days of closed threads and of the schedule this PC keeps).
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { useSession } from '../../state/session';
import { useSync } from '../../state/sync';
import { announce } from '../../state/ui';
import { DevicesPanel } from './DevicesPanel';
import { TriageSettings } from '../triage/TriageSettings';

export function SettingsView() {
  const [saved, setSaved] = useState<Settings | null>(null);
  const [idle, setIdle] = useState('');
  const [url, setUrl] = useState('');
  const [grace, setGrace] = useState('');
  const [closedDays, setClosedDays] = useState('');
  const [backDays, setBackDays] = useState('');
  const [aheadDays, setAheadDays] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const deviceId = useSession((s) => s.info?.deviceId ?? null);
  const connection = useSync((s) => s.status?.connection ?? null);
  const isAdmin = useSession((s) => s.info?.staff?.role === 'admin');

  const show = (s: Settings) => {
    setSaved(s);
    setIdle(String(s.idleTimeoutMinutes));
    setUrl(s.serverUrl);
    setGrace(String(s.offlineGraceHours));
    setClosedDays(String(s.closedThreadDays));
    setBackDays(String(s.scheduleBackDays));
    setAheadDays(String(s.scheduleAheadDays));
    setPhone(s.clinicPhone);
  };

  useEffect(() => {
    call('settings.get', {}).then(show, (e) => setError(errorMessage(e)));
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setStatus(null);
    const idleMinutes = Number(idle);
    const graceHours = Number(grace);
    if (!Number.isInteger(idleMinutes) || idleMinutes < 1 || idleMinutes > 60) {
      setError('The idle timeout must be a whole number of minutes from 1 to 60.');
      return;
    }
    if (!Number.isInteger(graceHours) || graceHours < 1 || graceHours > 720) {
      setError('The offline sign-in period must be a whole number of hours from 1 to 720.');
      return;
    }
    const window = [
      { value: Number(closedDays), min: 1, what: 'Closed threads kept' },
      { value: Number(backDays), min: 0, what: 'Schedule kept back' },
      { value: Number(aheadDays), min: 1, what: 'Schedule kept ahead' },
    ];
    for (const w of window) {
      if (!Number.isInteger(w.value) || w.value < w.min || w.value > 3650) {
        setError(`${w.what} must be a whole number of days from ${w.min} to 3650.`);
        return;
      }
    }
    setBusy(true);
    try {
      const next = await call('settings.update', {
        idleTimeoutMinutes: idleMinutes,
        serverUrl: url.trim(),
        offlineGraceHours: graceHours,
        closedThreadDays: window[0]!.value,
        scheduleBackDays: window[1]!.value,
        scheduleAheadDays: window[2]!.value,
        clinicPhone: phone.trim(),
      });
      show(next);
      setStatus('Settings saved.');
      announce('Settings saved.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const dirty =
    saved !== null &&
    (String(saved.idleTimeoutMinutes) !== idle ||
      saved.serverUrl !== url ||
      String(saved.offlineGraceHours) !== grace ||
      String(saved.closedThreadDays) !== closedDays ||
      String(saved.scheduleBackDays) !== backDays ||
      String(saved.scheduleAheadDays) !== aheadDays ||
      saved.clinicPhone !== phone);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1 className="view-title">Settings</h1>
          <p className="muted">Settings for this PC. Changes are recorded in the audit log.</p>
        </div>
      </div>
      <div className="settings-layout">
        <form className="card form" onSubmit={submit} noValidate aria-label="Settings for this PC">
          <div className="field">
            <label htmlFor="settings-idle">Lock after idle (minutes)</label>
            <input
              id="settings-idle"
              type="number"
              min={1}
              max={60}
              step={1}
              inputMode="numeric"
              value={idle}
              aria-describedby="settings-idle-hint"
              onChange={(e) => setIdle(e.target.value)}
            />
            <p id="settings-idle-hint" className="hint">
              1 to 60 minutes. The console also locks when the PC's screen locks or it goes to sleep.
            </p>
          </div>
          <div className="field">
            <label htmlFor="settings-phone">Clinic phone</label>
            <input
              id="settings-phone"
              type="tel"
              maxLength={40}
              value={phone}
              aria-describedby="settings-phone-hint"
              onChange={(e) => setPhone(e.target.value)}
            />
            <p id="settings-phone-hint" className="hint">
              As patients should dial it: filled into reply templates that use the clinic phone.
            </p>
          </div>
          <div className="field">
            <label htmlFor="settings-url">Portal server address</label>
            <input
              id="settings-url"
              type="url"
              value={url}
              spellCheck={false}
              aria-describedby="settings-url-hint"
              onChange={(e) => setUrl(e.target.value)}
            />
            <p id="settings-url-hint" className="hint">
              Must be https:// (http:// only for a server on this PC).
            </p>
          </div>
          <div className="field">
            <label htmlFor="settings-grace">Offline sign-in period (hours)</label>
            <input
              id="settings-grace"
              type="number"
              min={1}
              max={720}
              step={1}
              inputMode="numeric"
              value={grace}
              aria-describedby="settings-grace-hint"
              onChange={(e) => setGrace(e.target.value)}
            />
            <p id="settings-grace-hint" className="hint">
              How long after their last online sign-in staff can still sign in on this PC while the server is
              unreachable.
            </p>
          </div>
          <fieldset className="field">
            <legend>What this PC keeps (days)</legend>
            <p id="settings-window-hint" className="hint">
              Open threads are always kept. Older records are deleted from this PC (overwritten) and fetched
              from the server when someone opens them.
            </p>
            {(
              [
                [
                  'settings-closed-days',
                  'Closed threads, after their last message',
                  closedDays,
                  setClosedDays,
                  1,
                ],
                ['settings-back-days', 'Schedule, days back', backDays, setBackDays, 0],
                ['settings-ahead-days', 'Schedule, days ahead', aheadDays, setAheadDays, 1],
              ] as const
            ).map(([id, label, value, set, min]) => (
              <div key={id} className="field">
                <label htmlFor={id}>{label}</label>
                <input
                  id={id}
                  type="number"
                  min={min}
                  max={3650}
                  step={1}
                  inputMode="numeric"
                  value={value}
                  aria-describedby="settings-window-hint"
                  onChange={(e) => set(e.target.value)}
                />
              </div>
            ))}
          </fieldset>
          <div className="form-error" role="alert">
            {error ? <p>{error}</p> : null}
          </div>
          <div className="form-actions">
            <p className="ok-text" role="status">
              {status}
            </p>
            <button type="submit" className="button button-primary" disabled={busy || !saved || !dirty}>
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
        <aside className="card about" aria-labelledby="about-title">
          <h2 id="about-title" className="section-title">
            This PC
          </h2>
          <dl className="facts">
            <div>
              <dt>Device ID</dt>
              <dd className="mono">{deviceId ?? 'Not enrolled yet'}</dd>
            </div>
            <div>
              <dt>Portal connection</dt>
              <dd>
                {connection === null
                  ? '—'
                  : connection === 'online'
                    ? 'Online'
                    : connection === 'syncing'
                      ? 'Syncing'
                      : connection === 'error'
                        ? 'Error'
                        : 'Offline'}
              </dd>
            </div>
            <div>
              <dt>Locks after</dt>
              <dd>{saved ? `${saved.idleTimeoutMinutes} min idle` : '—'}</dd>
            </div>
          </dl>
          <p className="hint">
            Patient data on this PC is kept in an encrypted store whose key is in the operating system's
            keychain.
          </p>
        </aside>
      </div>
      {isAdmin ? <DevicesPanel /> : null}
      {isAdmin ? <TriageSettings /> : null}
    </div>
  );
}
