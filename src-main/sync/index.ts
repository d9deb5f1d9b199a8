export type { SyncCredentials, OutboxEntity } from './types';
export { assertServerUrl, isLoopbackHost, ServerUrlError } from './url-policy';
export { recordLocalMutation, entityOfOp, LocalMutationError } from './local-mutations';
export type { LocalMutationInput, MutationEntity } from './local-mutations';
export {
  applyPullBatch,
  applyChange,
  parsePullResponse,
  auditRowOf,
  readCursor,
  SyncProtocolError,
  CURSOR_KEY,
  LAST_SYNCED_KEY,
} from './apply-changes';
export type { ApplyResult, AuditRecordHandler } from './apply-changes';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { BackoffOptions } from './backoff';
export { SseParser } from './sse';
export type { SseEvent } from './sse';
export { SyncClient, SyncError } from './client';
export type { SyncFailureKind } from './client';
export { SyncEngine } from './engine';
export type { SyncEngineOptions } from './engine';
