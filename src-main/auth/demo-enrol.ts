/**
 * `npm start` against the demo backend (scripts/start.mjs): enrol this console as the demo admin on first run,
 * and say so (issue 10). CLINIC_DEMO_ENROL carries the demo admin's username, password and TOTP secret as the
 * demo backend printed them; it is set only by the development start script, never in a packaged build.
 */
import { totp } from '../../src-shared/totp';
import type { AuthService } from './auth-service';

export async function enrolAsDemoAdmin(
  auth: AuthService,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<void> {
  const raw = env.CLINIC_DEMO_ENROL;
  if (!raw || auth.deviceState() === 'enrolled') return;
  try {
    const admin = JSON.parse(raw) as { username: string; password: string; totpSecret: string };
    await auth.enrol(admin.username, admin.password, totp(admin.totpSecret, now()));
    console.log(
      `clinic: enrolled this console with the demo backend as the demo admin (${admin.username}). ` +
        'Its 6-digit code of this half-minute is used: wait for the next code to sign in as the admin.',
    );
  } catch (error) {
    console.error(`clinic: could not enrol this console as the demo admin: ${(error as Error).message}`);
  }
}
