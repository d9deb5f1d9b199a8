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
): Promise<StaffRecord> {
  const { store } = ctx;
  const keys = [`staff:${req.username.toLowerCase()}`, throttleKey];
  const known = store.staffAuthByUsername(req.username);
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

  const wait = retryAfterAny(store, keys, ctx.now());
  if (wait > 0) {
    failAudit();
    throw new HttpError(429, 'THROTTLED', `Too many failed sign-ins. Try again in ${wait} seconds.`, wait);
  }
  // Counted as a failure before any check so parallel guesses cannot slip under the limit; a success clears it.
  recordFailure(store, keys, ctx.now());
  const check = await ctx.passwords.verify(req.password, known?.passwordHash ?? null);
  const passwordOk = check.ok;
  // A hash of older parameters is replaced now, while the password is at hand (issue 10).
  const rehash = check.needsRehash ? await ctx.passwords.hash(req.password) : null;

  // Re-read after the await: another sign-in may have used a TOTP step meanwhile.
  const auth = store.staffAuthByUsername(req.username);
  const step = passwordOk && auth?.active ? matchTotpStep(auth.totpSecret, req.totp, ctx.now()) : null;
  if (!auth || step === null || step <= auth.totpLastStep) {
    failAudit();
    throw new HttpError(401, 'UNAUTHENTICATED', WRONG);
  }
  store.transaction(() => {
    store.setTotpLastStep(auth.record.id, step);
    keys.forEach((key) => store.clearAuthFailures(key));
    if (rehash !== null) store.setPasswordHash(auth.record.id, rehash);
  });
  return auth.record;
}

/** True while the staff member's account is active (an admin can deactivate it). */
export function staffActive(ctx: ServerContext, staff: StaffRecord): boolean {
  return ctx.store.staffAuthByUsername(staff.username)?.active === true;
}

function issueTokens(
  ctx: ServerContext,
  staff: StaffRecord,
  deviceId: string,
  family: string,
  refreshExpiresAt: number,
): TokenResponse {
  const accessToken = newToken();
  const refreshToken = newToken();
  const now = ctx.now();
  const accessExpiresAt = Math.min(now + ACCESS_TOKEN_SECONDS * 1000, refreshExpiresAt);
  ctx.store.insertAccessToken(hashToken(accessToken), {
    staffId: staff.id,
    deviceId,
    family,
    expiresAt: accessExpiresAt,
  });
  ctx.store.insertRefreshToken(hashToken(refreshToken), {
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
  return store.transaction(() => {
    store.linkDeviceStaff(device.id, staff.id, ctx.nowIso());
    const family = randomUUID();
    ctx.audit.write({
      staffId: staff.id,
      role: staff.role,
      deviceId: device.id,
      action: 'sign-in',
      entityType: 'session',
      entityId: family,
      outcome: 'success',
      actorKind: 'staff',
    });
    store.purgeExpired(now);
    return issueTokens(ctx, staff, device.id, family, now + REFRESH_TOKEN_SECONDS * 1000);
  });
}

/** Rotates the refresh token; presenting an already used one revokes the whole session (theft signal). */
export function refresh(ctx: ServerContext, refreshToken: string, device: Device): TokenResponse {
  const { store } = ctx;
  // The transaction returns its failure instead of throwing, so a revocation is not rolled back.
  const outcome = store.transaction((): TokenResponse | HttpError => {
    const hash = hashToken(refreshToken);
    const row = store.refreshToken(hash);
    const now = ctx.now();
    if (!row) return new HttpError(401, 'UNAUTHENTICATED', 'Unknown refresh token. Sign in again.');
    if (row.usedAt !== null) {
      store.revokeFamily(row.family);
      return new HttpError(
        401,
        'UNAUTHENTICATED',
        'Refresh token already used; the session was ended. Sign in again.',
      );
    }
    const staff = store.staff(row.staffId);
    if (row.deviceId !== device.id) {
      // A refresh token presented by another device was stolen: end that session.
      store.revokeFamily(row.family);
      return new HttpError(401, 'UNAUTHENTICATED', 'Unknown refresh token. Sign in again.');
    }
    if (row.expiresAt <= now || !staff || !staffActive(ctx, staff)) {
      return new HttpError(401, 'UNAUTHENTICATED', 'Session expired. Sign in again.');
    }
    store.markRefreshTokenUsed(hash, now);
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
export function authenticateStaff(ctx: ServerContext, headers: Record<string, unknown>): StaffSession {
  const device = authenticateDevice(ctx, headers);
  return sessionOf(ctx, device.id, headers.authorization);
}

function sessionOf(ctx: ServerContext, deviceId: string, header: unknown): StaffSession {
  const tokenHash = hashToken(bearer(header as string | string[] | undefined));
  const row = ctx.store.accessToken(tokenHash);
  if (!row || row.expiresAt <= ctx.now() || row.deviceId !== deviceId)
    throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  const staff = ctx.store.staff(row.staffId);
  if (!staff || !staffActive(ctx, staff))
    throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  return { staff, deviceId: row.deviceId, family: row.family, tokenHash };
}

/**
 * A sync request (pull, push, event stream, audit head): the device credential is required; a bearer token is
 * optional, and when sent it must be valid for that device. Pushed changes are attributed per mutation by
 * server/sync/apply.ts, not by the token.
 */
export function authenticateSync(ctx: ServerContext, headers: Record<string, unknown>): SyncCaller {
  const device = authenticateDevice(ctx, headers);
  const session =
    headers.authorization === undefined ? null : sessionOf(ctx, device.id, headers.authorization);
  return { deviceId: device.id, session };
}

/** True while a stream's device is enrolled and, for a token-opened stream, its access token is valid. */
export function streamStillValid(ctx: ServerContext, caller: SyncCaller): boolean {
  if (!deviceStillEnrolled(ctx, caller.deviceId)) return false;
  if (!caller.session) return true;
  const row = ctx.store.accessToken(caller.session.tokenHash);
  return !!row && row.expiresAt > ctx.now();
}

export function signOut(ctx: ServerContext, session: StaffSession): void {
  ctx.store.transaction(() => {
    ctx.store.revokeFamily(session.family);
    ctx.audit.write({
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
