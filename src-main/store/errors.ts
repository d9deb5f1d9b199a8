/**
 * Errors opening the encrypted store. Each names the fix, and none is raised after touching the file:
 * the existing store is never overwritten, moved or re-created (DESIGN.md §4).
 */
export type StoreErrorCode =
  'KEYCHAIN_UNAVAILABLE' | 'KEY_MISSING' | 'WRONG_KEY' | 'NOT_A_DATABASE' | 'NEWER_SCHEMA' | 'IN_USE';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export const storeErrors = {
  keychainUnavailable: (cause?: unknown) =>
    new StoreError(
      'KEYCHAIN_UNAVAILABLE',
      'The OS keychain is not available, so the store key cannot be read. Start or unlock the keychain ' +
        '(on Linux: gnome-keyring with a D-Bus session, package gnome-keyring) and open Clinic Console again.',
      { cause },
    ),
  keyMissing: (file: string) =>
    new StoreError(
      'KEY_MISSING',
      `The store ${file} exists but its key is not in the OS keychain (service "clinic-console"). ` +
        "Restore the keychain entry from this PC's keychain backup, or ask IT to enrol this PC again " +
        'with a new data folder; the existing file has not been changed.',
    ),
  wrongKey: (file: string) =>
    new StoreError(
      'WRONG_KEY',
      `The key in the OS keychain does not open the store ${file}. Restore the keychain entry that ` +
        'belongs to this store, or ask IT to enrol this PC again with a new data folder; the existing ' +
        'file has not been changed.',
    ),
  notADatabase: (file: string, detail: string) =>
    new StoreError(
      'NOT_A_DATABASE',
      `The file ${file} is not a Clinic Console store or is damaged (${detail}). Restore it from ` +
        'backup, or move it aside and enrol this PC again; the file has not been changed.',
    ),
  /** issue 16: another console process is filling this store (its first sync's bulk load, bulk-load.ts). */
  inUse: (file: string) =>
    new StoreError(
      'IN_USE',
      `The store ${file} is in use by another Clinic Console on this PC, which is loading its first sync. ` +
        'Close the other window (or wait until it has finished) and open Clinic Console again; the file has ' +
        'not been changed.',
    ),
  newerSchema: (file: string, found: number, known: number) =>
    new StoreError(
      'NEWER_SCHEMA',
      `The store ${file} has schema version ${found}, newer than this app knows (${known}). ` +
        'Install the current Clinic Console version; the file has not been changed.',
    ),
};
