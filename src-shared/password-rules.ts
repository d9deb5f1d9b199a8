/**
 * Password hashing rules shared by the portal backend and the console's offline verifier (issue 10):
 * one Unicode normalisation and one scrypt cost, so a password typed on either side means the same bytes.
 */

/**
 * scrypt parameters of OWASP's Password Storage Cheat Sheet (N=2^17, r=8, p=1: ~128 MiB and a few hundred ms
 * per hash). The default of every hasher; tests pass a lower N explicitly.
 */
export const OWASP_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/**
 * The one normalisation of a password before hashing, on both sides: Unicode NFC, as RFC 8265 (PRECIS
 * OpaqueString) prescribes for passwords. NFKC would also fold compatibility characters (e.g. "ﬁ" to "fi"),
 * silently weakening what the person chose, so it is not used.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/** scrypt's memory need in bytes for a cost, with headroom: Node's maxmem must be above 128 * N * r. */
export function scryptMaxmem(cost: ScryptCost): number {
  return 256 * cost.N * cost.r;
}
