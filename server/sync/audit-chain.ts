/**
 * Verification of each console's audit chain as its events arrive (issue 10, DESIGN.md §7). For every pushed
 * `audit.append` the server recomputes the event's hash (src-shared/audit-chain.ts), checks that it links to the
 * last event it holds for that device, and stores its own receive time beside the console's time. A bad hash,
 * gap, fork, restarted chain, duplicate, another device's event or an unknown staff member is refused and raised
 * as an audit-integrity alert; a back-dated or future-dated time is stored, flagged and raised.
 */
import { createHash } from 'node:crypto';
import { GENESIS_HASH, recordChainInput } from '../../src-shared/audit-chain';
import { illFormedTextMessage, illFormedTextPath } from '../../src-shared/well-formed-text';
import type { AuditRecord } from '../../src-shared/domain';
import type { Mutation, MutationResult } from '../../src-shared/sync';
import { staffActive } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import type { AuditAlertKind } from '../db/types';

/** Successful events a console records without a staff member (refused attempts are allowed too). */
const STAFFLESS_ACTIONS = new Set(['failed-sign-in session', 'create settings']);

/** Console time and server time may differ by this much before an event is flagged (5 minutes). */
export const AUDIT_SKEW_MS = 5 * 60_000;

/** SHA-256 hex of the event's chain input, as the console computes it. */
export function consoleEventHash(event: Omit<AuditRecord, 'hash' | 'version'>): string {
  return createHash('sha256').update(recordChainInput(event)).digest('hex');
}

/**
 * Appends one console audit event after verifying it; runs inside the push's per-mutation transaction.
 * Alerts are written in the same transaction as the (refused) result, so they are never lost or doubled.
 */
export async function appendConsoleAudit(
  ctx: ServerContext,
  deviceId: string,
  m: Mutation,
  event: AuditRecord,
): Promise<MutationResult> {
  const { store } = ctx;
  const receivedAt = ctx.nowIso();
  // The event's id as an alert can hold it: a refused event's id may be anything the schema lets through.
  const eventId = event.id.toWellFormed();
  const refuse = async (kind: AuditAlertKind, reason: string): Promise<MutationResult> => {
    await store.insertAuditAlert({ at: receivedAt, deviceId, eventId, kind, detail: reason });
    return { id: m.id, status: 'rejected', reason, current: null };
  };
  const flag = (kind: AuditAlertKind, detail: string): Promise<void> =>
    store.insertAuditAlert({ at: receivedAt, deviceId, eventId, kind, detail });

  if (event.deviceId !== deviceId)
    return refuse('wrong-device', 'An audit event can only be appended by the device that recorded it.');
  const pushedBy = m.staffId === 'system' ? null : m.staffId;
  if (event.staffId !== pushedBy)
    return refuse('unknown-staff', 'The audit event names someone other than the person it was pushed for.');
  // Text that is not well-formed Unicode (src-shared/well-formed-text.ts): no unmodified console records it (field
  // names are the code's, ids are generated, its router refuses such input), and in a text column (the id, the
  // record) no store would keep it as it was hashed (SQLite keeps bytes that are not UTF-8, PostgreSQL's driver
  // U+FFFD). Refused before any lookup by its ids. As after any refused event, that console's later events link to
  // this one and are refused as a gap.
  const illFormed = illFormedTextPath(event);
  if (illFormed)
    return refuse(
      'bad-hash',
      `The audit event cannot be stored as it was hashed (${illFormedTextMessage('event', illFormed)}).`,
    );
  // A refused attempt (a wrong password typed for a known username, by someone who never signed in here or
  // whose account is no longer active) is exactly what an auditor must see: it claims no action, so it needs no
  // sign-in on this PC. Anything else needs one.
  const attempt = event.outcome === 'failure';
  if (event.staffId !== null && !attempt && !(await store.isDeviceStaff(deviceId, event.staffId)))
    return refuse('unknown-staff', 'The audit event names a staff member who never signed in on this PC.');
  // Refused attempts by nobody signed in may be recorded; a successful change needs a staff member.
  if (
    event.staffId === null &&
    event.outcome !== 'failure' &&
    !STAFFLESS_ACTIONS.has(`${event.action} ${event.entityType}`)
  )
    return refuse(
      'unknown-staff',
      'Only a refused attempt or an enrolment can be recorded without a staff member.',
    );
  if (event.staffId !== null) {
    const staff = await store.staff(event.staffId);
    if (!staff)
      return refuse('unknown-staff', 'The audit event names a staff member the server does not know.');
    if (!attempt && !(await staffActive(ctx, staff)))
      return refuse('unknown-staff', 'The audit event names an account that is not active.');
    if (event.role !== staff.role)
      return refuse('wrong-role', "The audit event's role is not the staff member's role on the server.");
  }
  if (await store.auditEvent(event.id))
    return refuse('duplicate', 'This audit event was already received (duplicate event id).');
  if (consoleEventHash(event) !== event.hash)
    return refuse('bad-hash', "The audit event's hash does not match its content.");

  const head = await store.deviceAuditHead(deviceId);
  if (
    head === null &&
    event.prevHash !== GENESIS_HASH &&
    event.prevHash !== (await store.device(deviceId))?.chainAnchor
  )
    return refuse(
      'gap',
      "This PC's first audit event must start its chain, or continue the chain it had when it was enrolled.",
    );
  if (head !== null && event.prevHash !== head.hash) {
    if (event.prevHash === GENESIS_HASH)
      return refuse(
        'restarted',
        "This PC's audit chain restarted from the beginning (local log wiped or replaced).",
      );
    if (await store.deviceAuditHasHash(deviceId, event.prevHash))
      return refuse(
        'fork',
        'The audit event links to an earlier event, not to the last one received (fork).',
      );
    return refuse('gap', 'The audit event does not link to the last event received from this PC (gap).');
  }

  const at = Date.parse(event.at);
  const received = ctx.now();
  if (head !== null && at < Date.parse(head.at) - AUDIT_SKEW_MS)
    await flag('back-dated', 'The audit event is dated before the event it follows.');
  const skewed = Math.abs(received - at) > AUDIT_SKEW_MS;
  // Every skew is stored with the event (skew_flag). An alert is raised for what no honest console produces: a
  // time in the server's future, or a time older than the offline grace period (no one can have been signed in
  // on the PC then and still push now). Work done offline within the grace period arrives late by design: one
  // alert per such event would bury the ones that matter, so it is flagged, not raised.
  if (at > received + AUDIT_SKEW_MS)
    await flag('clock-skew', "The audit event is dated in the server's future.");
  else if (received - at > ctx.offlineGraceMs + AUDIT_SKEW_MS)
    await flag('clock-skew', 'The audit event is dated before the offline grace period.');
  await store.insertConsoleAuditEvent(event, { receivedAt, skewFlag: skewed });
  return { id: m.id, status: 'applied', version: event.version };
}
