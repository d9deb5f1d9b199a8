/**
 * The hash chain of the local audit log (DESIGN.md §7). The canonical form is shared with the portal backend,
 * which verifies every pushed event (src-shared/audit-chain.ts); this file applies SHA-256 to it.
 */
import crypto from 'node:crypto';
import type { AuditRecord } from '../../src-shared/domain';
import { chainInput, recordChainInput, type ChainFields } from '../../src-shared/audit-chain';
import type { ChainTuple } from '../store/repos/audit';

export { GENESIS_HASH, canonicalJson, type ChainFields } from '../../src-shared/audit-chain';

export function chainHash(e: ChainFields): string {
  // One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash for short inputs.
  return crypto.hash('sha256', chainInput(e), 'hex');
}

/** The chain hash of a record as it travels (fields as an array): what the server can recompute. */
export function recordHash(r: Omit<AuditRecord, 'hash' | 'version'>): string {
  return crypto.hash('sha256', recordChainInput(r), 'hex');
}

/**
 * The chain hash of a stored row read as a positional tuple (store/repos/audit.ts `ChainTuple`, canonical field
 * order), recomputed from its content and its `prevHash`: what full and incremental verification compare with
 * the stored hash.
 */
export function tupleHash(t: ChainTuple | readonly [...ChainTuple, number]): string {
  return chainHash({
    id: t[0],
    at: t[1],
    staffId: t[2],
    role: t[3],
    deviceId: t[4],
    action: t[5],
    entityType: t[6],
    entityId: t[7],
    outcome: t[8],
    fieldsJson: t[9],
    actorKind: t[10],
    prevHash: t[11],
    purposeOfEvent: t[13],
  });
}
