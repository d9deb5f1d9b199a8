/** What the sync engine needs from the console's auth service (src-main/auth implements it). */
export interface SyncCredentials {
  /** This device's server-issued id; null before the device is enrolled. */
  deviceId(): string | null;
  /** A current access token, refreshed as needed; null when nobody is signed in on this device. */
  accessToken(): Promise<string | null>;
  /** called on a 401 so the next accessToken() refreshes */
  invalidateToken(): void;
}

/** Entities the console's outbox rows target. */
export type OutboxEntity = 'appointment' | 'thread' | 'message' | 'audit';
