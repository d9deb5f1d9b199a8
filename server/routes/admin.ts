/**
 * Admin routes (issue 10): enrolled devices (list, revoke) and audit-integrity alerts. Each needs the device
 * credential and an admin's access token; the role comes from the server's own staff record.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SYNC_ROUTES } from '../../src-shared/sync';
import { deviceView, revokeDevice } from '../auth/devices';
import { adminRead, authenticateAdmin, type AdminAttempt } from '../auth/admin-auth';
import type { ServerContext } from '../context';
import { parse } from '../http/validate';
import type { PokeHub } from '../sync/hub';

const NoQuery = z.strictObject({});
const DeviceParams = z.strictObject({ deviceId: z.string().min(1).max(64) });
const RevokeBody = z.strictObject({}).optional();

/** The newest alerts returned by GET /admin/audit-alerts. */
export const ALERT_LIMIT = 500;

export function adminRoutes(app: FastifyInstance, ctx: ServerContext, hub: PokeHub): void {
  const adminOf = (headers: Record<string, unknown>, attempt?: AdminAttempt) =>
    authenticateAdmin(ctx, headers, attempt);

  app.get(SYNC_ROUTES.adminDevices, async (request) =>
    adminRead(ctx, request.headers, { entityType: 'settings', entityId: 'devices' }, async () => {
      parse(NoQuery, request.query, 'query');
      return { devices: (await ctx.store.devices()).map(deviceView) };
    }),
  );

  app.post(SYNC_ROUTES.adminRevokeDevice, async (request) => {
    const admin = await adminOf(request.headers);
    const { deviceId } = parse(DeviceParams, request.params, 'params');
    parse(RevokeBody, request.body, 'body');
    const device = await revokeDevice(ctx, admin.staff, admin.deviceId, deviceId);
    // Open event streams of that device end now, not at their next heartbeat.
    await hub.revalidate();
    return { device };
  });

  app.get(SYNC_ROUTES.adminAuditAlerts, async (request) =>
    adminRead(ctx, request.headers, { entityType: 'audit', entityId: 'audit-alerts' }, async () => {
      parse(NoQuery, request.query, 'query');
      return { alerts: await ctx.store.auditAlerts(ALERT_LIMIT) };
    }),
  );
}
