import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites each start their own PostgreSQL cluster; two cores do not want more than two at once.
    maxWorkers: 2,
  },
});
