/**
 * The canonical form of a console's audit hash chain (DESIGN.md §7), shared by the console (which writes the
 * chain) and the portal backend (which recomputes every pushed event's hash, issue 10):
 *
 *   hash = sha256hex(chainInput(event)) = sha256hex(prevHash + '\n' + canonicalJson(event))
 *
 * canonicalJson(event) is JSON of the stored fields in this fixed key order, with `fields` as an array of names:
 *   {"id","at","staffId","role","deviceId","action","entityType","entityId","outcome","fields","actorKind",
 *    ["purposeOfEvent" only when set, issue 14a], "prevHash"}
 * i.e. exactly `JSON.stringify` of an object built in that order. `seq` (local position) and `version` (server
 * bookkeeping) are not part of it, so a reordering shows up as a broken link rather than as altered content.
 * src-shared may not import Node, so each side applies SHA-256 itself.
 */
import type { AuditRecord } from './domain';

/** prevHash of the first event of a device's log. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed part of an event; `fieldsJson` is the stored JSON text of the field-name array. */
export interface ChainFields {
  id: string;
  at: string;
  staffId: string | null;
  role: string | null;
  deviceId: string;
  action: string;
  entityType: string;
  entityId: string | null;
  outcome: string;
  fieldsJson: string;
  actorKind: string;
  prevHash: string;
  /**
   * issue 14a: FHIR AuditEvent.purposeOfEvent (HL7 v3 ActReason), 'BTG' for a read under emergency access.
   * Hashed only when present, so every event written before the column keeps its hash.
   */
  purposeOfEvent?: string | null;
}

const j = JSON.stringify;

/**
 * Built by concatenation rather than JSON.stringify(object) so verification can hash the stored `fields` text
 * as it is: any byte changed there breaks the hash, and no parse is needed per row.
 */
export function canonicalJson(e: ChainFields): string {
  return (
    `{"id":${j(e.id)},"at":${j(e.at)},"staffId":${j(e.staffId)},"role":${j(e.role)},"deviceId":${j(e.deviceId)},` +
    `"action":${j(e.action)},"entityType":${j(e.entityType)},"entityId":${j(e.entityId)},` +
    `"outcome":${j(e.outcome)},"fields":${e.fieldsJson},"actorKind":${j(e.actorKind)},` +
    (e.purposeOfEvent ? `"purposeOfEvent":${j(e.purposeOfEvent)},` : '') +
    `"prevHash":${j(e.prevHash)}}`
  );
}

/** The exact text whose SHA-256 (lower-case hex) is the event's hash. */
export function chainInput(e: ChainFields): string {
  return e.prevHash + '\n' + canonicalJson(e);
}

/** chainInput of a record as it travels (fields as an array): what the server recomputes. */
export function recordChainInput(r: Omit<AuditRecord, 'hash' | 'version'>): string {
  return chainInput({ ...r, fieldsJson: JSON.stringify(r.fields) });
}
