import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-shared/**/*.test.ts', 'server/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Native SQLCipher and keytar handles are not fork-safe across workers' teardown; forks isolate them.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
