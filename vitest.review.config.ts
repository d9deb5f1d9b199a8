import { defineConfig } from 'vitest/config';

/**
 * Adversarial review tests (`*.review.test.ts`): each FAILS until the defect it is named after is fixed. They
 * belong to no project of vitest.config.ts (so `npm test` and CI stay green) and run only with this config:
 *   nice -n 10 bash scripts/with-keyring.sh npx vitest run --config vitest.review.config.ts [file]
 * The server's review tests on PostgreSQL too (a throwaway cluster, as the "postgres" project of vitest.config.ts):
 *   CLINIC_TEST_STORE=postgres nice -n 10 npx vitest run --config vitest.review.config.ts server/
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: ['**/*.review.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: process.env.CLINIC_TEST_STORE === 'postgres' ? ['./tests/setup/postgres.ts'] : [],
  },
});
