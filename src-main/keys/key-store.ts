/**
 * Where secrets live: the OS keychain. A small interface so the Electron shell (or a test) can hand the
 * core another backend, e.g. Electron safeStorage, without the core knowing.
 */
export interface KeyStore {
  /** Null when there is no entry; throws KeychainUnavailableError when the keychain cannot be reached. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export const KEYCHAIN_SERVICE = 'clinic-console';

export class KeychainUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The OS keychain is not available', options);
    this.name = 'KeychainUnavailableError';
  }
}
