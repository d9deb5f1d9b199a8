/**
 * Cursor pull: the current state of every entity changed after the cursor, in change-log order.
 * An entity changed many times appears once, at its latest sequence number.
 */
import { z } from 'zod';
import { Cursor, SYNC_LIMITS, type Change } from '../../src-shared/sync';
import type { ServerStore } from '../db/types';
import { JOIN_MARK, type WireRow } from '../db/wire-json';
import { HttpError } from '../http/errors';
import type { Role } from '../../src-shared/domain';
import { pageAccess } from './triage-access';

export const PullQuery = z.strictObject({
  after: Cursor.optional(),
  limit: z
    .string()
    .regex(/^\d{1,7}$/)
    .optional(),
});

const MAX_SEQ = 2n ** 63n - 1n;
/** A batch stops growing past this many bytes of JSON (attachments can be megabytes each). */
export const BATCH_BYTES = 8 * 1024 * 1024;

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

const COMMA = 0x2c;
const COMMA_BYTES = Buffer.from(',');

/**
 * A joined page (WirePage.joined) cut at each JOIN_MARK byte: runs of kept texts at even places, the special rows'
 * sequence numbers (ASCII digits) at odd places. The pieces are views of `joined`, not copies.
 */
function splitAtMarks(joined: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = joined.indexOf(JOIN_MARK); at !== -1; at = joined.indexOf(JOIN_MARK, from)) {
    parts.push(joined.subarray(from, at));
    from = at + 1;
  }
  parts.push(joined.subarray(from));
  return parts;
}

/**
 * A pull answer as sent: the PullResponse's JSON text as UTF-8 bytes, and its cursor and hasMore for the hint
 * headers.
 */
export interface PullPage {
  body: Buffer;
  cursor: string;
  hasMore: boolean;
}

/**
 * One page of changes after the cursor, read from one consistent snapshot (a read-only transaction), as the
 * JSON text of a PullResponse (server/API.md), as UTF-8 bytes.
 * Session 7, s7srv (issue 16 §2): the page comes from ServerStore.pullPage with each record's wire JSON encoded by
 * the database or kept as written (server/db/wire-json.ts; on SQLite the whole page as one joined run of bytes) and
 * is assembled here: no JS object per record, no JSON.stringify of the page. Attachments (content under a byte
 * budget) and rare kinds are loaded and encoded one at a time as before. At scale 100 a clinician's initial sync
 * cost the backend 1.37–1.43 CPU-s per 100k records before and 0.40–0.43 after (bench/profile-pull.ts, load 4–6;
 * docs/performance-history.md, "The backend's pull pages (session 7)").
 * Session 16: assembled as bytes, so SQLite's page reaches the socket without being decoded and encoded again
 * (wire-json.ts, joinedPageSql): the backend's CPU in an initial sync at scale 100 went from 4.3-4.4 s to
 * 2.3-2.7 s (bench/profile-sync.ts, three runs each).
 * @param role the role the batch is served to (server/sync/triage-access.ts servedRole); a receptionist's batch
 *   leaves out messages and attachments of clinical pools and names their threads in `withheld` (issue 14a).
 */
export async function pull(
  store: ServerStore,
  query: z.output<typeof PullQuery>,
  role: Role,
  options: { leanAudit?: boolean } = {},
): Promise<PullPage> {
  return store.transaction(
    async () => {
      const after = await parseCursor(query.after, store);
      const access = await pageAccess(store, role);
      const leanAudit = options.leanAudit ?? false;
      const wire = { leanAudit, threadPools: access !== null };
      const limit = parseLimit(query.limit);
      const withheld = new Set<string>();
      /** A row's text as served, or null when withheld (a receptionist, issue 14a). */
      const serve = async (row: WireRow, change: Change | null): Promise<string | null> => {
        const hidden =
          access === null
            ? null
            : change !== null
              ? await access.withheldChange(change)
              : row.entity === 'message'
                ? access.withheldMessage(row.threadId, row.poolId)
                : null;
        if (hidden !== null) {
          withheld.add(hidden);
          return null;
        }
        return row.json ?? JSON.stringify(leanAudit ? withoutChain(change!) : change);
      };
      const load = (row: WireRow) =>
        row.json === null ? store.loadChange(row.entity, row.id) : Promise.resolve(null);

      /** The page's records' JSON texts, UTF-8, in order. */
      let texts: Buffer[] | null = null;
      let cursor = after;
      /** The change rows after `after` up to `cursor`: the page's, whether served or withheld. */
      let pageRows = 0;
      const page = await store.pullPage(after, limit, wire);
      if (page.joined !== null) {
        // The page as one run of bytes: splice in the special rows. Exact unless the byte budget could end the
        // page early (attachments past BATCH_BYTES): then read it again row by row below, as before.
        const served = new Map<number, string | null>();
        let bytes = 256 * page.count;
        for (const row of page.rows) {
          const change = await load(row);
          if (row.entity === 'attachment' && change?.data)
            bytes += (change.data as { contentBase64: string }).contentBase64.length - 256;
          if (page.count > 1 && bytes > BATCH_BYTES) break;
          served.set(row.seq, await serve(row, change));
        }
        if (!(page.count > 1 && bytes > BATCH_BYTES)) {
          texts = [];
          const parts = splitAtMarks(page.joined);
          for (let k = 0; k < parts.length; k++) {
            const part = parts[k]!;
            if (k % 2 === 1) {
              const text = served.get(Number(part.toString('latin1')));
              if (text !== undefined && text !== null) texts.push(Buffer.from(text, 'utf8'));
              continue;
            }
            // A run of kept texts between marks, with the ',' that joined it to them.
            const from = part[0] === COMMA ? 1 : 0;
            const to = part.length > from && part[part.length - 1] === COMMA ? part.length - 1 : part.length;
            if (to > from) texts.push(part.subarray(from, to));
          }
          cursor = page.last ?? after;
          pageRows = page.count;
        } else withheld.clear();
      }
      if (texts === null) {
        texts = [];
        const rows =
          page.joined === null ? page.rows : (await store.pullPage(after, limit, wire, false)).rows;
        let bytes = 0;
        let taken = 0;
        for (const row of rows) {
          const change = await load(row);
          bytes +=
            row.entity === 'attachment' && change?.data
              ? (change.data as { contentBase64: string }).contentBase64.length
              : 256;
          if (taken > 0 && bytes > BATCH_BYTES) break;
          taken++;
          cursor = row.seq;
          pageRows = taken;
          const text = await serve(row, change);
          if (text !== null) texts.push(Buffer.from(text, 'utf8'));
        }
      }
      // The rows read for this page are exactly those after the request's cursor up to the answer's.
      const remaining = await store.countChangesAfter(cursor, { from: after, rows: pageRows });
      const hasMore = remaining > 0;
      const withheldText = withheld.size > 0 ? `,"withheld":${JSON.stringify([...withheld])}` : '';
      const parts: Buffer[] = [Buffer.from('{"changes":[')];
      for (let k = 0; k < texts.length; k++) {
        if (k > 0) parts.push(COMMA_BYTES);
        parts.push(texts[k]!);
      }
      parts.push(
        Buffer.from(`],"cursor":"${cursor}","hasMore":${hasMore},"remaining":${remaining}${withheldText}}`),
      );
      return {
        body: Buffer.concat(parts),
        cursor: String(cursor),
        hasMore,
      };
    },
    { readOnly: true },
  );
}
