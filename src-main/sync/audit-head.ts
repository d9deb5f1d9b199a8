/**
 * After each sync, the console compares its local audit chain with the server's record of it (issue 10,
 * DESIGN.md §7): the last event of this device the server holds must be in the local chain. If it is not,
 * the local log was wiped, restored from an old backup or restarted, and that is reported as a sync problem
 * (the server refuses the restarted chain too and raises an alert for admins).
 */
import { AuditHeadResponse, SYNC_ROUTES } from '../../src-shared/sync';
import type { Store } from '../store/store';
import type { PortalTransport } from './transport';

export const AUDIT_HEAD_PROBLEM =
  "This PC's audit log does not contain the last event the server received from it: the local log was wiped or restarted. Tell IT.";

export type AuditHeadCheck = 'ok' | 'local-log-restarted' | 'unavailable';

/**
 * Fetches GET /sync/audit-head through the portal transport and compares it with the local chain.
 * Never throws: a network or protocol failure is 'unavailable' (the next sync checks again).
 * @param nowIso the time recorded on the sync problem (UTC ISO)
 */
export async function checkAuditHead(
  transport: PortalTransport,
  store: Store,
  nowIso: string,
): Promise<AuditHeadCheck> {
  let head: AuditHeadResponse['head'];
  try {
    const res = await transport.fetch(SYNC_ROUTES.auditHead, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return 'unavailable';
    }
    const parsed = AuditHeadResponse.safeParse(await res.json());
    if (!parsed.success) return 'unavailable';
    head = parsed.data.head;
  } catch {
    return 'unavailable';
  }
  try {
    if (head === null || store.audit.hashExists(head.hash)) return 'ok';
    store.syncProblems.add({
      // One problem per server head: repeated syncs do not repeat it.
      id: `audit-head:${head.hash.slice(0, 32)}`,
      at: nowIso,
      kind: 'rejected',
      operation: 'audit.chain',
      entityId: head.id,
      message: AUDIT_HEAD_PROBLEM,
    });
    return 'local-log-restarted';
  } catch {
    // The store closed under us (shutdown): nothing to compare any more.
    return 'unavailable';
  }
}
