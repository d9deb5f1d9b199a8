import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotpStep,
  totp,
  totpStep,
  totpUri,
} from '../../src-shared/totp';

// RFC 6238 appendix B, SHA-1 rows: the ASCII secret "12345678901234567890".
const SECRET = base32Encode(new TextEncoder().encode('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238) and base32 (RFC 4648)', () => {
  it('encodes the RFC secret as the well-known base32 string', () => {
    expect(SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it.each(VECTORS)('T=%i gives %s (8 digits) and its last 6 digits', (seconds, code) => {
    expect(totp(SECRET, seconds * 1000, 8)).toBe(code);
    expect(totp(SECRET, seconds * 1000)).toBe(code.slice(2));
  });

  it('matches HOTP test values of RFC 4226', () => {
    const key = new TextEncoder().encode('12345678901234567890');
    expect([0, 1, 2, 9].map((c) => hotp(key, c))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('accepts one step either side and nothing further', () => {
    const t = 1_700_000_000_000;
    const step = totpStep(t);
    expect(matchTotpStep(SECRET, totp(SECRET, t), t)).toBe(step);
    expect(matchTotpStep(SECRET, totp(SECRET, t - 30_000), t)).toBe(step - 1);
    expect(matchTotpStep(SECRET, totp(SECRET, t + 30_000), t)).toBe(step + 1);
    expect(matchTotpStep(SECRET, totp(SECRET, t - 60_000), t)).toBeNull();
    expect(matchTotpStep(SECRET, '000000', t) === null || totp(SECRET, t) === '000000').toBe(true);
  });

  it('round-trips base32, ignores case, spaces and padding, refuses other characters', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, i) => (i * 97 + 13) & 0xff);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(base32Decode('mzxw 6ytb oi======')).toEqual(new TextEncoder().encode('foobar'));
    expect(() => base32Decode('ABC1')).toThrow();
  });

  it('builds an otpauth:// provisioning URI an authenticator app reads', () => {
    const uri = new URL(totpUri(SECRET, 'Demo Clinic', 'MRN0000001'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Demo Clinic:MRN0000001');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Demo Clinic',
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('refuses codes that are not 6 to 8 digits', () => {
    expect(matchTotpStep(SECRET, '12345', 1_700_000_000_000)).toBeNull();
    expect(matchTotpStep(SECRET, 'abcdef', 1_700_000_000_000)).toBeNull();
  });
});
