import type { DeviceCredentialSource } from './transport';

/**
 * What the sync engine needs from the console's auth service (src-main/auth implements it). The device
 * credential (DeviceCredentialSource: id, secret, revocation) is what lets a session that began offline sync as
 * soon as the backend is reachable (issue 10): pull, push and the event stream need no staff token.
 */
export interface SyncCredentials extends DeviceCredentialSource {
  /** This device's server-issued id; null before the device is enrolled. */
  deviceId(): string | null;
  /** A current access token, refreshed as needed; null when nobody is signed in online on this device. */
  accessToken(): Promise<string | null>;
  /** called on a 401 so the next accessToken() refreshes */
  invalidateToken(): void;
}

/** Entities the console's outbox rows target. */
export type OutboxEntity = 'appointment' | 'thread' | 'message' | 'audit';
