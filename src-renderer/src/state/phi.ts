/**
 * Dropping PHI (DESIGN.md §2.2, §6): on lock, sign-out and user switch every store that holds patient data is
 * emptied BEFORE the lock screen renders, answers still in flight are discarded (the epoch moves on), and Blob
 * URLs of attachments are revoked. Non-PHI UI state (view, queue, filters, day) is kept to restore the view.
 */
import { revokeAll } from '../lib/download';
import { resetAudit } from './audit';
import { nextPhiEpoch } from './epoch';
import { resetInbox } from './inbox';
import { resetPatient } from './patient';
import { resetSchedule } from './schedule';
import { resetSyncProblems } from './sync';

export function clearPhi(): void {
  nextPhiEpoch();
  resetInbox();
  resetSchedule();
  resetPatient();
  resetAudit();
  resetSyncProblems();
  revokeAll();
}
