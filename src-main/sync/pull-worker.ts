/**
 * The pull decoder's worker thread (issue 16 §2: fetch answers are parsed and validated off the main thread,
 * overlapped with the apply). It receives a pull answer's bytes (transferred, not copied), decodes them once,
 * parses and validates them with the one PullResponse schema, and posts back the validated batch or the error's
 * kind and path-only message (never content: it may be PHI). See pull-decoder.ts for the protocol.
 */
import { parentPort } from 'node:worker_threads';
import { decodePullAnswer, type DecodeReply, type DecodeRequest } from './pull-decode';

parentPort?.on('message', ({ id, bytes }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    reply = { id, batch: decodePullAnswer(bytes) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : 'The server sent an invalid pull answer.' };
  }
  parentPort!.postMessage(reply);
});
// Loaded and listening: the decoder sends bytes from now on (until then it decodes on its own thread).
parentPort?.postMessage({ ready: true });
