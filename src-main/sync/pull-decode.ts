/**
 * Decoding a pull answer (issue 16 §2): its bytes decoded to text once, parsed, and validated with the one
 * PullResponse schema. Runs in the pull decoder's worker thread (pull-worker.ts), or on the calling thread
 * where no worker can run. Errors: SyncProtocolError naming paths, never values.
 */
import { PullResponse } from '../../src-shared/sync';
import { SyncProtocolError, validateAnswer } from './apply-changes';

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
}
export type DecodeReply = { id: number; batch: PullResponse } | { id: number; error: string };

const utf8 = new TextDecoder('utf-8');

/** Decode, parse and validate one pull answer's body. Throws SyncProtocolError. */
export function decodePullAnswer(bytes: Uint8Array): PullResponse {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new SyncProtocolError('The server sent an invalid pull answer (not JSON).');
  }
  return validateAnswer(PullResponse, json, 'pull answer');
}
