import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullResponse, ServerError, TokenResponse } from '../src-shared/sync';
import { totp } from '../src-shared/totp';
import { demoStaff } from './demo/credentials';
import { call, pullAll, registerDevice, signInStaff, startServer, type Running } from './test/helpers';

let run: Running;
beforeAll(async () => {
  run = await startServer();
});
afterAll(async () => run.stop());

function signInBody(username: string, deviceId: string, overrides: Record<string, unknown> = {}) {
  const cred = demoStaff(username);
  return {
    username,
    password: cred.password,
    totp: totp(cred.totpSecret, run.clock.ms),
    deviceId,
    ...overrides,
  };
}

describe('staff sign-in', () => {
  it('signs in with password + TOTP and returns tokens and the staff record', async () => {
    const deviceId = await registerDevice(run);
    run.clock.advance(30);
    const res = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('reception1', deviceId) });
    expect(res.status).toBe(200);
    const tokens = TokenResponse.parse(res.json);
    expect(tokens.staff.username).toBe('reception1');
    expect(tokens.expiresIn).toBeGreaterThan(600);
    const pull = await call(run.url, 'GET', '/sync/pull?limit=1', { token: tokens.accessToken });
    expect(PullResponse.parse(pull.json).changes).toHaveLength(1);
  });

  it('refuses a replayed code (same step) and an earlier step, accepts the next step', async () => {
    const deviceId = await registerDevice(run);
    run.clock.advance(30);
    const body = signInBody('reception2', deviceId);
    expect((await call(run.url, 'POST', '/auth/sign-in', { body })).status).toBe(200);
    const replay = await call(run.url, 'POST', '/auth/sign-in', { body });
    expect(replay.status).toBe(401);
    expect(ServerError.parse(replay.json).error).toBe('UNAUTHENTICATED');
    // The previous step's code is inside the ±1 window but older than the used one.
    const earlier = totp(demoStaff('reception2').totpSecret, run.clock.ms - 30_000);
    expect((await call(run.url, 'POST', '/auth/sign-in', { body: { ...body, totp: earlier } })).status).toBe(
      401,
    );
    run.clock.advance(30);
    expect(
      (await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('reception2', deviceId) })).status,
    ).toBe(200);
  });

  it('refuses a wrong code, a wrong password, an unknown user and an unknown device', async () => {
    const deviceId = await registerDevice(run);
    run.clock.advance(30);
    const good = signInBody('clinician2', deviceId);
    const wrongCode = String((Number(good.totp) + 1) % 1_000_000).padStart(6, '0');
    const cases = [
      { ...good, totp: wrongCode },
      { ...good, password: 'not-the-password' },
      { ...good, username: 'nobody' },
    ];
    for (const body of cases) {
      const res = await call(run.url, 'POST', '/auth/sign-in', { body });
      expect(res.status).toBe(401);
      expect(res.json.message).toBe('Wrong username, password or code.');
    }
    const unknownDevice = await call(run.url, 'POST', '/auth/sign-in', {
      body: { ...good, deviceId: 'no-such-device' },
    });
    expect(unknownDevice.status).toBe(401);
    expect(unknownDevice.json.error).toBe('UNKNOWN_DEVICE');
  });

  it('throttles an account after 5 failures with a growing retryAfterSeconds, then lets it in', async () => {
    const deviceA = await registerDevice(run);
    const deviceB = await registerDevice(run);
    run.clock.advance(30);
    for (let i = 0; i < 5; i++) {
      const res = await call(run.url, 'POST', '/auth/sign-in', {
        body: signInBody('admin1', deviceA, { password: `wrong-${i}` }),
      });
      expect(res.status).toBe(401);
    }
    // Right credentials, other device: the account itself is throttled.
    const throttled = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('admin1', deviceB) });
    expect(throttled.status).toBe(429);
    const first = ServerError.parse(throttled.json).retryAfterSeconds!;
    expect(first).toBeGreaterThan(0);
    expect(throttled.headers.get('retry-after')).toBe(String(first));

    run.clock.advance(first + 1);
    expect(
      (
        await call(run.url, 'POST', '/auth/sign-in', {
          body: signInBody('admin1', deviceA, { password: 'wrong-again' }),
        })
      ).status,
    ).toBe(401);
    const again = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('admin1', deviceB) });
    expect(again.status).toBe(429);
    expect(again.json.retryAfterSeconds).toBeGreaterThan(first);

    run.clock.advance(again.json.retryAfterSeconds + 1);
    const ok = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('admin1', deviceB) });
    expect(ok.status).toBe(200);
  });

  it('throttles a device that keeps failing for different accounts', async () => {
    const deviceId = await registerDevice(run);
    for (const username of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      await call(run.url, 'POST', '/auth/sign-in', {
        body: signInBody('reception1', deviceId, { username }),
      });
    }
    const res = await call(run.url, 'POST', '/auth/sign-in', { body: signInBody('reception1', deviceId) });
    expect(res.status).toBe(429);
  });

  it('writes sign-in and failed-sign-in audit events for the device', async () => {
    const deviceId = await registerDevice(run);
    run.clock.advance(30);
    await call(run.url, 'POST', '/auth/sign-in', {
      body: signInBody('clinician1', deviceId, { password: 'nope' }),
    });
    const login = await signInStaff(run, 'clinician1', deviceId);
    const events = (await pullAll(run.url, login.accessToken)).changes
      .filter((c) => c.entity === 'audit')
      .map(
        (c) =>
          c.data as {
            action: string;
            deviceId: string;
            staffId: string;
            entityType: string;
            outcome: string;
          },
      )
      .filter((e) => e.deviceId === deviceId);
    expect(events.map((e) => [e.action, e.outcome, e.entityType, e.staffId])).toEqual([
      // the admin's enrolment of the device (issue 10)
      ['create', 'success', 'settings', 'stf-admin1'],
      ['failed-sign-in', 'failure', 'session', 'stf-clinician1'],
      ['sign-in', 'success', 'session', 'stf-clinician1'],
    ]);
  });
});

describe('refresh and sign-out', () => {
  it('rotates refresh tokens and ends the session when an old one is replayed', async () => {
    const login = await signInStaff(run, 'reception1');
    const r1 = await call(run.url, 'POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(r1.status).toBe(200);
    const next = TokenResponse.parse(r1.json);
    expect(next.accessToken).not.toBe(login.accessToken);
    expect((await call(run.url, 'GET', '/sync/pull?limit=1', { token: next.accessToken })).status).toBe(200);

    const reuse = await call(run.url, 'POST', '/auth/refresh', {
      body: { refreshToken: login.refreshToken },
    });
    expect(reuse.status).toBe(401);
    // Reuse is a theft signal: the whole session, including the newest tokens, is revoked.
    expect((await call(run.url, 'GET', '/sync/pull?limit=1', { token: next.accessToken })).status).toBe(401);
    expect(
      (await call(run.url, 'POST', '/auth/refresh', { body: { refreshToken: next.refreshToken } })).status,
    ).toBe(401);
  });

  it('expires access tokens after 15 minutes', async () => {
    const login = await signInStaff(run, 'reception2');
    run.clock.advance(15 * 60 + 1);
    expect((await call(run.url, 'GET', '/sync/pull?limit=1', { token: login.accessToken })).status).toBe(401);
    expect(
      (await call(run.url, 'POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } })).status,
    ).toBe(200);
  });

  it('signs out: access and refresh tokens stop working, and the sign-out is audited', async () => {
    const login = await signInStaff(run, 'clinician2');
    const out = await call(run.url, 'POST', '/auth/sign-out', { token: login.accessToken });
    expect(out.status).toBe(200);
    expect((await call(run.url, 'GET', '/sync/pull?limit=1', { token: login.accessToken })).status).toBe(401);
    expect(
      (await call(run.url, 'POST', '/auth/refresh', { body: { refreshToken: login.refreshToken } })).status,
    ).toBe(401);
    const other = await signInStaff(run, 'admin1');
    const signOuts = (await pullAll(run.url, other.accessToken)).changes.filter(
      (c) => c.entity === 'audit' && c.data?.action === 'sign-out' && c.data.deviceId === login.deviceId,
    );
    expect(signOuts).toHaveLength(1);
  });
});
