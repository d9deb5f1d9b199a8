/**
 * globalSetup of the "postgres" vitest project: one throwaway cluster for the run, stopped at its end.
 * vitest.config.ts only adds that project where PostgreSQL can be started (and fails under CI=true where not).
 */
import type { TestProject } from 'vitest/node';
import { findPostgres, startCluster } from '../helpers/pg-cluster';

export default function setup(project: TestProject): () => void {
  const found = findPostgres();
  if ('reason' in found) throw new Error(`PostgreSQL is needed by the "postgres" project: ${found.reason}`);
  const cluster = startCluster(found);
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
