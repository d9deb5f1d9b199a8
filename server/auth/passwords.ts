/** scrypt password hashes, self-describing (`scrypt$N$r$p$salt$hash`) so parameters can be raised later. */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAXMEM = 64 * 1024 * 1024;

function format(salt: Buffer, hash: Buffer): string {
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Synchronous, for seeding; `salt` lets the demo seed be deterministic. */
export function hashPasswordSync(password: string, salt: Buffer = randomBytes(16)): string {
  return format(
    salt,
    scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAXMEM }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return format(salt, await derive(password, salt, N, R, P));
}

/** How many scrypt derivations this process has run (tests count hashes instead of timing them). */
export const passwordStats = { derivations: 0 };

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  passwordStats.derivations += 1;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A fixed hash checked when the account does not exist, so unknown usernames take as long as known ones. */
const DUMMY = hashPasswordSync('not-a-real-password', Buffer.alloc(16, 7));

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$');
  const [kind, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return stored !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}
