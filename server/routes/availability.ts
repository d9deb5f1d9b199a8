/**
 * Availability configuration (issue 13 §3), admin only (device credential + an admin's access token; the role is
 * the server's own staff record, whatever the console claims): a provider's weekly template at their location,
 * and exceptions (holidays, leave, one-off sessions). Each change is an 'availabilityTemplate' /
 * 'availabilityException' change every console pulls, and an audit event ('settings'). Bookings already made
 * are left as they are; new bookings are checked against the new availability (server/schedule/bookable.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ExceptionBody,
  TemplateBody,
  exceptionProblem,
  templateProblem,
  type AvailabilityExceptionRecord,
  type AvailabilityTemplateRecord,
} from '../../src-shared/availability';
import { SYNC_ROUTES } from '../../src-shared/sync';
import { auditChange, authenticateAdmin, type AdminAttempt } from '../auth/admin-auth';
import type { StaffSession } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';

const ProviderParams = z.strictObject({ providerId: z.string().min(1).max(64) });
const ExceptionParams = z.strictObject({ exceptionId: z.string().min(1).max(64) });

export function availabilityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const adminOf = (headers: Record<string, unknown>, attempt?: AdminAttempt) =>
    authenticateAdmin(ctx, headers, attempt);
  const audit = (
    session: StaffSession,
    action: 'create' | 'update' | 'delete',
    entityId: string,
    fields: string[],
  ) => auditChange(ctx, session, { action, entityType: 'settings', entityId, fields });

  app.put(SYNC_ROUTES.adminAvailabilityTemplate, async (request) => {
    const session = await adminOf(request.headers);
    const { providerId } = parse(ProviderParams, request.params, 'params');
    const { blocks } = parse(TemplateBody, request.body, 'body');
    const problem = templateProblem(blocks);
    if (problem) throw new HttpError(400, 'VALIDATION', problem);
    return ctx.store.transaction(async () => {
      const provider = await ctx.store.provider(providerId);
      if (!provider) throw new HttpError(404, 'NOT_FOUND', 'No such provider.');
      const before = await ctx.store.availabilityTemplateFor(provider.id, provider.locationId);
      const template: AvailabilityTemplateRecord = {
        id: before?.id ?? `avt-${randomUUID()}`,
        providerId: provider.id,
        locationId: provider.locationId,
        blocks: [...blocks].sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute),
        version: (before?.version ?? 0) + 1,
      };
      await ctx.store.upsertAvailabilityTemplate(template);
      await audit(session, before ? 'update' : 'create', template.id, ['blocks']);
      return { template };
    });
  });

  app.post(SYNC_ROUTES.adminAvailabilityExceptions, async (request) => {
    const session = await adminOf(request.headers, { action: 'create', entityType: 'settings' });
    const body = parse(ExceptionBody, request.body, 'body');
    const problem = exceptionProblem(body);
    if (problem) throw new HttpError(400, 'VALIDATION', problem);
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.location(body.locationId)))
        throw new HttpError(404, 'NOT_FOUND', 'No such clinic location.');
      if (body.providerId !== null) {
        const provider = await ctx.store.provider(body.providerId);
        if (!provider) throw new HttpError(404, 'NOT_FOUND', 'No such provider.');
        if (provider.locationId !== body.locationId)
          throw new HttpError(400, 'VALIDATION', 'This provider does not work at that location.');
      }
      // An identical exception already there is this one, created by an earlier try whose answer was lost (the
      // console says "try again"): answered again, never created twice (review 6 D11; DESIGN §5 at most once).
      const same = (await ctx.store.availabilityExceptions(body.locationId, body.fromDate, body.toDate)).find(
        (e) =>
          e.kind === body.kind &&
          e.providerId === body.providerId &&
          e.fromDate === body.fromDate &&
          e.toDate === body.toDate &&
          e.startMinute === body.startMinute &&
          e.endMinute === body.endMinute &&
          e.label === body.label,
      );
      if (same) return { exception: same };
      const exception: AvailabilityExceptionRecord = { id: `avx-${randomUUID()}`, ...body, version: 1 };
      await ctx.store.insertAvailabilityException(exception);
      await audit(session, 'create', exception.id, ['kind', 'dates', 'times', 'label']);
      return { exception };
    });
  });

  app.delete(SYNC_ROUTES.adminAvailabilityException, async (request) => {
    const session = await adminOf(request.headers, { action: 'delete', entityType: 'settings' });
    const { exceptionId } = parse(ExceptionParams, request.params, 'params');
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.deleteAvailabilityException(exceptionId)))
        throw new HttpError(404, 'NOT_FOUND', 'No such exception.');
      await audit(session, 'delete', exceptionId, []);
      return { ok: true };
    });
  });
}
