/**
 * Enrolled devices (issue 10, DESIGN.md §5 "Trust lives on the server"): a PC is enrolled by an admin's full
 * sign-in and receives a device id and a 256-bit secret; the server keeps only the secret's SHA-256. Every
 * staff sign-in, refresh, sync and admin request carries `x-clinic-device: <deviceId>:<secret>`; admins list
 * and revoke devices, and a revocation ends the device's tokens at once.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StaffRecord } from '../../src-shared/domain';
import {
  DEVICE_CREDENTIAL_HEADER,
  DEVICE_REVOKED_MESSAGE,
  type EnrolledDevice,
  type RegisterDeviceRequest,
  type RegisterDeviceResponse,
} from '../../src-shared/sync';
import type { ServerContext } from '../context';
import type { Device } from '../db/types';
import { HttpError } from '../http/errors';
import { hashToken } from './tokens';

const NOT_ENROLLED = 'This PC is not enrolled with the clinic server: ask IT to enrol it.';

/** `<uuid>:<43 base64url chars>`; anything else is treated as no credential. */
const CREDENTIAL = /^([A-Za-z0-9-]{1,64}):([A-Za-z0-9_-]{43})$/;

/** A new device secret: 32 random bytes (256 bits), base64url. */
export const newDeviceSecret = (): string => randomBytes(32).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * The enrolled, not revoked device proven by the request's credential header.
 * @throws HttpError 401 UNKNOWN_DEVICE (missing, malformed, unknown id or wrong secret: indistinguishable),
 *   403 DEVICE_REVOKED (right secret, device revoked by an admin).
 */
export async function authenticateDevice(
  ctx: ServerContext,
  headers: Record<string, unknown>,
): Promise<Device> {
  const raw = headers[DEVICE_CREDENTIAL_HEADER];
  const match = typeof raw === 'string' ? CREDENTIAL.exec(raw) : null;
  const device = match ? await ctx.store.device(match[1]!) : null;
  // Hash even when the device is unknown, so a guessed id takes as long as a real one.
  const presented = hashToken(match?.[2] ?? 'no-secret');
  if (!device || device.secretHash === null || !sameHash(presented, device.secretHash)) {
    throw new HttpError(401, 'UNKNOWN_DEVICE', NOT_ENROLLED);
  }
  if (device.revokedAt !== null) throw new HttpError(403, 'DEVICE_REVOKED', DEVICE_REVOKED_MESSAGE);
  return device;
}

/**
 * The device whose credential the request carries, revoked or not, or null (no, or a wrong, credential). Used
 * when an admin enrols the same PC again: the new device inherits the old one's online sign-ins.
 */
export async function provenDevice(
  ctx: ServerContext,
  headers: Record<string, unknown>,
): Promise<Device | null> {
  try {
    return await authenticateDevice(ctx, headers);
  } catch (error) {
    if (error instanceof HttpError && error.code === 'DEVICE_REVOKED') {
      const raw = headers[DEVICE_CREDENTIAL_HEADER];
      const match = typeof raw === 'string' ? CREDENTIAL.exec(raw) : null;
      return match ? ctx.store.device(match[1]!) : null;
    }
    return null;
  }
}

/** True while the device exists and is not revoked (event streams re-check it). */
export async function deviceStillEnrolled(ctx: ServerContext, deviceId: string): Promise<boolean> {
  const device = await ctx.store.device(deviceId);
  return !!device && device.revokedAt === null;
}

/**
 * Enrols a PC for `admin` (already authenticated with password and TOTP by the caller). Audited as a `create`
 * of `settings` with the device id.
 */
export async function enrolDevice(
  ctx: ServerContext,
  admin: StaffRecord,
  req: Pick<RegisterDeviceRequest, 'name' | 'chainHead'>,
  /** The same PC's previous (usually revoked) device, proven by its credential: its sign-ins carry over. */
  previous: Device | null = null,
): Promise<RegisterDeviceResponse> {
  if (admin.role !== 'admin') throw new HttpError(403, 'FORBIDDEN', 'Only an admin can enrol a PC.');
  const deviceId = randomUUID();
  const deviceSecret = newDeviceSecret();
  await ctx.store.transaction(async () => {
    await ctx.store.insertDevice({
      id: deviceId,
      name: req.name,
      createdAt: ctx.nowIso(),
      revokedAt: null,
      secretHash: hashToken(deviceSecret),
      enrolledBy: admin.id,
      chainAnchor: req.chainHead ?? null,
    });
    // Queued changes of people who signed in online on this PC before it was removed stay attributable.
    if (previous) await ctx.store.copyDeviceStaff(previous.id, deviceId);
    await ctx.audit.write({
      staffId: admin.id,
      role: admin.role,
      deviceId,
      action: 'create',
      entityType: 'settings',
      entityId: deviceId,
      fields: ['device'],
      outcome: 'success',
      actorKind: 'staff',
    });
  });
  return { deviceId, deviceSecret };
}

export const deviceView = (d: Device): EnrolledDevice => ({
  id: d.id,
  name: d.name,
  createdAt: d.createdAt,
  revokedAt: d.revokedAt,
  enrolledBy: d.enrolledBy,
});

/**
 * Revokes a device: refused from then on, and every access and refresh token it holds is deleted in the same
 * transaction (so its next refresh, pull, push or stream check fails). Idempotent. 404 for an unknown id.
 */
export async function revokeDevice(
  ctx: ServerContext,
  admin: StaffRecord,
  byDeviceId: string,
  deviceId: string,
): Promise<EnrolledDevice> {
  return ctx.store.transaction(async () => {
    if (!(await ctx.store.device(deviceId))) throw new HttpError(404, 'NOT_FOUND', 'No such device.');
    await ctx.store.revokeDevice(deviceId, ctx.nowIso());
    await ctx.audit.write({
      staffId: admin.id,
      role: admin.role,
      deviceId: byDeviceId,
      action: 'update',
      entityType: 'settings',
      entityId: deviceId,
      fields: ['revokedAt'],
      outcome: 'success',
      actorKind: 'staff',
    });
    return deviceView((await ctx.store.device(deviceId))!);
  });
}
