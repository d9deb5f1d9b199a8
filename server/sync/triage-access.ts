/**
 * The server's half of triage access (issue 14a, DESIGN.md §6 "the server repeats the checks for everything it
 * accepts or serves"): receptionists get no message, attachment or reply of a thread in a clinical pool, from
 * a pull, a record fetch or a push, whatever a (modified) console asks for.
 */
import type { Role, ThreadRecord } from '../../src-shared/domain';
import type { Change } from '../../src-shared/sync';
import { roleMayReadPool, type PoolKind, type PoolRecord } from '../../src-shared/triage';
import type { ServerStore } from '../db/types';
import type { SyncCaller } from '../auth/staff-auth';
import type { ServerContext } from '../context';

/** The pool kind of a thread (null: no pool or an unknown one, which counts as clinical). */
export async function poolKindOf(
  store: ServerStore,
  thread: Pick<ThreadRecord, 'poolId'>,
): Promise<PoolKind | null> {
  if (!thread.poolId) return null;
  return (await store.triagePool(thread.poolId))?.kind ?? null;
}

/**
 * What a sync caller may be served: the signed-in staff member's role when a token came with the request;
 * on the device credential alone, the most a staff member signed in on that device may see (its clearance:
 * clinical content only if a clinician or admin signed in online on the PC within the offline grace period and
 * has not signed out there since), so dropping the token gains nothing, and a forgotten sign-in expires with
 * the grace period in which that person could still push from the PC (DESIGN §5, review 4).
 */
export async function servedRole(ctx: ServerContext, caller: SyncCaller): Promise<Role> {
  if (caller.session) return caller.session.staff.role;
  const since = new Date(ctx.now() - ctx.offlineGraceMs).toISOString();
  const roles = await ctx.store.deviceStaffRoles(caller.deviceId, since);
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('clinician')) return 'clinician';
  return 'receptionist';
}

/**
 * What a pull page withholds from a role (issue 14a): for a receptionist, messages and attachments of threads in
 * clinical pools (or in no pool, or a thread that is gone: counted clinical); for other roles nothing (null).
 * One per page: pools are read once, each thread's answer kept for the page.
 * Session 7, s7srv: split from the former `filterForRole` so a page encoded by the database (server/db/wire-json.ts)
 * is checked from each message row's thread and pool, without loading the message or thread again.
 */
export interface PageAccess {
  /** A message row read with its thread and that thread's pool (WireRow): the thread withheld, or null. */
  withheldMessage(threadId: string | null, poolId: string | null): string | null;
  /** Any loaded change (attachments, and messages not encoded in SQL): the thread withheld, or null. */
  withheldChange(change: Change): Promise<string | null>;
}

export async function pageAccess(store: ServerStore, role: Role): Promise<PageAccess | null> {
  if (role !== 'receptionist') return null;
  const pools = new Map<string, PoolRecord>((await store.pools()).map((p) => [p.id, p]));
  const readable = new Map<string, boolean>();
  const decide = (threadId: string, poolId: string | null): string | null => {
    let ok = readable.get(threadId);
    if (ok === undefined) {
      ok = roleMayReadPool(role, poolId ? (pools.get(poolId)?.kind ?? null) : null);
      readable.set(threadId, ok);
    }
    return ok ? null : threadId;
  };
  const threadOf = async (threadId: string): Promise<string | null> => {
    if (readable.has(threadId)) return decide(threadId, null);
    return decide(threadId, (await store.thread(threadId))?.poolId ?? null);
  };
  return {
    // A deleted message (no thread) is served: its deletion reveals nothing.
    withheldMessage: (threadId, poolId) => (threadId === null ? null : decide(threadId, poolId)),
    async withheldChange(change) {
      let threadId: string | null = null;
      if (change.entity === 'message') {
        threadId = change.data?.threadId ?? (await store.message(change.id))?.threadId ?? null;
      } else if (change.entity === 'attachment') {
        const messageId = change.data?.messageId ?? (await store.attachment(change.id))?.messageId;
        threadId = messageId ? ((await store.message(messageId))?.threadId ?? null) : null;
      }
      return threadId === null ? null : threadOf(threadId);
    },
  };
}
