import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fast-check's seed follows the commit (test/helpers/property-seed.ts): CI on a fresh clone replays it. A file
    // whose code never yields is ended after 900 s with its test's name (event-loop-watchdog.ts), never a hung run.
    setupFiles: ['test/helpers/property-seed.ts', 'test/helpers/event-loop-watchdog.ts'],
    // A hang guard, not a speed check (speed lives in `npm run bench`): under a load of 25 on two cores, tests that start
    // PGlite and a stack took 20-31 s (observability-drain, mcp listings), so 30 s failed tests that were only slow.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites each start their own PostgreSQL cluster; two cores do not want more than two at once.
    maxWorkers: 2,
  },
});
