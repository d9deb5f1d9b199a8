import { z } from 'zod';
import { contract, type MethodName, type MethodSpec } from '../../src-shared/contract';
import type { AuditRecord, StaffRecord } from '../../src-shared/domain';
import { ApiError, type ApiErrorShape } from '../../src-shared/errors';
import { illFormedTextMessage, illFormedTextPath } from '../../src-shared/well-formed-text';
import type { AuditEventInput, AuditLog } from '../audit';
import type { AuditSubject } from '../audit/read-records';
import type { AuthService } from '../auth/auth-service';
import type { RecordAccess } from '../triage/access';
import type { CallerInfo, CallResult, EventListener, Router } from './types';
import { parseOutput } from './validated-output';

/** What a handler gets besides its validated input: the signed-in (active) staff member, when there is one. */
export interface HandlerContext {
  staff: StaffRecord | null;
  /**
   * Set by a handler whose audit event names the fields that actually changed (e.g. settings.update), in
   * place of the contract's fixed list. Names only, never values.
   */
  auditFields?: string[];
  /** issue 14a: 'BTG' when the call goes through under an emergency-access grant (its audit events say so). */
  purposeOfEvent?: 'BTG';
  /**
   * Set by an `async` handler whose call leads to a derived write (thread.get's "seen" mark): run by the router
   * right after the call's success events have committed (durably), with those events, before the answer is
   * returned. It must not throw. Issue 16 §3, session 9: the mark is derived from the read event later
   * (src-main/inbox/seen-marks.ts), so the read's commit holds its events only.
   */
  afterAudit?: (recorded: readonly AuditRecord[]) => void;
  /**
   * Set by a handler whose answer carries no record's data (thread.getIfChanged finding the caller's copy current,
   * review 7 U4): no success event is written, as nothing was read out (DESIGN §7 records every read that returns
   * data). Session 7, s7ui.
   */
  nothingRead?: boolean;
}

export type Handler<M extends MethodName> = (
  input: z.output<(typeof contract)[M]['input']>,
  ctx: HandlerContext,
) => z.input<(typeof contract)[M]['output']> | Promise<z.input<(typeof contract)[M]['output']>>;

/** Every contract method must have a handler: a method added to the contract without one fails to compile. */
export type Handlers = { [M in MethodName]: Handler<M> };

export interface RouterOptions {
  handlers: Handlers;
  auth: AuthService;
  audit: AuditLog;
  allowedOrigins: readonly string[];
  /** Runs fn in one store transaction (Store.transaction). */
  atomically: <T>(fn: () => T) => T;
  /** Subscribes the router's listeners to the core's events. */
  events: { subscribe(listener: EventListener): () => void };
  /**
   * The lock gate (DESIGN.md §6, issue 11): called first on every call; locks the session when the idle time
   * has reached the timeout, so no timer delay (sleep, a stalled event loop, a clock jump) hands out data.
   */
  lockGate: () => void;
  /** The records whose trails carry an event on the named record (src-main/audit/read-records.ts). */
  subjectsOf: (
    action: AuditEventInput['action'],
    entityType: AuditSubject['entityType'],
    entityId: string,
    fields: string[],
    input: unknown,
  ) => AuditSubject[] | null;
  /**
   * The records a successful list read returned that its events must name (src-main/audit/read-records.ts:
   * a repeat of the same query by the same person shortly after is not recorded again).
   */
  listedRecords: (
    method: MethodName,
    input: unknown,
    output: unknown,
    staffId: string | null,
  ) => AuditSubject[];
  /**
   * issue 14a: record-level access after the role check (src-main/triage/access.ts): triage pools, emergency
   * access. A refusal is audited on the named record; a break-glass grant flags the call's audit events.
   */
  recordAccess?: (method: MethodName, input: unknown, staff: StaffRecord) => RecordAccess;
}

/** Handlers declared `async` (they await I/O) cannot run inside a synchronous SQLite transaction. */
const AsyncFunction = (async () => undefined).constructor;

const isMethod = (name: string): name is MethodName => Object.prototype.hasOwnProperty.call(contract, name);

/** Names of the fields that failed validation, never their values (they may be PHI). */
function validationMessage(error: z.ZodError): string {
  const paths = [...new Set(error.issues.map((i) => i.path.join('.') || '(input)'))].slice(0, 5);
  return `Invalid input: ${paths.join(', ')}`;
}

function toApiError(error: unknown): ApiErrorShape {
  if (error instanceof ApiError) return error.toJSON();
  if (error instanceof z.ZodError) return { code: 'VALIDATION', message: validationMessage(error) };
  // Anything else is ours to fix: no stack, SQL or value reaches the renderer, and only the error's kind is logged.
  console.error(`clinic: internal error (${error instanceof Error ? error.name : typeof error})`);
  return {
    code: 'INTERNAL',
    message: 'Something went wrong in the console. Try again; if it persists, tell IT.',
  };
}

/**
 * The one IPC router (DESIGN.md §3): sender check, input schema, role check, lock gate, audit, typed errors.
 * Used by the Electron shell's ipcMain handlers and by the browser host's WebSocket alike.
 */
export function createRouter(o: RouterOptions): Router {
  const allowedOrigins = new Set(o.allowedOrigins);

  async function call(method: string, input: unknown, caller: CallerInfo): Promise<CallResult> {
    if (!allowedOrigins.has(caller.origin) || !caller.isMainFrame) {
      return {
        ok: false,
        error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the console window.' },
      };
    }
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { code: 'VALIDATION', message: 'Unknown method' } };
    }
    const spec: MethodSpec = contract[method];
    const parsed = spec.input.safeParse(input === undefined ? {} : input);
    if (!parsed.success)
      return { ok: false, error: { code: 'VALIDATION', message: validationMessage(parsed.error) } };
    // Text that is not well-formed Unicode would not reach the store or the server as sent: refused, naming where
    // (src-shared/well-formed-text.ts). Checked in the schema's output: raw input may share objects or loop.
    const illFormed = illFormedTextPath(parsed.data);
    if (illFormed)
      return {
        ok: false,
        error: { code: 'VALIDATION', message: `Invalid input: ${illFormedTextMessage('', illFormed)}` },
      };

    // The gate first: an idle timeout that has passed locks the session before anything is read from it.
    o.lockGate();
    const session = o.auth.current();
    const actor = o.auth.actor();
    const audit = spec.audit;

    /** The events a call on a named record writes: one per record whose trail must show it. */
    /** issue 14a: set when the call goes through under emergency access (access check or handler). */
    const flags: { purposeOfEvent?: 'BTG' } = {};
    const eventsOn = (outcome: 'success' | 'failure', entityId: string | null, fields: string[]) => {
      if (!audit) return [];
      const subjects =
        entityId === null
          ? null
          : o.subjectsOf(audit.action, audit.entityType, entityId, fields, parsed.data);
      // No id, or an id of no record held here (e.g. typed text): one event without the id.
      // issue 14a: every event of a call under emergency access carries purposeOfEvent 'BTG'.
      const purpose = flags.purposeOfEvent ? { purposeOfEvent: flags.purposeOfEvent } : {};
      if (subjects === null)
        return [
          { action: audit.action, entityType: audit.entityType, entityId: null, outcome, fields, ...purpose },
        ];
      return subjects.map((s): AuditEventInput => ({ action: audit.action, outcome, ...s, ...purpose }));
    };
    const namedId = (): string | null => {
      const idField = audit?.idField;
      const id = idField ? (parsed.data as Record<string, unknown>)[idField] : undefined;
      return typeof id === 'string' ? id : null;
    };
    /**
     * A refusal (LOCKED, UNAUTHENTICATED, FORBIDDEN, or a failing handler) on an audited method is still an
     * access attempt an auditor may ask about: one failure event on the named record (DESIGN.md §7).
     */
    const recordFailure = (): void => {
      if (!audit) return;
      try {
        o.audit.recordMany(actor, eventsOn('failure', namedId(), []));
      } catch {
        // The refusal matters more to the caller than a failed audit write; verification will show gaps.
      }
    };
    const refuse = (error: ApiErrorShape): CallResult => {
      recordFailure();
      return { ok: false, error };
    };

    // While locked only the four whileLocked methods answer, whatever the role (issue 11).
    if (session?.state === 'locked' && spec.whileLocked !== true) {
      return refuse({ code: 'LOCKED', message: 'The console is locked.' });
    }
    if (spec.roles !== 'any') {
      if (!session) return refuse({ code: 'UNAUTHENTICATED', message: 'Sign in first.' });
      if (!spec.roles.includes(session.staff.role)) {
        return refuse({ code: 'FORBIDDEN', message: 'Your role does not allow this.' });
      }
    }
    if (spec.phi && session?.state !== 'active') {
      return refuse(
        session
          ? { code: 'LOCKED', message: 'The console is locked.' }
          : { code: 'UNAUTHENTICATED', message: 'Sign in first.' },
      );
    }

    if (o.recordAccess && session?.state === 'active') {
      const access = o.recordAccess(method, parsed.data, session.staff);
      if (!access.ok) return refuse(access.error);
      if (access.purposeOfEvent) flags.purposeOfEvent = access.purposeOfEvent;
    }
    const ctx: HandlerContext = {
      staff: session?.state === 'active' ? session.staff : null,
      ...(flags.purposeOfEvent ? { purposeOfEvent: flags.purposeOfEvent } : {}),
    };
    const handler = o.handlers[method] as (input: unknown, ctx: HandlerContext) => unknown;
    const recordSuccess = (value: unknown): readonly AuditRecord[] => {
      if (!audit || ctx.nothingRead) return [];
      const fromOutput = audit.idField ? (value as Record<string, unknown>)[audit.idField] : undefined;
      const entityId = namedId() ?? (typeof fromOutput === 'string' ? fromOutput : null);
      const fields = ctx.auditFields ?? [...(audit.fields ?? [])];
      if (ctx.purposeOfEvent) flags.purposeOfEvent = ctx.purposeOfEvent;
      const events = eventsOn('success', entityId, fields);
      if (audit.idField === null && audit.action === 'read') {
        // A list read: each record it returned shows the read in its own trail.
        for (const s of o.listedRecords(method, parsed.data, value, actor.staffId))
          events.push({ action: 'read', outcome: 'success', ...s });
      }
      return o.audit.recordMany(actor, events);
    };
    try {
      let value: unknown;
      if (audit && !(handler instanceof AsyncFunction)) {
        // A record's change (or read) and its audit events commit together or not at all, in one transaction.
        value = o.atomically(() => {
          const result = parseOutput(spec.output, handler(parsed.data, ctx));
          recordSuccess(result);
          return result;
        });
      } else {
        const result = await handler(parsed.data, ctx);
        // A read that was in flight while the console locked or the session ended is not handed out: the gate
        // is checked again after the wait (issue 11 review: a slow on-demand fetch outlived auth.lock).
        if (
          spec.whileLocked !== true &&
          spec.phi &&
          (!audit || audit.action === 'read' || audit.action === 'export')
        ) {
          o.lockGate();
          const after = o.auth.current();
          if (after !== session || after?.state !== 'active') {
            return refuse(
              after?.state === 'locked'
                ? { code: 'LOCKED', message: 'The console is locked.' }
                : { code: 'UNAUTHENTICATED', message: 'Sign in first.' },
            );
          }
          // The role and the record's access again too: a role change pulled, or emergency access ended, during
          // the wait (review 7 R12).
          if (spec.roles !== 'any' && !spec.roles.includes(after.staff.role))
            return refuse({ code: 'FORBIDDEN', message: 'Your role does not allow this.' });
          if (o.recordAccess) {
            const access = o.recordAccess(method, parsed.data, after.staff);
            if (!access.ok) return refuse(access.error);
          }
        }
        value = parseOutput(spec.output, result);
        const recorded = recordSuccess(value);
        ctx.afterAudit?.(recorded);
      }
      return { ok: true, value };
    } catch (error) {
      const shaped = toApiError(error);
      if (shaped.code !== 'VALIDATION' && session) recordFailure();
      return { ok: false, error: shaped };
    }
  }

  return { call, onEvent: (listener) => o.events.subscribe(listener), allowedOrigins };
}
