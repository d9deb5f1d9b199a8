/** Staff devices, sign-in (password + TOTP), token refresh and sign-out (DESIGN.md §6). */
import { randomUUID } from 'node:crypto';
import type { StaffRecord } from '../../src-shared/domain';
import type { SignInRequest, TokenResponse } from '../../src-shared/sync';
import { matchTotpStep } from '../../src-shared/totp';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { verifyPassword } from './passwords';
import { retryAfterAny, recordFailure } from './throttle';
import { ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS, bearer, hashToken, newToken } from './tokens';

export interface StaffSession {
  staff: StaffRecord;
  deviceId: string;
  family: string;
  tokenHash: string;
}

const WRONG = 'Wrong username, password or code.';

export async function registerDevice(ctx: ServerContext, name: string): Promise<string> {
  const id = randomUUID();
  await ctx.store.insertDevice({ id, name, createdAt: ctx.nowIso(), revokedAt: null });
  return id;
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

export async function signIn(ctx: ServerContext, req: SignInRequest): Promise<TokenResponse> {
  const { store } = ctx;
  const keys = [`staff:${req.username.toLowerCase()}`, `device:${req.deviceId}`];
  const known = await store.staffAuthByUsername(req.username);
  const failAudit = () =>
    ctx.audit.write({
      staffId: known?.record.id ?? null,
      role: known?.record.role ?? null,
      deviceId: req.deviceId,
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
  // Counted as a failure before any check so parallel guesses (or unknown-device spam) cannot slip
  // under the limit; a success clears it.
  await recordFailure(store, keys, ctx.now());
  const device = await store.device(req.deviceId);
  if (!device || device.revokedAt) {
    await failAudit();
    throw new HttpError(
      401,
      'UNKNOWN_DEVICE',
      'This device is not enrolled with the server. Enrol it again.',
    );
  }
  const passwordOk = await verifyPassword(req.password, known?.passwordHash ?? null);

  // Re-read after the await: another sign-in may have used a TOTP step meanwhile.
  const auth = await store.staffAuthByUsername(req.username);
  const now = ctx.now();
  const step = passwordOk && auth?.active ? matchTotpStep(auth.totpSecret, req.totp, now) : null;
  if (!auth || step === null || step <= auth.totpLastStep) {
    await failAudit();
    throw new HttpError(401, 'UNAUTHENTICATED', WRONG);
  }
  const outcome = await store.transaction(async (): Promise<TokenResponse | HttpError> => {
    // Re-checked inside the transaction: a parallel sign-in (on any instance) may have used this step.
    const fresh = await store.staffAuthByUsername(req.username);
    if (!fresh || step <= fresh.totpLastStep) return new HttpError(401, 'UNAUTHENTICATED', WRONG);
    await store.setTotpLastStep(auth.record.id, step);
    for (const key of keys) await store.clearAuthFailures(key);
    await store.linkDeviceStaff(req.deviceId, auth.record.id, ctx.nowIso());
    const family = randomUUID();
    await ctx.audit.write({
      staffId: auth.record.id,
      role: auth.record.role,
      deviceId: req.deviceId,
      action: 'sign-in',
      entityType: 'session',
      entityId: family,
      outcome: 'success',
      actorKind: 'staff',
    });
    await store.purgeExpired(now);
    return issueTokens(ctx, auth.record, req.deviceId, family, now + REFRESH_TOKEN_SECONDS * 1000);
  });
  if (outcome instanceof HttpError) {
    await failAudit();
    throw outcome;
  }
  return outcome;
}

/** Rotates the refresh token; presenting an already used one revokes the whole session (theft signal). */
export async function refresh(ctx: ServerContext, refreshToken: string): Promise<TokenResponse> {
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
    const device = await store.device(row.deviceId);
    if (row.expiresAt <= now || !staff || !device || device.revokedAt) {
      return new HttpError(401, 'UNAUTHENTICATED', 'Session expired. Sign in again.');
    }
    await store.markRefreshTokenUsed(hash, now);
    return issueTokens(ctx, staff, row.deviceId, row.family, row.expiresAt);
  });
  if (outcome instanceof HttpError) throw outcome;
  return outcome;
}

export async function authenticateStaff(
  ctx: ServerContext,
  header: string | string[] | undefined,
): Promise<StaffSession> {
  const tokenHash = hashToken(bearer(header));
  const row = await ctx.store.accessToken(tokenHash);
  if (!row || row.expiresAt <= ctx.now())
    throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  const staff = await ctx.store.staff(row.staffId);
  if (!staff) throw new HttpError(401, 'UNAUTHENTICATED', 'Access token expired or unknown.');
  return { staff, deviceId: row.deviceId, family: row.family, tokenHash };
}

/** True while the session behind an access token is still valid (SSE streams re-check it). */
export async function sessionStillValid(ctx: ServerContext, tokenHash: string): Promise<boolean> {
  const row = await ctx.store.accessToken(tokenHash);
  return !!row && row.expiresAt > ctx.now();
}

export async function signOut(ctx: ServerContext, session: StaffSession): Promise<void> {
  await ctx.store.transaction(async () => {
    await ctx.store.revokeFamily(session.family);
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
