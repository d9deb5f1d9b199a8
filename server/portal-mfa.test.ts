/**
 * Issue 10: the patient side of the portal backend. Patients turn on TOTP multi-factor sign-in (secret with an
 * otpauth:// URI, recovery codes that work once, replay refused) and read their own login history (time,
 * client, outcome, failures included). Real backend on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PortalLoginHistory,
  PortalMfaEnableResponse,
  PortalMfaSetupResponse,
  PortalSignInResponse,
} from '../src-shared/sync';
import { totp } from '../src-shared/totp';
import { DEMO_PORTAL_PASSWORD, demoMrn } from './demo/credentials';
import { call, startServer, type Running } from './test/helpers';

let run: Running;
beforeAll(async () => {
  run = await startServer();
});
afterAll(async () => run.stop());

const MRN = demoMrn(7);
const signIn = (extra: Record<string, string> = {}, password = DEMO_PORTAL_PASSWORD) =>
  call(run.url, 'POST', '/portal/sign-in', {
    body: { mrn: MRN, password, ...extra },
    headers: { 'user-agent': 'PortalTest/1.0' },
  });

describe('patient multi-factor sign-in', () => {
  it('enrols TOTP, then needs a code; a replayed code is refused and a recovery code works once', async () => {
    const first = await signIn();
    expect(first.status).toBe(200);
    const { token } = PortalSignInResponse.parse(first.json);

    const setup = PortalMfaSetupResponse.parse(
      (await call(run.url, 'POST', '/portal/mfa/setup', { token, body: {} })).json,
    );
    const uri = new URL(setup.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(setup.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(MRN);
    // Not active until a code proves the app has the secret: sign-in still needs the password only.
    run.clock.advance(30);
    expect((await signIn()).status).toBe(200);
    const wrong = await call(run.url, 'POST', '/portal/mfa/enable', { token, body: { totp: '000000' } });
    expect(wrong.status === 401 || totp(setup.secret, run.clock.ms) === '000000').toBe(true);
    const enabled = await call(run.url, 'POST', '/portal/mfa/enable', {
      token,
      body: { totp: totp(setup.secret, run.clock.ms) },
    });
    expect(enabled.status).toBe(200);
    const { recoveryCodes } = PortalMfaEnableResponse.parse(enabled.json);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    const noCode = await signIn();
    expect([noCode.status, noCode.json.error]).toEqual([401, 'MFA_REQUIRED']);
    // The code that enabled MFA was of this step: reusing it is a replay.
    expect((await signIn({ totp: totp(setup.secret, run.clock.ms) })).status).toBe(401);
    run.clock.advance(30);
    const code = totp(setup.secret, run.clock.ms);
    expect((await signIn({ totp: code })).status).toBe(200);
    expect((await signIn({ totp: code })).status).toBe(401);
    // Right code, wrong password: still refused.
    run.clock.advance(30);
    expect((await signIn({ totp: totp(setup.secret, run.clock.ms) }, 'not-the-password')).status).toBe(401);

    expect((await signIn({ recoveryCode: recoveryCodes[3]! })).status).toBe(200);
    expect((await signIn({ recoveryCode: recoveryCodes[3]! })).status).toBe(401);
    expect((await signIn({ recoveryCode: recoveryCodes[4]!.toUpperCase() })).status).toBe(200);
    expect((await signIn({ recoveryCode: 'abcd-abcd-abcd-abcd' })).status).toBe(401);
  });

  it("lists the patient's own sign-ins, failures included, newest first, with the client", async () => {
    run.clock.advance(16 * 60); // past the MRN throttle of the test above
    const mfaSecret = (await run.server.store.patientMfa(
      (await run.server.store.patientAuthByMrn(MRN))!.record.id,
    ))!.secret;
    const ok = await signIn({ totp: totp(mfaSecret, run.clock.ms) });
    expect(ok.status).toBe(200);
    const res = await call(run.url, 'GET', '/portal/login-history', { token: ok.json.token });
    expect(res.status).toBe(200);
    const { logins } = PortalLoginHistory.parse(res.json);
    expect(logins.slice(0, 12).map((l) => [l.outcome, l.method])).toEqual([
      ['success', 'password+totp'],
      ['failure', 'password+recovery-code'],
      ['success', 'password+recovery-code'],
      ['failure', 'password+recovery-code'],
      ['success', 'password+recovery-code'],
      ['failure', 'password'],
      ['failure', 'password+totp'],
      ['success', 'password+totp'],
      ['failure', 'password+totp'],
      ['failure', 'password'],
      ['success', 'password'],
      ['success', 'password'],
    ]);
    expect(logins[0]!.client).toMatch(/^127\.0\.0\.1 PortalTest\/1\.0$/);
    expect(logins[0]!.at).toBe(new Date(run.clock.ms).toISOString());
    // Another patient's history is their own.
    const other = await call(run.url, 'POST', '/portal/sign-in', {
      body: { mrn: demoMrn(8), password: DEMO_PORTAL_PASSWORD },
    });
    const theirs = await call(run.url, 'GET', '/portal/login-history', { token: other.json.token });
    expect(PortalLoginHistory.parse(theirs.json).logins).toHaveLength(1);
  });
});
