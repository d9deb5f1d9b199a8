/**
 * Mutation payload versions a server accepts (issue 12: a console upgraded with changes still queued pushes
 * rows written by the previous release). Version 1 is the payload without `v` (the release before); version 2
 * adds `v` and has the same operation shapes. When a version changes a shape, its upgrade to the current shape
 * goes here, and the version before the previous one leaves ACCEPTED_PAYLOAD_VERSIONS.
 */
import { ACCEPTED_PAYLOAD_VERSIONS, type Mutation } from '../../src-shared/sync';

/** Null when the server can apply this payload version, else the reason to give for refusing it. */
export function payloadVersionProblem(m: Mutation): string | null {
  const v = m.v ?? 1;
  if (ACCEPTED_PAYLOAD_VERSIONS.includes(v)) return null;
  return v > Math.max(...ACCEPTED_PAYLOAD_VERSIONS)
    ? 'This change comes from a newer console than the server supports; the server needs an update.'
    : 'This change comes from a console version the server no longer supports.';
}
