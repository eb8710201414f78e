import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    // The migration assistant: its own entry, because it loads ts-morph.
    migrate: 'src/migrate/index.ts',
    // The `rickmorty` bin.
    cli: 'src/cli/index.ts',
    // Worker threads load these by file name, so each is an entry of its own beside the chunks.
    'blocking-worker': 'src/transports/blocking-worker.ts',
    'make-async-worker': 'src/make-async-worker.ts',
    'replica-worker': 'src/testing/replica-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing/index.ts',
      migrate: 'src/migrate/index.ts',
    },
  },
  // `import.meta.url` locates the worker files; the CJS build needs it shimmed.
  shims: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
});
