import { createRequire } from 'node:module';
import type * as KeytarModule from 'keytar';
import { KEYCHAIN_SERVICE, KeychainUnavailableError, type KeyStore } from './key-store';

type Keytar = typeof KeytarModule;

/** keytar is loaded lazily: a missing libsecret must surface as KeychainUnavailableError, not a crash at import. */
function loadKeytar(): Keytar {
  try {
    return createRequire(import.meta.url)('keytar') as Keytar;
  } catch (cause) {
    throw new KeychainUnavailableError({ cause });
  }
}

/** The OS keychain through keytar: Secret Service (gnome-keyring) on Linux, Keychain on macOS, Credential Vault on Windows. */
export class KeytarKeyStore implements KeyStore {
  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  private async call<T>(fn: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = loadKeytar();
    try {
      return await fn(keytar);
    } catch (cause) {
      throw new KeychainUnavailableError({ cause });
    }
  }

  get(account: string): Promise<string | null> {
    return this.call((k) => k.getPassword(this.service, account));
  }
  set(account: string, secret: string): Promise<void> {
    return this.call((k) => k.setPassword(this.service, account, secret));
  }
  delete(account: string): Promise<boolean> {
    return this.call((k) => k.deletePassword(this.service, account));
  }
}
