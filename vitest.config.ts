import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite is ~300 MB a database; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
    pool: 'forks',
  },
});
