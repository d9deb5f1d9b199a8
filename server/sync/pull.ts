/**
 * Cursor pull: the current state of every entity changed after the cursor, in change-log order.
 * An entity changed many times appears once, at its latest sequence number.
 */
import { z } from 'zod';
import { Cursor, SYNC_LIMITS, type Change, type PullResponse } from '../../src-shared/sync';
import type { ServerStore } from '../db/types';
import { HttpError } from '../http/errors';
import type { Role } from '../../src-shared/domain';
import { filterForRole } from './triage-access';

export const PullQuery = z.strictObject({
  after: Cursor.optional(),
  limit: z
    .string()
    .regex(/^\d{1,7}$/)
    .optional(),
});

const MAX_SEQ = 2n ** 63n - 1n;
/** A batch stops growing past this many bytes of JSON (attachments can be megabytes each). */
const BATCH_BYTES = 8 * 1024 * 1024;

export async function parseCursor(text: string | undefined, store: ServerStore): Promise<number> {
  if (text === undefined) return 0;
  const value = BigInt(text);
  if (value > MAX_SEQ) throw new HttpError(400, 'VALIDATION', 'The cursor is out of range.');
  if (value > BigInt(await store.latestSeq())) {
    // The server's data is older than the console's cursor (restored or reset server): start again from 0.
    throw new HttpError(409, 'CURSOR_AHEAD', 'The cursor is ahead of the server; pull again from cursor 0.');
  }
  return Number(value);
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined) return SYNC_LIMITS.defaultPullBatch;
  const n = Number(text);
  if (n < 1) throw new HttpError(400, 'VALIDATION', 'limit must be at least 1.');
  return Math.min(n, SYNC_LIMITS.maxPullBatch);
}

/**
 * A pulled audit event without its chain hashes (PULL_LEAN_HEADER: the console does not keep them; session 6,
 * s6sync, issue 16 §2: 24 of the 192 MB of an initial sync at scale 100).
 */
function withoutChain(change: Change): Change {
  if (change.entity !== 'audit' || change.data === null) return change;
  const { prevHash: _prev, hash: _hash, ...data } = change.data;
  return { ...change, data };
}

/**
 * One page of changes after the cursor, read from one consistent snapshot (a read-only transaction).
 * @param role the role the batch is served to (server/sync/triage-access.ts servedRole); a receptionist's batch
 *   leaves out messages and attachments of clinical pools and names their threads in `withheld` (issue 14a).
 */
export async function pull(
  store: ServerStore,
  query: z.output<typeof PullQuery>,
  role: Role,
  options: { leanAudit?: boolean } = {},
): Promise<PullResponse> {
  return store.transaction(
    async () => {
      const after = await parseCursor(query.after, store);
      const refs = await store.changesAfter(after, parseLimit(query.limit));
      // Everything but attachments in one go; attachment content one at a time, under the byte budget.
      const small = await store.loadChanges(refs.filter((r) => r.entity !== 'attachment'));
      const loaded = new Map(small.map((c) => [`${c.entity}:${c.id}`, c]));
      const changes: Change[] = [];
      let cursor = after;
      let bytes = 0;
      for (const ref of refs) {
        const change = loaded.get(`${ref.entity}:${ref.id}`) ?? (await store.loadChange(ref.entity, ref.id));
        bytes +=
          ref.entity === 'attachment' && change.data
            ? (change.data as { contentBase64: string }).contentBase64.length
            : 256;
        if (changes.length > 0 && bytes > BATCH_BYTES) break;
        changes.push(options.leanAudit ? withoutChain(change) : change);
        cursor = ref.seq;
      }
      const remaining = await store.countChangesAfter(cursor);
      const served = await filterForRole(store, role, changes);
      return {
        changes: served.changes,
        cursor: String(cursor),
        hasMore: remaining > 0,
        remaining,
        ...(served.withheld.length > 0 ? { withheld: served.withheld } : {}),
      };
    },
    { readOnly: true },
  );
}
