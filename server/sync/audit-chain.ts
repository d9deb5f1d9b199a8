/**
 * Verification of each console's audit chain as its events arrive (issue 10, DESIGN.md §7). For every pushed
 * `audit.append` the server recomputes the event's hash (src-shared/audit-chain.ts), checks that it links to the
 * last event it holds for that device, and stores its own receive time beside the console's time. A bad hash,
 * gap, fork, restarted chain, duplicate, another device's event or an unknown staff member is refused and raised
 * as an audit-integrity alert; a back-dated or future-dated time is stored, flagged and raised.
 */
import { createHash } from 'node:crypto';
import { GENESIS_HASH, recordChainInput } from '../../src-shared/audit-chain';
import type { AuditRecord } from '../../src-shared/domain';
import type { Mutation, MutationResult } from '../../src-shared/sync';
import type { ServerContext } from '../context';
import type { AuditAlertKind } from '../db/types';

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
export function appendConsoleAudit(
  ctx: ServerContext,
  deviceId: string,
  m: Mutation,
  event: AuditRecord,
): MutationResult {
  const { store } = ctx;
  const receivedAt = ctx.nowIso();
  const refuse = (kind: AuditAlertKind, reason: string): MutationResult => {
    store.insertAuditAlert({
      at: receivedAt,
      deviceId,
      eventId: event.id,
      kind,
      detail: reason,
    });
    return { id: m.id, status: 'rejected', reason, current: null };
  };
  const flag = (kind: AuditAlertKind, detail: string): void =>
    store.insertAuditAlert({ at: receivedAt, deviceId, eventId: event.id, kind, detail });

  if (event.deviceId !== deviceId)
    return refuse('wrong-device', 'An audit event can only be appended by the device that recorded it.');
  const pushedBy = m.staffId === 'system' ? null : m.staffId;
  if (event.staffId !== pushedBy)
    return refuse('unknown-staff', 'The audit event names someone other than the person it was pushed for.');
  if (event.staffId !== null && !store.isDeviceStaff(deviceId, event.staffId))
    return refuse('unknown-staff', 'The audit event names a staff member who never signed in on this PC.');
  if (store.auditEvent(event.id))
    return refuse('duplicate', 'This audit event was already received (duplicate event id).');
  if (consoleEventHash(event) !== event.hash)
    return refuse('bad-hash', "The audit event's hash does not match its content.");

  const head = store.deviceAuditHead(deviceId);
  if (head !== null && event.prevHash !== head.hash) {
    if (event.prevHash === GENESIS_HASH)
      return refuse(
        'restarted',
        "This PC's audit chain restarted from the beginning (local log wiped or replaced).",
      );
    if (store.deviceAuditHasHash(deviceId, event.prevHash))
      return refuse(
        'fork',
        'The audit event links to an earlier event, not to the last one received (fork).',
      );
    return refuse('gap', 'The audit event does not link to the last event received from this PC (gap).');
  }

  const at = Date.parse(event.at);
  const received = ctx.now();
  if (head !== null && at < Date.parse(head.at) - AUDIT_SKEW_MS)
    flag('back-dated', 'The audit event is dated before the event it follows.');
  if (at > received + AUDIT_SKEW_MS) flag('clock-skew', "The audit event is dated in the server's future.");
  store.insertConsoleAuditEvent(event, {
    receivedAt,
    skewFlag: Math.abs(received - at) > AUDIT_SKEW_MS,
  });
  return { id: m.id, status: 'applied', version: event.version };
}
