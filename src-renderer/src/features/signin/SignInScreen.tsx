/** Full sign-in: username, password and the 6-digit code from the authenticator app (DESIGN.md §6). */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import { call, errorMessage, retryAfter } from '../../api';
import { BrandMark } from '../../components/Brand';
import { applySession, setSwitchingUser, useSession } from '../../state/session';

/** The last sign-in error survives the screen switching from "locked" to "signed out" under it. */
const useSignInError = create<{ message: string | null; until: number | null }>()(() => ({
  message: null,
  until: null,
}));

export function SignInScreen() {
  const locked = useSession((s) => s.info?.state === 'locked');
  const lockedName = useSession((s) => s.info?.staff?.displayName ?? null);
  const { message, until } = useSignInError();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => performance.now());
  const userRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => userRef.current?.focus(), []);

  // Count down a throttling wait, then re-enable the form.
  useEffect(() => {
    if (until === null) return;
    const t = setInterval(() => {
      const n = performance.now();
      setNow(n);
      if (n >= until) useSignInError.setState({ until: null, message: null });
    }, 250);
    return () => clearInterval(t);
  }, [until]);

  const waitSeconds = until !== null ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const totp = String(form.get('totp') ?? '').replace(/\s+/g, '');
    if (!username || !password) {
      useSignInError.setState({ message: 'Enter your username and password.', until: null });
      (username ? passwordRef : userRef).current?.focus();
      return;
    }
    if (!/^\d{6}$/.test(totp)) {
      useSignInError.setState({
        message: 'Enter the 6-digit code from your authenticator app.',
        until: null,
      });
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const info = await call('auth.signIn', { username, password, totp });
      useSignInError.setState({ message: null, until: null });
      applySession(info);
    } catch (error) {
      const wait = retryAfter(error);
      useSignInError.setState({
        message: errorMessage(error),
        until: wait ? performance.now() + wait * 1000 : null,
      });
      if (passwordRef.current) passwordRef.current.value = '';
      if (codeRef.current) codeRef.current.value = '';
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  const errorText = until !== null ? `Too many failed attempts. Try again in ${waitSeconds} s.` : message;

  return (
    <div className="auth-screen">
      <main className="auth-card" aria-labelledby="signin-title">
        <div className="auth-brand">
          <BrandMark size={36} />
          <div>
            <p className="auth-product">Clinic Console</p>
            <h1 id="signin-title" className="auth-title">
              {locked ? 'Switch user' : 'Staff sign-in'}
            </h1>
          </div>
        </div>
        {locked && lockedName ? (
          <p className="auth-note">
            Signing in ends the session of {lockedName} on this PC. Their unsaved drafts are discarded.
          </p>
        ) : (
          <p className="auth-note">For authorised clinic staff. Every sign-in is recorded.</p>
        )}
        <form className="form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="signin-username">Username</label>
            <input
              ref={userRef}
              id="signin-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input
              ref={passwordRef}
              id="signin-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
          </div>
          <div className="field">
            <label htmlFor="signin-totp">6-digit code</label>
            <input
              ref={codeRef}
              id="signin-totp"
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={7}
              aria-describedby="signin-totp-hint"
              className="input-code"
              required
            />
            <p id="signin-totp-hint" className="hint">
              From the authenticator app on your phone.
            </p>
          </div>
          <div className="form-error" role="alert">
            {errorText ? <p>{errorText}</p> : null}
          </div>
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy || until !== null}
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          {locked ? (
            <button
              type="button"
              className="button button-quiet button-block"
              onClick={() => setSwitchingUser(false)}
            >
              Back to the lock screen
            </button>
          ) : null}
        </form>
      </main>
    </div>
  );
}
