/** Console sync: cursor pull, mutation push, the SSE poke stream, and a record's server audit trail. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditEntityType, type Role, type ThreadRecord } from '../../src-shared/domain';
import {
  type Change,
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  PULL_LEAN_AUDIT_CHAIN,
  PULL_LEAN_HEADER,
  PushRequest,
  RecordQuery,
  type RecordResponse,
  RecordsRequest,
  SYNC_ROUTES,
} from '../../src-shared/sync';
import { authenticateStaff, authenticateSync, streamStillValid, type SyncCaller } from '../auth/staff-auth';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import type { ChargeRefusal } from '../http/refusal-budget';
import { parse } from '../http/validate';
import { applyPush } from '../sync/apply';
import { MAX_STREAMS_PER_KEY, type PokeHub } from '../sync/hub';
import { BATCH_BYTES, PullQuery, pull } from '../sync/pull';
import { poolKindOf, servedRole } from '../sync/triage-access';
import { roleMayReadPool } from '../../src-shared/triage';
import { sweepCoverage } from '../triage/coverage';

export const AuditForEntityQuery = z.strictObject({
  entityType: AuditEntityType,
  entityId: z.string().min(1).max(64),
});

export function syncRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  hub: PokeHub,
  logError: (line: string) => void,
  /** Session 8, sec8: charged before each refused read is recorded (server/http/refusal-budget.ts). */
  chargeRefusal: ChargeRefusal,
): void {
  // A failed coverage sweep never fails a pull or a push: the next sync or the timer tries again.
  const sweep = () =>
    sweepCoverage(ctx).catch((err: unknown) =>
      logError(`coverage: sweep failed: ${(err as Error | null)?.name ?? 'unknown'}`),
    );
  app.get(SYNC_ROUTES.pull, async (request, reply) => {
    const caller = await authenticateSync(ctx, request.headers);
    // session 4, 14c: coverage is brought up to the server's clock first, so the batch holds its moves.
    await sweep();
    // issue 14a: what the caller's role may not have (clinical bodies for a receptionist) is left out.
    // session 6, s6sync: a console that does not keep pulled audit events' chain hashes asks to leave them out.
    const leanAudit = request.headers[PULL_LEAN_HEADER] === PULL_LEAN_AUDIT_CHAIN;
    const batch = await pull(
      ctx.store,
      parse(PullQuery, request.query, 'query'),
      await servedRole(ctx, caller),
      { leanAudit },
    );
    // session 6, s6sync (issue 16 §2): the next page can be asked for before this body is read (a hint only).
    void reply.header(PULL_CURSOR_HEADER, batch.cursor).header(PULL_HAS_MORE_HEADER, String(batch.hasMore));
    // session 7, s7srv: the body is JSON text already (server/sync/pull.ts), sent as is: its UTF-8 bytes since
    // session 16.
    return reply.type('application/json; charset=utf-8').send(batch.body);
  });

  app.post(SYNC_ROUTES.push, async (request) => {
    const caller = await authenticateSync(ctx, request.headers);
    const body = parse(PushRequest, request.body, 'body', 'mutations');
    if (body.deviceId !== caller.deviceId) {
      throw new HttpError(403, 'FORBIDDEN', 'Mutations can only be pushed by the device that signed in.');
    }
    const results = await applyPush(
      ctx,
      body.deviceId,
      body.mutations,
      (err) => logError(`push: mutation failed: ${(err as Error | null)?.name ?? 'unknown'}`),
      caller.session?.staff.id ?? null,
    );
    // session 4, 14c: a thread just assigned to an absent clinician goes to their cover at once.
    await sweep();
    return { results };
  });

  app.get(SYNC_ROUTES.events, async (request, reply) => {
    const caller = await authenticateSync(ctx, request.headers);
    parse(z.strictObject({}), request.query, 'query');
    const key = caller.session?.tokenHash ?? `device:${caller.deviceId}`;
    if (hub.countFor(key) >= MAX_STREAMS_PER_KEY) {
      throw new HttpError(429, 'THROTTLED', 'Too many open event streams for this session.', 5);
    }
    reply.hijack();
    await hub.open(reply.raw, () => streamStillValid(ctx, caller), key);
  });

  // issue 10: the last event of this device's audit chain the server holds, so a console can compare heads.
  app.get(SYNC_ROUTES.auditHead, async (request) => {
    const caller = await authenticateSync(ctx, request.headers);
    parse(z.strictObject({}), request.query, 'query');
    return { head: await ctx.store.deviceAuditHead(caller.deviceId) };
  });

  // Issue 12: a console whose queued change ended unapplied restores the server's record from here, and a
  // record outside a console's store window is fetched on demand (reads are audited by the console's router).
  app.get(SYNC_ROUTES.record, async (request) => {
    const caller = await authenticateSync(ctx, request.headers);
    const role = await servedRole(ctx, caller);
    const served = await loadRecord(ctx, caller, role, parse(RecordQuery, request.query, 'query'), () =>
      chargeRefusal(request, caller.deviceId),
    );
    await auditGrantRead(ctx, caller, role, served);
    return served.record;
  });

  // Session 7, s7srv: several threads in one request (the bodies a pull withheld, fetched after sign-in), each
  // served, refused and audited as GET /sync/record does; a refusal names the id instead of failing the batch.
  app.post(SYNC_ROUTES.records, async (request) => {
    const caller = await authenticateSync(ctx, request.headers);
    const role = await servedRole(ctx, caller);
    const body = parse(RecordsRequest, request.body, 'body');
    const records: RecordResponse[] = [];
    const refused: string[] = [];
    let bytes = 0;
    for (const id of new Set(body.ids)) {
      try {
        const served = await loadRecord(ctx, caller, role, { entity: body.entity, id }, () =>
          chargeRefusal(request, caller.deviceId),
        );
        // An answer stops growing past the pull's byte budget (a thread may carry megabytes of attachments, or
        // of message bodies: review 8 counts every byte put in the answer, as UTF-8 JSON): the ids left out are
        // in neither list, and the console asks for them again. Only what goes in is read (audited).
        bytes += Buffer.byteLength(JSON.stringify(served.record));
        if (records.length > 0 && bytes > BATCH_BYTES) break;
        await auditGrantRead(ctx, caller, role, served);
        records.push(served.record);
      } catch (error) {
        // Session 8, sec8: this PC's refused reads are spent (refusal-budget.ts): the ids from here on are in
        // neither list, as past the byte budget; an answer with nothing in it is the 429 itself.
        if (error instanceof HttpError && error.status === 429 && records.length + refused.length > 0) break;
        if (!(error instanceof HttpError) || (error.status !== 403 && error.status !== 409)) throw error;
        refused.push(id);
      }
    }
    return { records, refused };
  });

  app.get(SYNC_ROUTES.auditForEntity, async (request) => {
    await authenticateStaff(ctx, request.headers);
    const query = parse(AuditForEntityQuery, request.query, 'query');
    return { events: await ctx.store.auditForEntity(query.entityType, query.entityId, 1000) };
  });
}

/** A record loaded for an answer, and whether its bodies are read under emergency access (break-glass). */
interface LoadedRecord {
  record: RecordResponse;
  /** The thread's id when its bodies are served under a grant only (to be audited once handed out), else null. */
  grantedThreadId: string | null;
}

/**
 * One record as the server holds it now, for `caller` served as `role` (GET /sync/record, POST /sync/records).
 * The caller hands it out and then calls auditGrantRead (review 8: a record the batch budget leaves out is no read).
 * @throws HttpError 403 when the role may not read the clinical thread (audited as a failed read on the
 *   server's trail) and holds no emergency-access grant on it; 409 when it moved meanwhile; whatever
 *   `chargeRefusal` throws (429 once the PC's refused reads are spent: then nothing is recorded).
 */
async function loadRecord(
  ctx: ServerContext,
  caller: SyncCaller,
  role: Role,
  query: z.output<typeof RecordQuery>,
  chargeRefusal: () => Promise<void>,
): Promise<LoadedRecord> {
  // issue 14a: a receptionist asking for a clinical thread is refused, and the refusal audited (outside the
  // read-only snapshot below, which a refusal would otherwise roll back).
  // issue 14a: emergency access (break-glass) the staff member opened on this thread and that has not expired.
  const granted = async () =>
    caller.session !== null &&
    (await ctx.store.activeBreakGlass(caller.session.staff.id, query.id, ctx.nowIso()));
  if (query.entity === 'thread') {
    const thread = await ctx.store.thread(query.id);
    if (thread && !roleMayReadPool(role, await poolKindOf(ctx.store, thread)) && !(await granted())) {
      await chargeRefusal();
      await ctx.audit.write({
        staffId: caller.session?.staff.id ?? null,
        role,
        deviceId: caller.deviceId,
        action: 'read',
        entityType: 'thread',
        entityId: query.id,
        outcome: 'failure',
        actorKind: 'staff',
      });
      throw new HttpError(403, 'FORBIDDEN', 'This thread is in a clinical pool: your role may not read it.');
    }
  }
  // One snapshot: the thread, its messages and attachments as of the same moment.
  let servedUnderGrant = false;
  const served = await ctx.store.transaction(
    async () => {
      const change = await ctx.store.loadChange(query.entity, query.id);
      const related: Change[] = [];
      if (query.entity === 'thread' && change.data) {
        // Re-checked in the snapshot: a re-route between the check above and here must not hand out bodies.
        const kind = await poolKindOf(ctx.store, change.data as ThreadRecord);
        if (!roleMayReadPool(role, kind) && !(await granted()))
          throw new HttpError(409, 'CONFLICT', 'This thread moved meanwhile; ask again.');
        if (!roleMayReadPool(role, kind)) servedUnderGrant = true;
        for (const m of await ctx.store.messagesOfThread(query.id))
          related.push({ entity: 'message', id: m.id, data: m });
        for (const a of await ctx.store.attachmentsOfThread(query.id))
          related.push(await ctx.store.loadChange('attachment', a.id));
      }
      return { change, related };
    },
    { readOnly: true },
  );
  return { record: served, grantedThreadId: servedUnderGrant ? query.id : null };
}

/**
 * Review 4: bodies handed out under emergency access are a read flagged 'BTG' on the server's own trail, so the
 * admins' report counts them even when a (modified) console never reports its reads. Called only for a record
 * put in the answer (review 8); nothing for one not served under a grant.
 */
async function auditGrantRead(
  ctx: ServerContext,
  caller: SyncCaller,
  role: Role,
  loaded: LoadedRecord,
): Promise<void> {
  if (loaded.grantedThreadId === null) return;
  await ctx.audit.write({
    staffId: caller.session?.staff.id ?? null,
    role,
    deviceId: caller.deviceId,
    action: 'read',
    entityType: 'thread',
    entityId: loaded.grantedThreadId,
    outcome: 'success',
    actorKind: 'staff',
    purposeOfEvent: 'BTG',
  });
}
