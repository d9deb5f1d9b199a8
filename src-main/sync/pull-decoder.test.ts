/**
 * Issue 16 §2: pull answers decoded, parsed and validated by a worker thread. The worker gives the same batch
 * as decoding here, refuses what the schema refuses with a message naming paths only, takes over the bytes it is
 * given (transferred, not copied) without touching a shared pool, and fails safe when closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SyncProtocolError } from './apply-changes';
import { decodePullAnswer } from './pull-decode';
import { PullDecoder, WORKER_LIMITS } from './pull-decoder';

const PATIENT = {
  id: 'p1',
  mrn: '0000001',
  givenName: 'Ana',
  familyName: 'Silva',
  birthDate: '1980-02-29',
  phone: null,
  version: 3,
};
const answer = {
  changes: [
    { entity: 'patient', id: 'p1', data: PATIENT },
    { entity: 'patient', id: 'p2', data: null },
  ],
  cursor: '42',
  hasMore: true,
  remaining: 7,
};
const bytesOf = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

let decoder: PullDecoder | null = null;
afterEach(() => decoder?.close());

describe('pull decoder worker', () => {
  it('decodes in a worker thread to the same batch as on this thread', async () => {
    decoder = new PullDecoder();
    expect(await decoder.whenReady()).toBe(true);
    expect(decoder.inWorker).toBe(true);
    const here = decodePullAnswer(bytesOf(answer));
    const there = await decoder.decode(bytesOf(answer));
    expect(there).toEqual(here);
    expect(there.changes[0]!.data).toEqual(PATIENT);
    // Several in flight answer in order of their own ids.
    const many = await Promise.all(
      [1, 2, 3].map((n) => decoder!.decode(bytesOf({ ...answer, cursor: String(n) }))),
    );
    expect(many.map((b) => b.cursor)).toEqual(['1', '2', '3']);
  });

  it('runs the worker with its heap limits (RSS, session 10: WORKER_LIMITS)', async () => {
    decoder = new PullDecoder();
    expect(await decoder.whenReady()).toBe(true);
    const worker = (decoder as unknown as { worker: { resourceLimits?: Record<string, number> } }).worker;
    expect(worker.resourceLimits).toMatchObject({
      maxYoungGenerationSizeMb: 16,
      maxOldGenerationSizeMb: 512,
    });
    expect(WORKER_LIMITS).toEqual({ maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 });
  });

  it('refuses what the schema refuses, naming paths and never values', async () => {
    decoder = new PullDecoder();
    expect(await decoder.whenReady()).toBe(true);
    const secret = 'Secret Patientname';
    const bad = {
      ...answer,
      changes: [{ entity: 'patient', id: 'p1', data: { ...PATIENT, givenName: 7, secret } }],
    };
    const error = await decoder.decode(bytesOf(bad)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncProtocolError);
    expect((error as Error).message).toMatch(/invalid pull answer \(changes\.0\.data/);
    expect((error as Error).message).not.toContain(secret);
    const notJson = await decoder
      .decode(new TextEncoder().encode(`{"changes": [${secret}`))
      .catch((e: unknown) => e);
    expect((notJson as Error).message).toBe('The server sent an invalid pull answer (not JSON).');
    // The worker is still there for the next answer.
    expect((await decoder.decode(bytesOf(answer))).cursor).toBe('42');
  });

  it('takes over a whole buffer, and copies a view of a shared one', async () => {
    decoder = new PullDecoder();
    expect(await decoder.whenReady()).toBe(true);
    const own = bytesOf(answer);
    await decoder.decode(own);
    expect(own.byteLength).toBe(0); // transferred: detached here
    // A small Buffer is a view of Node's shared pool: transferring that pool would detach other buffers.
    const pooled = Buffer.from(JSON.stringify(answer));
    const neighbour = Buffer.from('neighbour');
    expect(pooled.buffer).toBe(neighbour.buffer);
    expect((await decoder.decode(pooled)).cursor).toBe('42');
    expect(neighbour.toString()).toBe('neighbour');
  });

  it('decodes here while the worker loads, rejects in-flight decodes once closed, then decodes here', async () => {
    decoder = new PullDecoder();
    expect(decoder.inWorker).toBe(false); // still loading
    expect((await decoder.decode(bytesOf(answer))).cursor).toBe('42');
    expect(await decoder.whenReady()).toBe(true);
    const pending = decoder.decode(bytesOf(answer));
    decoder.close();
    await expect(pending).rejects.toThrow(/closed/);
    expect(decoder.inWorker).toBe(false);
    expect((await decoder.decode(bytesOf(answer))).cursor).toBe('42');
  });
});
