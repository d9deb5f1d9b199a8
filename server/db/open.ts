/** Chooses the portal backend's store: PostgreSQL for a `postgres://` URL, else the embedded SQLite file. */
import { PgStore } from './pg-store';
import { SqliteStore } from './sqlite-store';
import type { ServerStore } from './types';

export interface OpenStoreOptions {
  /** Folder of the SQLite database (created if missing). */
  dataDir: string;
  /** `postgres://…` or `postgresql://…`; absent or empty: SQLite in `dataDir`. */
  database?: string;
  /** Background failures of the store (PostgreSQL's LISTEN connection); never carries row data. */
  onError?: (err: unknown) => void;
}

export const isPostgresUrl = (url: string | undefined): url is string =>
  !!url && /^postgres(ql)?:\/\//i.test(url);

/**
 * Opens (and migrates) the store. Throws `Error` with a message naming the fix when `database` is set but is
 * not a PostgreSQL URL, or when PostgreSQL cannot be reached.
 */
export async function openStore(options: OpenStoreOptions): Promise<ServerStore> {
  if (options.database) {
    if (!isPostgresUrl(options.database)) {
      throw new Error('--database (or DATABASE_URL) must be a postgres:// URL; leave it out for SQLite.');
    }
    return PgStore.open(options.database, { onError: options.onError });
  }
  return new SqliteStore(options.dataDir);
}
