import { SyncProtocolError } from './apply-changes';

/**
 * A server answer's body as bytes in a buffer of their own (transferable to a worker), refusing more than `cap`
 * bytes, declared or sent (a broken or hostile server: SyncProtocolError). With `aborted`, every read races it
 * (it rejects with the abort's error). Used by the main thread's client and by the pull worker's feed.
 */
export async function readCapped(res: Response, cap: number, aborted?: Promise<never>): Promise<Uint8Array> {
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
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
