/**
 * UUIDv7 (RFC 9562 §5.7) from the maintained `uuid` package: 48-bit Unix-ms timestamp, version 7, variant
 * 0b10. Ids sort by creation time, which keeps outbox and audit indexes append-mostly.
 *
 * Only the choice of timestamp and counter is ours: the console passes its own clock's time (tests inject a
 * clock), and ids made in the same millisecond by this process take consecutive counter values (RFC 9562 §6.2,
 * method 1, as `uuid` does for its own clock) so they still sort in creation order. The counter starts at a
 * random value below 2^31, leaving 2^31 ids of headroom in one millisecond.
 */
import crypto from 'node:crypto';
import { v7 } from 'uuid';

let lastMs = -1;
let seq = 0;

/** A new UUIDv7 for the instant `now` (ms since the epoch). Throws RangeError outside 0..2^48-1. */
export function uuidv7(now: number = Date.now()): string {
  if (!Number.isFinite(now) || now < 0 || now > 0xffff_ffff_ffff)
    throw new RangeError('uuidv7: time out of range');
  const ms = Math.floor(now);
  if (ms === lastMs) {
    seq += 1;
  } else {
    lastMs = ms;
    seq = crypto.randomInt(0, 2 ** 31);
  }
  return v7({ msecs: ms, seq });
}

/** The millisecond timestamp a UUIDv7 carries. */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
