/**
 * scrypt password hashes, self-describing (`scrypt$N$r$p$salt$hash`) so parameters can be raised: a hash with
 * other parameters than the hasher's still verifies, and is reported for an upgrade at that successful sign-in.
 * Cost: OWASP's N=2^17, r=8, p=1 by default (src-shared/password-rules.ts); normalisation NFC on both sides.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import {
  OWASP_SCRYPT,
  normalizePassword,
  scryptMaxmem,
  type ScryptCost,
} from '../../src-shared/password-rules';

const KEY_LENGTH = 32;

/** How many scrypt derivations this process has run (tests count hashes instead of timing them). */
export const passwordStats = { derivations: 0 };

function format(cost: ScryptCost, salt: Buffer, hash: Buffer): string {
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  passwordStats.derivations += 1;
  return new Promise((resolve, reject) => {
    scrypt(
      normalizePassword(password),
      salt,
      KEY_LENGTH,
      { N: cost.N, r: cost.r, p: cost.p, maxmem: scryptMaxmem(cost) },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** Parsed `scrypt$N$r$p$salt$hash`, or null when malformed or out of sane bounds. */
function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  const [kind, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return null;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (
    ![cost.N, cost.r, cost.p].every(Number.isInteger) ||
    cost.N < 2 ||
    cost.N > 2 ** 20 ||
    cost.r > 32 ||
    cost.p > 16
  )
    return null;
  return { cost, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses other parameters than the hasher's: store `hash(password)` now. */
  needsRehash: boolean;
}

/** The server's password hasher; one per server, with the cost it was built with. */
export class PasswordHasher {
  readonly cost: ScryptCost;
  private dummy: string | null = null;

  /** @param cost scrypt parameters; default OWASP (N=2^17, r=8, p=1). Tests pass a lower N. */
  constructor(cost: Partial<ScryptCost> = {}) {
    this.cost = { ...OWASP_SCRYPT, ...cost };
  }

  /** Synchronous, for seeding; `salt` lets the demo seed be deterministic. */
  hashSync(password: string, salt: Buffer = randomBytes(16)): string {
    passwordStats.derivations += 1;
    const key = scryptSync(normalizePassword(password), salt, KEY_LENGTH, {
      N: this.cost.N,
      r: this.cost.r,
      p: this.cost.p,
      maxmem: scryptMaxmem(this.cost),
    });
    return format(this.cost, salt, key);
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return format(this.cost, salt, await derive(password, salt, this.cost));
  }

  /**
   * Checks a password. With no stored hash (unknown account) a dummy of the same cost is checked, so an unknown
   * username takes as long as a known one; the answer is then always false.
   */
  async verify(password: string, stored: string | null): Promise<PasswordCheck> {
    this.dummy ??= this.hashSync('not-a-real-password', Buffer.alloc(16, 7));
    const parsed = parse(stored ?? this.dummy);
    if (!parsed) return { ok: false, needsRehash: false };
    const actual = await derive(password, parsed.salt, parsed.cost);
    const ok =
      stored !== null && actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
    const same =
      parsed.cost.N === this.cost.N && parsed.cost.r === this.cost.r && parsed.cost.p === this.cost.p;
    return { ok, needsRehash: ok && !same };
  }
}
