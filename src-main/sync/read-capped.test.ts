/**
 * readCapped (issue 16 §2): an answer's body as bytes, refused past its cap; with a ReadBuffer (session 15: the pull
 * worker's feed) read into one buffer again and again instead of a new one each time. Real `Response` bodies,
 * streamed in several chunks; expected bytes written by hand.
 */
import { describe, expect, it } from 'vitest';
import { SyncProtocolError } from './apply-changes';
import { type ReadBuffer, readCapped } from './read-capped';

/** A response whose body arrives as these chunks (bytes), with no content-length. */
function answer(...chunks: number[][]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new Uint8Array(c));
      controller.close();
    },
  });
  return new Response(body);
}

describe('readCapped', () => {
  it('joins the chunks of a body into new bytes, and refuses a body past the cap', async () => {
    expect([...(await readCapped(answer([1, 2], [3], [4, 5]), 10))]).toEqual([1, 2, 3, 4, 5]);
    await expect(readCapped(answer([1, 2, 3], [4, 5, 6]), 5)).rejects.toBeInstanceOf(SyncProtocolError);
  });

  it('reads into a ReadBuffer: a view of one buffer, grown when a body does not fit, reused when it does', async () => {
    const reuse: ReadBuffer = { bytes: new Uint8Array(0) };
    const first = await readCapped(answer([1, 2], [3, 4]), 100, undefined, reuse);
    expect([...first]).toEqual([1, 2, 3, 4]);
    expect(first.buffer).toBe(reuse.bytes.buffer);
    const grown = reuse.bytes;
    // Smaller: the same buffer, the earlier view overwritten.
    const second = await readCapped(answer([9], [8, 7]), 100, undefined, reuse);
    expect([...second]).toEqual([9, 8, 7]);
    expect(reuse.bytes).toBe(grown);
    expect([...first]).toEqual([9, 8, 7, 4]);
    // Larger: a new buffer of at least twice the old one.
    const third = await readCapped(answer([1, 1, 1, 1, 1], [2, 2, 2]), 100, undefined, reuse);
    expect([...third]).toEqual([1, 1, 1, 1, 1, 2, 2, 2]);
    expect(reuse.bytes).not.toBe(grown);
    expect(reuse.bytes.byteLength).toBe(8);
    expect(third.buffer).toBe(reuse.bytes.buffer);
  });

  it('gives a body above 8 MiB bytes of its own, leaving the ReadBuffer as it was', async () => {
    const reuse: ReadBuffer = { bytes: new Uint8Array(16) };
    const kept = reuse.bytes;
    const big = new Array<number>(8 * 1024 * 1024 + 1).fill(7);
    const bytes = await readCapped(answer(big), 16 * 1024 * 1024, undefined, reuse);
    expect(bytes.byteLength).toBe(8 * 1024 * 1024 + 1);
    expect(bytes.buffer).not.toBe(kept.buffer);
    expect(reuse.bytes).toBe(kept);
  });
});
