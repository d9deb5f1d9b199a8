/**
 * The one admin gate of the server's admin routes (availability, clinic settings, pool templates, pools,
 * break-glass report, devices): the staff session as `authenticateStaff` gives it, and, for anyone but an admin,
 * a failure event in the audit trail before the 403 (DESIGN §7: refused attempts are recorded; HIPAA
 * 164.312(b) audit controls), so a modified console probing the admin routes leaves a trace.
 */
import type { AuditAction, AuditEntityType } from '../../src-shared/domain';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { authenticateStaff, type StaffSession } from './staff-auth';

/** What the refused call would have done, as its failure event names it. */
export interface AdminAttempt {
  action: AuditAction;
  entityType: AuditEntityType;
  entityId?: string | null;
}

/**
 * The admin's session for `headers`.
 * @throws HttpError 401 (as authenticateStaff), 403 FORBIDDEN for any other role (after writing the failure event
 *   `attempt`, default an update of the settings: a route that reads, creates or deletes names its action, review 7
 *   R1).
 */
export async function authenticateAdmin(
  ctx: ServerContext,
  headers: Record<string, unknown>,
  attempt: AdminAttempt = { action: 'update', entityType: 'settings' },
): Promise<StaffSession> {
  const session = await authenticateStaff(ctx, headers);
  if (session.staff.role !== 'admin') {
    await ctx.audit.write({
      staffId: session.staff.id,
      role: session.staff.role,
      deviceId: session.deviceId,
      action: attempt.action,
      entityType: attempt.entityType,
      entityId: attempt.entityId ?? null,
      fields: [],
      outcome: 'failure',
      actorKind: 'staff',
    });
    throw new HttpError(403, 'FORBIDDEN', 'Only an admin can do this.');
  }
  return session;
}

/**
 * Records a change an admin (or a staff member) made through a route: one success event, attributed to the
 * session's person and PC (DESIGN §7; field names only, never values).
 */
export function auditChange(
  ctx: ServerContext,
  session: StaffSession,
  change: { action: AuditAction; entityType: AuditEntityType; entityId: string; fields: string[] },
): Promise<unknown> {
  return ctx.audit.write({
    staffId: session.staff.id,
    role: session.staff.role,
    deviceId: session.deviceId,
    ...change,
    outcome: 'success',
    actorKind: 'staff',
  });
}

/**
 * The names of `fields` whose values differ between `before` and `after` (compared as JSON): an update's audit
 * event names the fields it changed, never values (DESIGN §7). With no `before` (a creation), every field.
 */
export function changedFields<T extends object>(
  before: T | null | undefined,
  after: T,
  fields: readonly (keyof T & string)[],
): string[] {
  if (!before) return [...fields];
  return fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/** A read an admin route answers: what its audit events name (review 7 U1). */
export interface AdminRead {
  entityType: AuditEntityType;
  /** What was read, e.g. 'break-glass-report', 'devices', 'pools'. */
  entityId: string;
}

/**
 * An admin read (review 7 U1): the admin gate (a refusal names `what`), then `read`, then one success 'read'
 * event naming `what`, attributed to the admin and their PC, written before the answer leaves (DESIGN §7:
 * every view is recorded; HIPAA 164.312(b)). A read that throws (a malformed query: 400) records nothing.
 * @throws as authenticateAdmin, and whatever `read` throws.
 */
export async function adminRead<T>(
  ctx: ServerContext,
  headers: Record<string, unknown>,
  what: AdminRead,
  read: () => Promise<T>,
): Promise<T> {
  const session = await authenticateAdmin(ctx, headers, { action: 'read', ...what });
  const answer = await read();
  await auditChange(ctx, session, { action: 'read', ...what, fields: [] });
  return answer;
}
