import { defineConfig } from 'tsup';

/**
 * The package's entry points, by the name of their files in dist/ (docs/architecture.md says what
 * each holds). Each also needs its `exports` in package.json, a folder with a package.json for
 * node10 resolution, and a line in typedoc.json and scripts/check-package.mjs.
 */
export const PUBLIC_ENTRIES = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  // The migration assistant: its own entry, because it loads ts-morph.
  migrate: 'src/migrate/index.ts',
  schemas: 'src/resources/schemas.ts',
  'make-async': 'src/transports/make-async.ts',
  'blocking-detector': 'src/client/blocking-detector.ts',
};

export default defineConfig({
  entry: {
    ...PUBLIC_ENTRIES,
    // The `rickmorty` bin.
    cli: 'src/cli/index.ts',
    // Worker threads load these by file name, so each is an entry of its own beside the chunks.
    'blocking-worker': 'src/transports/blocking-worker.ts',
    'make-async-worker': 'src/transports/make-async-worker.ts',
    'replica-worker': 'src/testing/replica-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: PUBLIC_ENTRIES },
  // `import.meta.url` locates the worker files; the CJS build needs it shimmed.
  shims: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
});
