import { z } from 'zod';
import { contract, type MethodName, type MethodSpec } from '../../src-shared/contract';
import type { StaffRecord } from '../../src-shared/domain';
import { ApiError, type ApiErrorShape } from '../../src-shared/errors';
import type { AuditLog } from '../audit';
import type { AuthService } from '../auth/auth-service';
import type { CallerInfo, CallResult, EventListener, Router } from './types';

/** What a handler gets besides its validated input: the signed-in (active) staff member, when there is one. */
export interface HandlerContext {
  staff: StaffRecord | null;
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

    const session = o.auth.current();
    if (spec.roles !== 'any') {
      if (!session) return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } };
      if (!spec.roles.includes(session.staff.role)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Your role does not allow this.' } };
      }
    }
    if (spec.phi && session?.state !== 'active') {
      return session
        ? { ok: false, error: { code: 'LOCKED', message: 'The console is locked.' } }
        : { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } };
    }

    const ctx: HandlerContext = { staff: session?.state === 'active' ? session.staff : null };
    const actor = o.auth.actor();
    const handler = o.handlers[method] as (input: unknown, ctx: HandlerContext) => unknown;
    const audit = spec.audit;
    const recordSuccess = (value: unknown): void => {
      if (!audit) return;
      const idField = audit.idField;
      const fromInput = idField ? (parsed.data as Record<string, unknown>)[idField] : undefined;
      const fromOutput = idField ? (value as Record<string, unknown>)[idField] : undefined;
      const entityId =
        typeof fromInput === 'string' ? fromInput : typeof fromOutput === 'string' ? fromOutput : null;
      o.audit.record(actor, {
        action: audit.action,
        entityType: audit.entityType,
        entityId,
        outcome: 'success',
        fields: audit.fields ?? [],
      });
    };
    try {
      let value: unknown;
      if (audit && !(handler instanceof AsyncFunction)) {
        // A record's change (or read) and its audit event commit together or not at all, in one transaction.
        value = o.atomically(() => {
          const result = spec.output.parse(handler(parsed.data, ctx));
          recordSuccess(result);
          return result;
        });
      } else {
        value = spec.output.parse(await handler(parsed.data, ctx));
        recordSuccess(value);
      }
      return { ok: true, value };
    } catch (error) {
      const shaped = toApiError(error);
      // An attempt on a record that failed is still an access attempt an auditor may ask about.
      if (spec.audit && shaped.code !== 'VALIDATION' && session) {
        const idField = spec.audit.idField;
        const id = idField ? (parsed.data as Record<string, unknown>)[idField] : undefined;
        try {
          o.audit.record(actor, {
            action: spec.audit.action,
            entityType: spec.audit.entityType,
            entityId: typeof id === 'string' ? id : null,
            outcome: 'failure',
            fields: [],
          });
        } catch {
          // The original error matters more to the caller than a failed audit write; verification will show gaps.
        }
      }
      return { ok: false, error: shaped };
    }
  }

  return { call, onEvent: (listener) => o.events.subscribe(listener), allowedOrigins };
}
