import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Worker threads and child processes started by tests are real; forks keep them isolated.
    pool: 'forks',
    // One fork runs file after file, without a fresh module graph for each: a fresh one cost a
    // sixth of the suite's CPU time. Tests must leave no state behind them (hooks, servers,
    // globals), which tests that assert on leftovers (test/hygiene.test.ts, doc examples) check.
    isolate: false,
    // Two files at a time on two cores (vitest would run one): many tests wait on servers, threads
    // and child processes rather than compute.
    maxWorkers: 2,
    // One build of the package for the files that need it, started in the background.
    globalSetup: ['./test/global-setup.ts'],
    // Type-level tests (`expectTypeOf`) run with `vitest run`. Their tsconfig covers src/ and the
    // .test-d.ts files only: errors elsewhere are `npm run typecheck`'s to report, not these tests'.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './test/tsconfig.types.json',
    },
  },
});
