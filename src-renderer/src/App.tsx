/** Which screen shows: a start-up problem, sign-in, the lock screen, or the console. */
import { EnrolScreen } from './features/enrol/EnrolScreen';
import { LockScreen } from './features/lock/LockScreen';
import { Shell } from './features/shell/Shell';
import { SignInScreen } from './features/signin/SignInScreen';
import { useSession } from './state/session';

export function App() {
  const state = useSession((s) => s.info?.state ?? null);
  const fatal = useSession((s) => s.fatal);
  const switchingUser = useSession((s) => s.switchingUser);
  const device = useSession((s) => s.info?.device ?? null);

  if (fatal) {
    return (
      <div className="auth-screen">
        <main className="auth-card" aria-labelledby="fatal-title">
          <h1 id="fatal-title" className="auth-title">
            The console cannot start
          </h1>
          <p role="alert">{fatal}</p>
        </main>
      </div>
    );
  }
  if (state === null) {
    return (
      <div className="auth-screen">
        <main className="auth-card" aria-busy="true" aria-label="Starting">
          <p>Starting Clinic Console…</p>
        </main>
      </div>
    );
  }
  // issue 10: a PC that is not enrolled (first run) or was removed by an admin shows the enrolment screen.
  if (state === 'signed-out' && device !== null && device !== 'enrolled') return <EnrolScreen />;
  if (state === 'signed-out' || (state === 'locked' && switchingUser)) return <SignInScreen />;
  if (state === 'locked') return <LockScreen />;
  return <Shell />;
}
