/**
 * Which store the portal backend runs on in this test project: vitest.config.ts runs the server suite twice,
 * once as project "sqlite" and once as project "postgres" (env CLINIC_TEST_STORE=postgres, one throwaway
 * cluster started by tests/setup/postgres.ts). One suite, two stores.
 */
import { inject } from 'vitest';
import { createDatabaseAt } from './pg-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance URL of the test cluster ('' outside the postgres project). */
    postgresAdminUrl: string;
  }
}

export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.CLINIC_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh, empty PostgreSQL database on the test cluster. Throws outside the postgres project. */
export async function testPostgresDatabase(prefix = 'test'): Promise<string> {
  const admin = inject('postgresAdminUrl');
  if (!admin) throw new Error('No test PostgreSQL cluster: run this file in the "postgres" vitest project.');
  return createDatabaseAt(admin, prefix);
}

/** The `database` option for buildServer in this project: '' (SQLite) or a fresh PostgreSQL database. */
export async function testDatabaseOption(prefix = 'test'): Promise<string> {
  return TEST_STORE === 'postgres' ? testPostgresDatabase(prefix) : '';
}
