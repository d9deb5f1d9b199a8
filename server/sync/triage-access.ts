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
 * Filters pulled or fetched changes for a role: messages and attachments of threads in clinical pools are left
 * out for a receptionist. Returns the kept changes and the ids of threads whose content was withheld.
 */
export async function filterForRole(
  store: ServerStore,
  role: Role,
  changes: Change[],
): Promise<{ changes: Change[]; withheld: string[] }> {
  if (role !== 'receptionist') return { changes, withheld: [] };
  const pools = new Map<string, PoolRecord>((await store.pools()).map((p) => [p.id, p]));
  const readable = new Map<string, boolean>();
  const threadReadable = async (threadId: string): Promise<boolean> => {
    const known = readable.get(threadId);
    if (known !== undefined) return known;
    const thread = await store.thread(threadId);
    const kind = thread?.poolId ? (pools.get(thread.poolId)?.kind ?? null) : null;
    const ok = roleMayReadPool(role, kind);
    readable.set(threadId, ok);
    return ok;
  };
  const kept: Change[] = [];
  const withheld = new Set<string>();
  for (const change of changes) {
    let threadId: string | null = null;
    if (change.entity === 'message') {
      threadId = change.data?.threadId ?? (await store.message(change.id))?.threadId ?? null;
    } else if (change.entity === 'attachment') {
      const messageId = change.data?.messageId ?? (await store.attachment(change.id))?.messageId;
      threadId = messageId ? ((await store.message(messageId))?.threadId ?? null) : null;
    }
    if (threadId !== null && !(await threadReadable(threadId))) {
      withheld.add(threadId);
      continue;
    }
    kept.push(change);
  }
  return { changes: kept, withheld: [...withheld] };
}
