import { SyncProtocolError } from './apply-changes';

/**
 * A buffer that readCapped may read answers into instead of a new one each time (grown as needed up to 8 MiB,
 * never shrunk): session 15, the pull worker's feed reads ~110 pages of ~1.6 MB at scale 100 one after another, and
 * a new buffer per page was fresh memory each time: 52k of the 91k page faults in 6 s of an initial sync's loading
 * (perf, the copy into it), at 10–14 µs each on that machine, in the worker that paces the loading. Reusing one: the
 * loading took 7.26–7.42 s against 7.50–7.53 s (bench/profile-sync.ts, three pairs of runs alternating), about 1%
 * of the sync.
 */
export interface ReadBuffer {
  bytes: Uint8Array;
}

/**
 * A larger answer (attachments: a pull page may reach 64 MB) gets a buffer of its own, as without `reuse`, so a kept
 * buffer never holds more than this for the rest of a sync (RSS, issue 16 §2).
 */
const MAX_REUSED_BYTES = 8 * 1024 * 1024;

/**
 * A server answer's body as bytes in a buffer of their own (transferable to a worker), refusing more than `cap`
 * bytes, declared or sent (a broken or hostile server: SyncProtocolError). With `aborted`, every read races it
 * (it rejects with the abort's error). With `reuse`, the body is read into `reuse.bytes` (replaced by a larger
 * buffer when it is too small) and the answer is a view of it, valid until the next read into the same buffer:
 * decode it before then, and do not transfer it. Used by the main thread's client and by the pull worker's feed.
 */
export async function readCapped(
  res: Response,
  cap: number,
  aborted?: Promise<never>,
  reuse?: ReadBuffer,
): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > cap) throw new SyncProtocolError('The server sent an answer too large to accept.');
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await (aborted ? Promise.race([reader.read(), aborted]) : reader.read());
      if (done) break;
      size += value.byteLength;
      if (size > cap) throw new SyncProtocolError('The server sent an answer too large to accept.');
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  let bytes: Uint8Array;
  if (reuse && size <= MAX_REUSED_BYTES) {
    if (reuse.bytes.byteLength < size)
      reuse.bytes = new Uint8Array(Math.min(MAX_REUSED_BYTES, Math.max(size, 2 * reuse.bytes.byteLength)));
    bytes = reuse.bytes.subarray(0, size);
  } else bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
