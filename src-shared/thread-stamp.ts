/**
 * A thread's stamp: the SHA-256 (lower-case hex, 64 characters) of its detail as the thread pane shows it
 * (ThreadDetail), over JSON with sorted keys (safe-stable-stringify), so the renderer's copy (decoded from the
 * bridge) and the core's fresh read give the same stamp exactly when they hold the same data, whatever the key
 * order. Review 7 U4: the pane asks `thread.getIfChanged` with the stamp of the copy it shows, and the core reads
 * the thread out again (an audited read with its "seen" mark) only when the stamp differs. A stamp is not PHI (a
 * hash of a record the caller already holds) and is never stored.
 *
 * Web Crypto (`globalThis.crypto.subtle`, in Chromium and in Node ≥ 19) does the hashing: src-shared imports no
 * Node module (DESIGN §3). Errors: none of its own (the digest rejects only if Web Crypto is missing).
 */
import { stringify } from 'safe-stable-stringify';
import type { ThreadDetail } from './views';

/** How a stamp is written: 64 lower-case hex digits (the contract's input check). */
export const THREAD_STAMP = /^[0-9a-f]{64}$/;

/** The stamp of a thread's detail (see above): 64 lower-case hex digits. */
export async function threadStamp(detail: ThreadDetail): Promise<string> {
  const text = stringify(detail) ?? '';
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
