/** Opaque bearer tokens: 256 random bits, stored only as SHA-256 hashes. */
import { createHash, randomBytes } from 'node:crypto';
import { HttpError } from '../http/errors';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 12 * 60 * 60;
export const PORTAL_TOKEN_SECONDS = 30 * 60;

export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The token of an `Authorization: Bearer <token>` header, or a 401. */
export function bearer(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header;
  const match = value ? /^Bearer ([A-Za-z0-9_-]{16,512})$/.exec(value) : null;
  if (!match?.[1]) throw new HttpError(401, 'UNAUTHENTICATED', 'Missing or malformed bearer token.');
  return match[1];
}
