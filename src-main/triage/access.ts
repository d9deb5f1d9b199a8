/**
 * Record-level access by triage pool (issue 14a, DESIGN.md §6): receptionists work administrative pools; of a
 * clinical thread they see only topic and subject (the queue lists), enough to re-route it, never its messages,
 * attachments or replies. The router asks this after the contract's role check and refuses (audited, on the
 * named record) what it denies. An active emergency-access grant (break-glass) lets the read through, flagged.
 */
import type { MethodName } from '../../src-shared/contract';
import type { StaffRecord } from '../../src-shared/domain';
import type { ApiErrorShape } from '../../src-shared/errors';
import {
  PURPOSE_BREAK_GLASS,
  roleMayReadPool,
  roleMayRoute,
  type PurposeOfEvent,
} from '../../src-shared/triage';
import type { Store } from '../store/store';

/** The router's answer for one call: go ahead (with a purpose of use to flag its audit events), or refuse. */
export type RecordAccess =
  { ok: true; purposeOfEvent?: PurposeOfEvent } | { ok: false; error: ApiErrorShape };

/** Methods that act on one thread's content, by the input field naming the thread. */
const THREAD_CONTENT_METHODS: Partial<Record<MethodName, 'threadId'>> = {
  'thread.get': 'threadId',
  'thread.getIfChanged': 'threadId',
  'thread.reply': 'threadId',
  'thread.replyAndClose': 'threadId',
  'thread.claim': 'threadId',
  'thread.release': 'threadId',
  'thread.assign': 'threadId',
  'thread.setPriority': 'threadId',
  'thread.setStatus': 'threadId',
};

/**
 * What an emergency-access grant opens: reading (DESIGN §6 "opens a record … every read in it is flagged"). Acting
 * on the thread stays with its pool's roles; the server refuses such a change too, so the router says so at once
 * instead of showing a reply as sent that never reaches the patient (review 4).
 */
const GRANT_READ_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'thread.get',
  'thread.getIfChanged',
  'attachment.get',
]);

const GRANT_READ_ONLY: ApiErrorShape = {
  code: 'FORBIDDEN',
  message:
    'Emergency access lets you read this clinical thread, not act on it: ask a clinician to reply or change it.',
};

const CLINICAL_REFUSAL: ApiErrorShape = {
  code: 'FORBIDDEN',
  message:
    'This thread is in a clinical pool: your role sees its topic and subject only. Re-route it if it is ' +
    'mis-filed, or use emergency access with a reason.',
};

/** An active emergency-access grant of this staff member on this thread, at the time of the call. */
export type GrantLookup = (staffId: string, entityType: 'thread' | 'patient', entityId: string) => boolean;

/**
 * Builds the router's record-access check over the local store.
 * @param hasGrant true while the staff member holds an unexpired break-glass grant on the record.
 */
export function createRecordAccess(store: Store, hasGrant: GrantLookup) {
  const threadOfAttachmentStmt = store.db
    .prepare<[string], string>(
      'SELECT m.thread_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?',
    )
    .pluck();
  const threadOfAttachment = (attachmentId: string): string | null =>
    threadOfAttachmentStmt.get(attachmentId) ?? null;

  return (method: MethodName, input: unknown, staff: StaffRecord): RecordAccess => {
    const data = input as Record<string, unknown>;
    if (method === 'thread.route') {
      const threadId = String(data.threadId);
      const target = store.pools.byId(String(data.poolId));
      if (!target) return { ok: false, error: { code: 'NOT_FOUND', message: 'No such pool.' } };
      // Read from the row, not from the thread's kept facts: a security decision sees every commit, another
      // connection's within this turn too (session 10 review, R10-1; one point read, about 3 µs).
      const from = store.pools.kindOfThread(threadId);
      if (from === undefined) return { ok: true }; // not held here: the service answers NOT_FOUND
      if (!roleMayRoute(staff.role, from, target.kind))
        return {
          ok: false,
          error: {
            code: 'FORBIDDEN',
            message: 'Only a clinician can move a clinical thread into an administrative pool.',
          },
        };
      return { ok: true };
    }
    let threadId: string | null = null;
    const field = THREAD_CONTENT_METHODS[method];
    if (field) threadId = String(data[field]);
    else if (method === 'attachment.get') threadId = threadOfAttachment(String(data.attachmentId));
    if (threadId === null) return { ok: true };
    // From the row, as above (R10-1).
    const kind = store.pools.kindOfThread(threadId);
    if (kind === undefined) {
      // Not on this PC: a permitted role may fetch it on demand; a receptionist fetches nothing unknown.
      return staff.role === 'receptionist' ? { ok: false, error: CLINICAL_REFUSAL } : { ok: true };
    }
    if (roleMayReadPool(staff.role, kind)) return { ok: true };
    if (hasGrant(staff.id, 'thread', threadId)) {
      return GRANT_READ_METHODS.has(method)
        ? { ok: true, purposeOfEvent: PURPOSE_BREAK_GLASS }
        : { ok: false, error: GRANT_READ_ONLY };
    }
    return { ok: false, error: CLINICAL_REFUSAL };
  };
}
