/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix-ms timestamp, version 7, 12-bit rand_a, variant 0b10, 62-bit rand_b.
 * Ids sort by creation time, which keeps outbox and audit indexes append-mostly.
 */
import crypto from 'node:crypto';

// Random bytes are drawn from a pool: one syscall per 256 ids instead of one per id (audit hot path).
const POOL_SIZE = 256 * 10;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function random10(): Buffer {
  if (poolOffset + 10 > POOL_SIZE) {
    crypto.randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return out;
}

// Monotonic within one millisecond (RFC 9562 §6.2, method 1): rand_a is a counter seeded below 2^11,
// so ids made in the same ms by this process still sort in creation order.
let lastMs = -1;
let counter = 0;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A new UUIDv7 for the instant `now` (ms since the epoch). */
export function uuidv7(now: number = Date.now()): string {
  if (!Number.isFinite(now) || now < 0 || now > 0xffff_ffff_ffff)
    throw new RangeError('uuidv7: time out of range');
  let ms = Math.floor(now);
  const rnd = random10();
  if (ms === lastMs && counter < 0xfff) {
    counter += 1;
  } else if (ms === lastMs) {
    // Counter exhausted: borrow the next millisecond rather than lose ordering.
    ms = lastMs + 1;
    counter = ((rnd[0]! << 8) | rnd[1]!) & 0x7ff;
  } else {
    counter = ((rnd[0]! << 8) | rnd[1]!) & 0x7ff;
  }
  lastMs = ms;

  const b = new Uint8Array(16);
  // 48-bit big-endian timestamp; split because bitwise ops in JS are 32-bit.
  const high = Math.floor(ms / 0x1_0000_0000);
  const low = ms >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = (low >>> 24) & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | (counter >>> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (rnd[2]! & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = rnd[i - 6]!;

  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

/** The millisecond timestamp a UUIDv7 carries. */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
