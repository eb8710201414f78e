import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Worker threads and child processes started by tests are real; forks keep them isolated.
    pool: 'forks',
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
