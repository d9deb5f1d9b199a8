/** What every service needs: the store, the clock and the audit writer. */
import type { ServerStore } from './db/types';
import type { AuditWriter } from './audit/writer';
import type { PasswordHasher } from './auth/passwords';

export interface ServerContext {
  store: ServerStore;
  /** Milliseconds since the epoch; injectable so tests can move time (TOTP steps, token expiry, throttling). */
  now: () => number;
  nowIso: () => string;
  audit: AuditWriter;
  /** Changes are accepted for a staff member this long after their last online sign-in on the device (issue 10). */
  offlineGraceMs: number;
  /** Password hashing at the server's configured scrypt cost (issue 10). */
  passwords: PasswordHasher;
}
