import crypto from 'node:crypto';
import {
  OWASP_SCRYPT,
  normalizePassword,
  scryptMaxmem,
  type ScryptCost,
} from '../../src-shared/password-rules';

/**
 * scrypt verifier of a staff password, kept in the encrypted store for offline sign-in and unlock (DESIGN.md §6).
 * Format: scrypt$N$r$p$saltB64$hashB64, so the cost can be raised without breaking stored verifiers. The cost
 * and the Unicode normalisation (NFC) are the portal backend's (src-shared/password-rules.ts, issue 10).
 */
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(
      normalizePassword(password),
      salt,
      KEYLEN,
      { N: cost.N, r: cost.r, p: cost.p, maxmem: scryptMaxmem(cost) },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** A new verifier at `cost` (default OWASP N=2^17, r=8, p=1). */
export async function makeVerifier(password: string, cost: Partial<ScryptCost> = {}): Promise<string> {
  const c = { ...OWASP_SCRYPT, ...cost };
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, c);
  return ['scrypt', c.N, c.r, c.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when the verifier was made with other parameters than `cost` (re-make it at the next success). */
export function verifierNeedsUpgrade(verifier: string, cost: Partial<ScryptCost> = {}): boolean {
  const c = { ...OWASP_SCRYPT, ...cost };
  const [, n, r, p] = verifier.split('$');
  return Number(n) !== c.N || Number(r) !== c.r || Number(p) !== c.p;
}

export async function checkVerifier(password: string, verifier: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = verifier.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isInteger) || cost.N < 2 || cost.N > 2 ** 20) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), cost);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
