/**
 * Decoding a pull answer (issue 16 §2): its bytes decoded to text once, parsed, and validated with the one
 * PullResponse schema. Runs in the pull decoder's worker thread (pull-worker.ts), or on the calling thread
 * where no worker can run. Errors: SyncProtocolError naming paths, never values.
 */
import { isAscii } from 'node:buffer';
import { z } from 'zod';
import { PullResponse } from '../../src-shared/sync';
import { SyncProtocolError, validateAnswer } from './apply-changes';
import type { PullExtras } from './pull-extras';

export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
}
export type DecodeReply =
  { id: number; batch: PullResponse; extras: PullExtras } | { id: number; error: string };

/**
 * PullResponse with zod's ahead-of-time compiled fast path (`z.compile`, zod ≥ 4.4; session 8, s8sync). It is
 * the same schema: a valid answer takes the generated code and gives the same value (instants normalised by
 * IsoTime's transform, keys in the schema's order); anything the generated code refuses is parsed again by the
 * regular parser, so a bad answer gets exactly the issues, paths and SyncProtocolError text it got before
 * (tests: pull-decode-compiled.test.ts feeds both a hand-written set of valid and invalid records).
 *
 * Why: validation was 3.7–4.2 CPU-s of an initial sync at scale 100 (561k records; per record thread 7.5 µs,
 * audit 5.2, appointment 5.0, message 3.7: session 7, bench/profile-apply.ts). A page of 5,000 mixed records:
 * the regular parser 4.4–5.6 µs per record, the compiled one 1.1 µs (load 2.7). Zod's own compiler over a
 * hand-written validator: it is the library the schema is written in, so the two cannot drift apart.
 * Compiled once per thread at module load (~70 kB of generated code); where `new Function` is refused (never in
 * the main process or its worker), `z.compile` hands back the schema itself.
 */
export const PullResponseCompiled = z.compile(PullResponse);

const utf8 = new TextDecoder('utf-8');

/**
 * A pull answer's bytes as text (UTF-8). Plain ASCII bytes (nearly every page of an initial sync: 108 of 113 at
 * scale 100) are read as Latin-1, which for them is the same text: Node 20's TextDecoder took 0.58-0.75 s for those
 * 108 pages (160 MB), Latin-1 0.20-0.24 s, and `isAscii` (simdutf) is a fraction of either (session 16, a scratch
 * script over the bench backend's pages, three rounds; the bench runs Node 20, Electron 45 ships Node 22). Session
 * 15 tried this and saw no change in the console's CPU over four pairs of whole syncs, within their noise. In
 * session 16, with the backend's pages lighter (server/sync/pull.ts), the worker thread that decodes was what the
 * loading waited for (the main thread idle 1.9 s of 11.4), and four pairs of syncs alternating
 * (bench/profile-sync.ts, scale 100) gave, each pair the same way: loading 5.73-5.86 s against 6.05-6.29,
 * 57.2-58.5k records/s against 55.2-56.3k, console CPU 12.5-12.7 s against 13.0-13.1.
 */
export function textOfAnswer(bytes: Uint8Array): string {
  return isAscii(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    : utf8.decode(bytes);
}

/** Decode, parse and validate one pull answer's body. Throws SyncProtocolError. */
export function decodePullAnswer(bytes: Uint8Array): PullResponse {
  let json: unknown;
  try {
    json = JSON.parse(textOfAnswer(bytes));
  } catch {
    throw new SyncProtocolError('The server sent an invalid pull answer (not JSON).');
  }
  return validateAnswer(PullResponseCompiled, json, 'pull answer');
}
