/**
 * RFC 6238 TOTP (HMAC-SHA-1, 30 s steps, 6 digits) and RFC 4648 base32, from the maintained `otpauth` library
 * (issue 10; pure JS, synchronous, so the console, the portal backend and tests share it and src-shared stays
 * free of Node imports). This file keeps the project's rules on top of it: a ±1-step window, the matched step
 * returned so callers can refuse replays (a step at or before the last accepted one), and strict base32.
 */
import { HOTP, Secret, TOTP } from 'otpauth';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

const BASE32 = /^[A-Z2-7]*$/;

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(bytes).buffer }).base32.replace(/=+$/, '');
}

/** Decodes base32, case-insensitive, ignoring spaces and `=` padding; throws on any other character. */
export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  if (!BASE32.test(clean)) throw new Error('Invalid base32 character');
  return new Uint8Array(Secret.fromBase32(clean).bytes);
}

const secretOf = (secretBase32: string): Secret =>
  new Secret({ buffer: base32Decode(secretBase32).buffer as ArrayBuffer });

/** RFC 4226 HOTP code of `key` at `counter`. */
export function hotp(key: Uint8Array, counter: number, digits: number = TOTP_DIGITS): string {
  return HOTP.generate({
    secret: new Secret({ buffer: Uint8Array.from(key).buffer }),
    algorithm: 'SHA1',
    digits,
    counter,
  });
}

/** The TOTP time step containing `timeMs`. */
export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS);
}

/** The TOTP code for a base32 secret at `timeMs` (milliseconds since the epoch). */
export function totp(secretBase32: string, timeMs: number, digits: number = TOTP_DIGITS): string {
  return TOTP.generate({
    secret: secretOf(secretBase32),
    algorithm: 'SHA1',
    digits,
    period: TOTP_STEP_SECONDS,
    timestamp: timeMs,
  });
}

/**
 * The step (within ±`window` steps of `timeMs`) whose code equals `code`, or null. otpauth compares in
 * constant time; the caller refuses a step at or before the last one it accepted (replay).
 */
export function matchTotpStep(secretBase32: string, code: string, timeMs: number, window = 1): number | null {
  if (!/^\d{6,8}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: secretOf(secretBase32),
    algorithm: 'SHA1',
    digits: code.length,
    period: TOTP_STEP_SECONDS,
    timestamp: timeMs,
    window,
  });
  return delta === null ? null : totpStep(timeMs) + delta;
}

/**
 * An `otpauth://totp/…` provisioning URI (Key Uri Format) for authenticator apps: issuer, account label and
 * the base32 secret, SHA1 / 6 digits / 30 s.
 */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: secretOf(secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_STEP_SECONDS,
  }).toString();
}
