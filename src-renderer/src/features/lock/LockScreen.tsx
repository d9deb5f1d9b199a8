/**
 * The lock screen: only the locked person's display name is shown. Their password unlocks; "Switch user" opens
 * the full sign-in. Nothing of PHI is mounted while this shows (the stores were emptied before it rendered).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, errorMessage, retryAfter } from '../../api';
import { BrandMark } from '../../components/Brand';
import { applySession, setSwitchingUser, useSession } from '../../state/session';

export function LockScreen() {
  const name = useSession((s) => s.info?.staff?.displayName ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  useEffect(() => ref.current?.focus(), []);

  async function unlock(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const password = ref.current?.value ?? '';
    if (!password) {
      setError('Enter your password.');
      ref.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const info = await call('auth.unlock', { password });
      applySession(info);
    } catch (err) {
      const wait = retryAfter(err);
      setError(wait ? `Too many failed attempts. Try again in ${wait} s.` : errorMessage(err));
      if (ref.current) {
        ref.current.value = '';
        ref.current.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="auth-screen auth-screen-locked">
      <main className="auth-card" aria-labelledby="lock-title">
        <div className="auth-brand">
          <BrandMark size={36} />
          <div>
            <p className="auth-product">Clinic Console</p>
            <h1 id="lock-title" className="auth-title">
              Console locked
            </h1>
          </div>
        </div>
        <p className="auth-note">
          Locked for <strong className="lock-name">{name}</strong>. Enter your password to continue where you
          left off.
        </p>
        <form className="form" onSubmit={unlock} noValidate>
          <div className="field">
            <label htmlFor="unlock-password">Password</label>
            <input
              ref={ref}
              id="unlock-password"
              name="password"
              type="password"
              autoComplete="current-password"
            />
          </div>
          <div className="form-error" role="alert">
            {error ? <p>{error}</p> : null}
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
          <button
            type="button"
            className="button button-quiet button-block"
            onClick={() => setSwitchingUser(true)}
          >
            Switch user
          </button>
        </form>
      </main>
    </div>
  );
}
