/**
 * Every failure leaves the server as typed JSON `{ error, message }` (ServerError): never a stack,
 * SQL or request content, so nothing of a patient's data can leak through an error.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { DEVICE_STATUS_HEADER, type ServerError } from '../../src-shared/sync';
import { safePathText } from '../../src-shared/well-formed-text';

export type ServerErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'UNKNOWN_DEVICE'
  | 'DEVICE_REVOKED'
  | 'MFA_REQUIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CURSOR_AHEAD'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'THROTTLED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServerErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const GENERIC: Record<number, [ServerErrorCode, string]> = {
  400: ['VALIDATION', 'The request is malformed.'],
  401: ['UNAUTHENTICATED', 'Sign-in required.'],
  403: ['FORBIDDEN', 'Not allowed.'],
  404: ['NOT_FOUND', 'Not found.'],
  405: ['VALIDATION', 'Method not allowed.'],
  406: ['VALIDATION', 'Not acceptable.'],
  408: ['VALIDATION', 'Request timed out.'],
  409: ['CONFLICT', 'Conflict.'],
  411: ['VALIDATION', 'Length required.'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is too large.'],
  414: ['VALIDATION', 'The URL is too long.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Send JSON with content-type application/json.'],
  429: ['THROTTLED', 'Too many requests.'],
  431: ['VALIDATION', 'Request headers too large.'],
  503: ['UNAVAILABLE', 'The server is shutting down.'],
};

/**
 * Names the offending fields by the schema's own paths and zod issue kinds only. Nothing the client sent is
 * repeated (issue 10): unknown keys are counted, not named (a key can itself be PHI, e.g. `"Jane Roe 1970-01-01"`),
 * and any path segment that is not a plain identifier or index is shown as `?`.
 */
export function describeZodError(where: string, err: ZodError): string {
  const parts = err.issues.slice(0, 5).map((issue) => {
    const at = safePathText(where, issue.path);
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.length} unknown field(s))` : '';
    return `${at}: ${issue.code}${keys}`;
  });
  return `Invalid ${where}: ${parts.join('; ')}`.slice(0, 500);
}

export function sendError(reply: FastifyReply, status: number, body: ServerError): void {
  if (body.retryAfterSeconds !== undefined) void reply.header('retry-after', String(body.retryAfterSeconds));
  if (body.error === 'DEVICE_REVOKED') void reply.header(DEVICE_STATUS_HEADER, 'revoked');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function toServerError(err: unknown): { status: number; body: ServerError } {
  if (err instanceof HttpError) {
    const body: ServerError = { error: err.code, message: err.message };
    if (err.retryAfterSeconds !== undefined) body.retryAfterSeconds = err.retryAfterSeconds;
    return { status: err.status, body };
  }
  if (err instanceof ZodError)
    return { status: 400, body: { error: 'VALIDATION', message: describeZodError('request', err) } };
  const status = (err as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 600 && status !== 500) {
    const [error, message] =
      GENERIC[status] ?? (status < 500 ? GENERIC[400]! : (['INTERNAL', 'Server error.'] as const));
    return { status, body: { error, message } };
  }
  return { status: 500, body: { error: 'INTERNAL', message: 'Internal server error.' } };
}

export function installErrorHandlers(app: FastifyInstance, logError: (line: string) => void): void {
  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = toServerError(err);
    // Only the error's kind is logged: messages of low-level errors can carry request content.
    if (status >= 500)
      logError(
        `internal error: ${(err as Error | null)?.name ?? 'unknown'} ${(err as FastifyError | null)?.code ?? ''}`,
      );
    sendError(reply, status, body);
  });
  app.setNotFoundHandler((_request, reply) => {
    sendError(reply, 404, { error: 'NOT_FOUND', message: 'No such route.' });
  });
}
