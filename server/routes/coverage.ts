/**
 * Session 4, 14c (issue 14 §3-§5): absences with a covering colleague (any staff token; the rules decide who may
 * mark whose), the clinic-set break-glass time and pool reply templates (admin token). Every answer is also a
 * change every console pulls ('absence', 'clinicSettings', 'poolTemplate'); the role comes from the server's own
 * staff record, never from the console.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AbsenceRequest } from '../../src-shared/coverage';
import { SYNC_ROUTES } from '../../src-shared/sync';
import {
  ClinicSettingsUpdate,
  PoolTemplateUpdate,
  type ClinicSettingsRecord,
  type PoolTemplateRecord,
} from '../../src-shared/triage';
import {
  adminRead,
  auditChange,
  authenticateAdmin,
  changedFields,
  type AdminAttempt,
} from '../auth/admin-auth';
import { authenticateStaff } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { endAbsence, markAbsence } from '../triage/coverage';
import { HttpError } from '../http/errors';
import { parse } from '../http/validate';

const AbsenceParams = z.strictObject({ absenceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
const TemplateParams = z.strictObject({ templateId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
const NoBody = z.strictObject({}).optional();

export function coverageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const adminOf = (headers: Record<string, unknown>, attempt?: AdminAttempt) =>
    authenticateAdmin(ctx, headers, attempt);

  app.put(SYNC_ROUTES.absence, async (request) => {
    const session = await authenticateStaff(ctx, request.headers);
    const { absenceId } = parse(AbsenceParams, request.params, 'params');
    const body = parse(AbsenceRequest, request.body, 'body');
    return { absence: await markAbsence(ctx, session, absenceId, body) };
  });

  app.post(SYNC_ROUTES.endAbsence, async (request) => {
    const session = await authenticateStaff(ctx, request.headers);
    const { absenceId } = parse(AbsenceParams, request.params, 'params');
    parse(NoBody, request.body, 'body');
    return { absence: await endAbsence(ctx, session, absenceId) };
  });

  app.get(SYNC_ROUTES.adminClinicSettings, async (request) =>
    adminRead(ctx, request.headers, { entityType: 'settings', entityId: 'clinic-settings' }, async () => {
      parse(z.strictObject({}), request.query, 'query');
      return { settings: await ctx.store.clinicSettings() };
    }),
  );

  app.put(SYNC_ROUTES.adminClinicSettings, async (request) => {
    const session = await adminOf(request.headers);
    const body = parse(ClinicSettingsUpdate, request.body, 'body');
    return ctx.store.transaction(async () => {
      const before = await ctx.store.clinicSettings();
      const settings: ClinicSettingsRecord = { ...before, ...body, version: before.version + 1 };
      await ctx.store.setClinicSettings(settings);
      await auditChange(ctx, session, {
        action: 'update',
        entityType: 'settings',
        entityId: 'clinic',
        fields: changedFields(before, settings, Object.keys(body) as (keyof typeof body & string)[]),
      });
      return { settings };
    });
  });

  app.put(SYNC_ROUTES.adminPoolTemplate, async (request) => {
    const session = await adminOf(request.headers);
    const { templateId } = parse(TemplateParams, request.params, 'params');
    const body = parse(PoolTemplateUpdate, request.body, 'body');
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.triagePool(body.poolId))) throw new HttpError(404, 'NOT_FOUND', 'No such pool.');
      const before = await ctx.store.poolTemplate(templateId);
      // A new template identical to one of the pool is that one, saved by an earlier try whose answer was lost
      // (the console makes a new id per try): answered again, never created twice (review 6 D11).
      const same = before
        ? undefined
        : (await ctx.store.poolTemplates()).find(
            (t) => t.poolId === body.poolId && t.title === body.title && t.body === body.body,
          );
      if (same) return { template: same };
      const template: PoolTemplateRecord = { id: templateId, ...body, version: (before?.version ?? 0) + 1 };
      await ctx.store.upsertPoolTemplate(template);
      await auditChange(ctx, session, {
        action: before ? 'update' : 'create',
        entityType: 'settings',
        entityId: `pool-template:${templateId}`.slice(0, 64),
        fields: changedFields(before, template, ['poolId', 'title', 'body']),
      });
      return { template };
    });
  });

  app.delete(SYNC_ROUTES.adminPoolTemplate, async (request) => {
    const session = await adminOf(request.headers, { action: 'delete', entityType: 'settings' });
    const { templateId } = parse(TemplateParams, request.params, 'params');
    return ctx.store.transaction(async () => {
      if (!(await ctx.store.deletePoolTemplate(templateId)))
        throw new HttpError(404, 'NOT_FOUND', 'No such pool template.');
      await auditChange(ctx, session, {
        action: 'delete',
        entityType: 'settings',
        entityId: `pool-template:${templateId}`.slice(0, 64),
        fields: ['poolTemplate'],
      });
      return { ok: true };
    });
  });
}
