/** Staff devices, sign-in (password + TOTP), token refresh and sign-out (DESIGN.md §6). */
import { randomUUID } from 'node:crypto';
import type { StaffRecord } from '../../src-shared/domain';
import type { SignInRequest, TokenResponse } from '../../src-shared/sync';
import { matchTotpStep } from '../../src-shared/totp';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import type { Device } from '../db/types';
import { authenticateDevice, deviceStillEnrolled } from './devices';
import { retryAfterAny, recordFailure } from './throttle';
import { ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS, bearer, hashToken, newToken } from './tokens';

export interface StaffSession {
  staff: StaffRecord;
  deviceId: string;
  family: string;
  tokenHash: string;
}

/** A sync caller (issue 10): always an enrolled device, plus the signed-in staff member when a token was sent. */
export interface SyncCaller {
  deviceId: string;
  /** Null when the device syncs on its own credential (e.g. a session that began offline). */
  session: StaffSession | null;
}

const WRONG = 'Wrong username, password or code.';

export interface StaffCredentials {
  username: string;
  password: string;
  totp: string;
}

/**
 * Checks username + password + TOTP with throttling (per account and per `throttleKey`), consuming the TOTP step.
 * Every failure is audited (`failed-sign-in`) against `auditDeviceId`.
 * @returns the staff member, or throws HttpError 429 THROTTLED / 401 UNAUTHENTICATED (never saying which part
 *   was wrong).
 */
export async function verifyStaffCredentials(
  ctx: ServerContext,
  req: StaffCredentials,
  auditDeviceId: string,
  throttleKey: string,
  /** 'staff' for sign-in, 'enrol' for enrolment: failures of one never lock the other out (review fix). */
  purpose: 'staff' | 'enrol' = 'staff',
): Promise<StaffRecord> {
  const { store } = ctx;
  const keys = [`${purpose}:${req.username.toLowerCase()}`, throttleKey];
  const known = await store.staffAuthByUsername(req.username);
  const failAudit = () =>
    ctx.audit.write({
      staffId: known?.record.id ?? null,
      role: known?.record.role ?? null,
      deviceId: auditDeviceId,
      action: 'failed-sign-in',
      entityType: 'session',
      entityId: null,
      outcome: 'failure',
      actorKind: 'staff',
    });

  const wait = await retryAfterAny(store, keys, ctx.now());
  if (wait > 0) {
    await failAudit();
    throw new HttpError(429, 'THROTTLED', `Too many failed sign-ins. Try again in ${wait} seconds.`, wait);
  }
  // Counted as a failure before any check so parallel guesses cannot slip under the limit; a success clears it.
  await recordFailure(store, keys, ctx.now());
  const check = await ctx.passwords.verify(req.password, known?.passwordHash ?? null);
  const passwordOk = check.ok;
  // A hash of older parameters is replaced now, while the password is at hand (issue 10).
  const rehash = check.needsRehash ? await ctx.passwords.hash(req.password) : null;

  // Re-read after the await: another sign-in may have used a TOTP step meanwhile.
  const auth = await store.staffAuthByUsername(req.username);
  const step = passwordOk && auth?.active ? matchTotpStep(auth.totpSecret, req.totp, ctx.now()) : null;
  if (!auth || step === null || step <= auth.totpLastStep) {
    await failAudit();
    throw new HttpError(401, 'UNAUTHENTICATED', WRONG);
  }
  const consumed = await store.transaction(async () => {
    // Re-checked inside the transaction: a parallel sign-in (on any instance) may have used this step.
    const fresh = await store.staffAuthByUsername(req.username);
    if (!fresh || step <= fresh.totpLastStep) return false;
    await store.setTotpLastStep(auth.record.id, step);
    for (const key of keys) await store.clearAuthFailures(key);
    if (rehash !== null) await store.setPasswordHash(auth.record.id, rehash);
    return true;
  });
  if (!consumed) {
    await failAudit();
    throw new HttpError(401, 'UNAUTHENTICATED', WRONG);
  }
  return auth.record;
}

/** True while the staff member's account is active (an admin can deactivate it). */
export async function staffActive(ctx: ServerContext, staff: StaffRecord): Promise<boolean> {
  return (await ctx.store.staffAuthByUsername(staff.username))?.active === true;
}

async function issueTokens(
  ctx: ServerContext,
  staff: StaffRecord,
  deviceId: string,
  family: string,
  refreshExpiresAt: number,
): Promise<TokenResponse> {
  const accessToken = newToken();
  const refreshToken = newToken();
  const now = ctx.now();
  const accessExpiresAt = Math.min(now + ACCESS_TOKEN_SECONDS * 1000, refreshExpiresAt);
  await ctx.store.insertAccessToken(hashToken(accessToken), {
    staffId: staff.id,
    deviceId,
    family,
    expiresAt: accessExpiresAt,
  });
  await ctx.store.insertRefreshToken(hashToken(refreshToken), {
    staffId: staff.id,
    deviceId,
    family,
    expiresAt: refreshExpiresAt,
  });
  const expiresIn = Math.max(1, Math.floor((accessExpiresAt - now) / 1000));
  return { accessToken, refreshToken, expiresIn, staff };
}

/**
 * Staff sign-in on an enrolled device (`device` proven by the caller from the credential header). The body's
 * deviceId must be that device. Records the online sign-in on the device (server-side attribution, issue 10).
 */
export async function signIn(ctx: ServerContext, req: SignInRequest, device: Device): Promise<TokenResponse> {
  const { store } = ctx;
  if (req.deviceId !== device.id) {
    throw new HttpError(401, 'UNKNOWN_DEVICE', 'The device id does not match the device credential.');
  }
  const staff = await verifyStaffCredentials(ctx, req, device.id, `device:${device.id}`);
  const now = ctx.now();
  return store.transaction(async () => {
    await store.linkDeviceStaff(device.id, staff.id, ctx.nowIso());
    const family = randomUUID();
    await ctx.audit.write({
      staffId: staff.id,
      role: staff.role,
      deviceId: device.id,
      action: 'sign-in',
      entityType: 'session',
      entityId: family,
      outcome: 'success',
      actorKind: 'staff',
    });
    await store.purgeExpired(now);
    return issueTokens(ctx, staff, device.id, family, now + REFRESH_TOKEN_SECONDS * 1000);
  });
}

/** Rotates the refresh token; presenting an already used one revokes the whole session (theft signal). */
export async function refresh(
  ctx: ServerContext,
  refreshToken: string,
  device: Device,
): Promise<TokenResponse> {
  const { store } = ctx;
  // The transaction returns its failure instead of throwing, so a revocation is not rolled back.
  const outcome = await store.transaction(async (): Promise<TokenResponse | HttpError> => {
    const hash = hashToken(refreshToken);
    const row = await store.refreshToken(hash);
    const now = ctx.now();
    if (!row) return new HttpError(401, 'UNAUTHENTICATED', 'Unknown refresh token. Sign in again.');
    if (row.usedAt !== null) {
      await store.revokeFamily(row.family);
      return new HttpError(
        401,
        'UNAUTHENTICATED',
        'Refresh token already used; the session was ended. Sign in again.',
      );
    }
    const staff = await store.staff(row.staffId);
    if (row.deviceId !== device.id) {
      // A refresh token presented by another device was stolen: end that session.
      await store.revokeFamily(row.family);
      return new HttpError(401, 'UNAUTHENTICATED', 'Unknown refresh token. Sign in again.');
    }
    if (row.expiresAt <= now || !staff || !(await staffActive(ctx, staff))) {
      return new HttpError(401, 'UNAUTHENTICATED', 'Session expired. Sign in again.');
    }
    await store.markRefreshTokenUsed(hash, now);
    return issueTokens(ctx, staff, row.deviceId, row.family, row.expiresAt);
  });
  if (outcome instanceof HttpError) throw outcome;
  return outcome;
}

/**
 * A staff request: the enrolled device's credential AND a bearer access token issued to that device, for a
 * staff member who is still active.
 * @throws HttpError 401 UNKNOWN_DEVICE / 403 DEVICE_REVOKED (device), 401 UNAUTHENTICATED (token).
 */
export async function authenticateStaff(
  ctx: ServerContext,
  headers: Record<string, unknown>,
): Promise<StaffSession> {
  const device = await authenticateDevice(ctx, headers);
  return sessionOf(ctx, device.id, headers.authorization);
}

async function sessionOf(ctx: ServerContext, deviceId: string, header: unknown): Promise<StaffSession> {
  const tokenHash = hashToken(bearer(header as string | string[] | undefined));
  const row = await ctx.store.accessToken(tokenHash);
  if (!row || row.expiresAt <= ctx.now() || row.deviceId !== deviceId)
    throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  const staff = await ctx.store.staff(row.staffId);
  if (!staff || !(await staffActive(ctx, staff)))
    throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  return { staff, deviceId: row.deviceId, family: row.family, tokenHash };
}

/**
 * A sync request (pull, push, event stream, audit head): the device credential is required; a bearer token is
 * optional, and when sent it must be valid for that device. Pushed changes are attributed per mutation by
 * server/sync/apply.ts, not by the token.
 */
export async function authenticateSync(
  ctx: ServerContext,
  headers: Record<string, unknown>,
): Promise<SyncCaller> {
  const device = await authenticateDevice(ctx, headers);
  const session =
    headers.authorization === undefined ? null : await sessionOf(ctx, device.id, headers.authorization);
  return { deviceId: device.id, session };
}

/** True while a stream's device is enrolled and, for a token-opened stream, its access token is valid. */
export async function streamStillValid(ctx: ServerContext, caller: SyncCaller): Promise<boolean> {
  if (!(await deviceStillEnrolled(ctx, caller.deviceId))) return false;
  if (!caller.session) return true;
  const row = await ctx.store.accessToken(caller.session.tokenHash);
  return !!row && row.expiresAt > ctx.now();
}

export async function signOut(ctx: ServerContext, session: StaffSession): Promise<void> {
  await ctx.store.transaction(async () => {
    await ctx.store.revokeFamily(session.family);
    // Changes dated after this are no longer accepted in this person's name from this device (review fix).
    await ctx.store.markDeviceStaffSignedOut(session.deviceId, session.staff.id, ctx.nowIso());
    await ctx.audit.write({
      staffId: session.staff.id,
      role: session.staff.role,
      deviceId: session.deviceId,
      action: 'sign-out',
      entityType: 'session',
      entityId: session.family,
      outcome: 'success',
      actorKind: 'staff',
    });
  });
}
