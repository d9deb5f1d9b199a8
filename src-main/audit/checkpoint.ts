/**
 * Incremental verification of the local audit chain at start-up (issue 12; DESIGN.md §10 "start-up time flat
 * in the size of the audit log"). Start-up verifies only the events after the last verified checkpoint: the
 * checkpoint's own event must still carry the recorded hash, and every later event must hash correctly and
 * link to its predecessor. The full walk (AuditLog.verify, the admin's "verify" in the UI) still checks
 * everything. Rows are protected from UPDATE/DELETE by triggers and each device's chain is verified link by
 * link on the server, so a checkpoint trades only re-reading old, already verified rows at every start.
 */
import type { VerifyResult } from '../../src-shared/views';
import { type AuditCheckpoint, AuditCheckpointRepo } from '../store/repos/audit-checkpoint';
import type { Store } from '../store/store';
import type { AuditLog } from './audit-log';
import { GENESIS_HASH, tupleHash } from './chain';

export interface IncrementalVerifyResult {
  result: VerifyResult;
  /** Events hashed by this run (0 when nothing was added since the checkpoint). */
  checked: number;
  /** 'checkpoint' when it started from one; 'full' when there was none or it did not match. */
  mode: 'checkpoint' | 'full';
}

/**
 * Verify the chain from the last checkpoint and move the checkpoint to its end when everything is intact.
 * A checkpoint that no longer matches its event falls back to a full walk. Errors: none (a broken chain is
 * a result, named by the first bad event's id).
 */
export function verifyAuditIncrementally(store: Store, audit: AuditLog): IncrementalVerifyResult {
  const repo = new AuditCheckpointRepo(store.db);
  const cp = anchoredCheckpoint(repo);
  if (cp === null) {
    const result = audit.verify();
    if (result.ok) repo.set({ ...(repo.end() ?? { seq: 0, hash: GENESIS_HASH }), count: result.count });
    return { result, checked: result.count, mode: 'full' };
  }
  const walked = walkFrom(repo, cp);
  if (walked.bad !== null) {
    // Name the fault exactly as the full walk does (hash, link or order), from the first bad event on.
    return { result: audit.verify(), checked: walked.checked, mode: 'checkpoint' };
  }
  if (walked.checked > 0) repo.set(walked.last);
  return { result: { ok: true, count: walked.last.count }, checked: walked.checked, mode: 'checkpoint' };
}

/** The stored checkpoint if its event (or that event's tombstone) still carries the recorded hash. */
function anchoredCheckpoint(repo: AuditCheckpointRepo): AuditCheckpoint | null {
  const cp = repo.get();
  if (cp === null) return null;
  return (cp.seq === 0 ? cp.hash === GENESIS_HASH : repo.hashAt(cp.seq) === cp.hash) ? cp : null;
}

/**
 * Audit events of records evicted from the store window (DESIGN.md §4) stay until they are synced, then are
 * pruned behind the verified checkpoint: the checkpoint is first moved over the events recorded since (each
 * hashed and linked), then synced events about threads and appointments no longer in the store, at or before
 * it, are replaced by link-only tombstones (position and hashes), so the chain still verifies link by link.
 * Nothing is pruned when the log does not verify from a checkpoint. Call with secure_delete on. Returns the
 * number of events pruned.
 */
export function pruneAuditOfAbsentRecords(store: Store): number {
  const repo = new AuditCheckpointRepo(store.db);
  const cp = anchoredCheckpoint(repo);
  if (cp === null && repo.get() !== null) return 0; // the checkpoint no longer matches: prune nothing
  const walked = walkFrom(repo, cp ?? { seq: 0, hash: GENESIS_HASH, count: 0 });
  if (walked.bad !== null) return 0;
  return store.transaction(() => {
    if (walked.checked > 0) repo.set(walked.last);
    return repo.pruneAbsentRecords(walked.last.seq);
  });
}

/** Hash and link every event after `from`; stops at the first bad one. */
function walkFrom(
  repo: AuditCheckpointRepo,
  from: AuditCheckpoint,
): { checked: number; last: AuditCheckpoint; bad: string | null } {
  let expectedPrev = from.hash;
  let checked = 0;
  let last = from;
  let bad: string | null = null;
  for (const t of repo.iterateAfter(from.seq)) {
    const prevHash = t[11];
    const hash = tupleHash(t);
    if (hash !== t[12] || prevHash !== expectedPrev) {
      bad = t[0];
      break;
    }
    expectedPrev = hash;
    checked++;
    last = { seq: t[14], hash, count: from.count + checked };
  }
  return { checked, last, bad };
}
