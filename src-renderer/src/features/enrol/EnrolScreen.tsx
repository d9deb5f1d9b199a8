/**
 * First-run enrolment of this PC (issue 10): an admin signs in with username, password and the 6-digit code;
 * the server issues this PC's device id and secret, which the core keeps in the encrypted store. Also shown,
 * with the removal notice, when an admin revoked this PC.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api';
import { BrandMark } from '../../components/Brand';
import { applySession, useSession } from '../../state/session';

export const REVOKED_NOTICE = 'This PC was removed from the clinic: ask IT to enrol it again.';

export function EnrolScreen() {
  const revoked = useSession((s) => s.info?.device === 'revoked');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => userRef.current?.focus(), []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const totp = String(form.get('totp') ?? '').replace(/\s+/g, '');
    if (!username || !password) {
      setError('Enter the admin username and password.');
      return;
    }
    if (!/^\d{6}$/.test(totp)) {
      setError('Enter the 6-digit code from the admin authenticator app.');
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      applySession(await call('device.enrol', { username, password, totp }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
      if (passwordRef.current) passwordRef.current.value = '';
      if (codeRef.current) codeRef.current.value = '';
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="auth-screen">
      <main className="auth-card" aria-labelledby="enrol-title">
        <div className="auth-brand">
          <BrandMark size={36} />
          <div>
            <p className="auth-product">Clinic Console</p>
            <h1 id="enrol-title" className="auth-title">
              Enrol this PC
            </h1>
          </div>
        </div>
        {revoked ? (
          <p className="auth-note" role="alert">
            {REVOKED_NOTICE} The data and unsent changes on this PC are kept.
          </p>
        ) : (
          <p className="auth-note">
            Before staff can sign in, a clinic admin enrols this PC with the clinic server.
          </p>
        )}
        <form className="form" onSubmit={submit} noValidate aria-label="Enrol this PC">
          <div className="field">
            <label htmlFor="enrol-username">Admin username</label>
            <input
              ref={userRef}
              id="enrol-username"
              name="username"
              autoComplete="username"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="enrol-password">Admin password</label>
            <input
              ref={passwordRef}
              id="enrol-password"
              name="password"
              type="password"
              autoComplete="current-password"
            />
          </div>
          <div className="field">
            <label htmlFor="enrol-totp">Admin 6-digit code</label>
            <input
              ref={codeRef}
              id="enrol-totp"
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              className="input-code"
            />
          </div>
          <div className="form-error" role="alert">
            {error ? <p>{error}</p> : null}
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Enrolling…' : 'Enrol this PC'}
          </button>
        </form>
      </main>
    </div>
  );
}
