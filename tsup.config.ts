import { defineConfig, type Options } from 'tsup';

/**
 * The package's entry points, by the name of their files in dist/ (docs/architecture.md says what
 * each holds). Each also needs its `exports` in package.json, a folder with a package.json for
 * node10 resolution (`files` too), and a line in typedoc.json; scripts/check-package.mjs checks
 * every entry of the `exports` map.
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

/** The worker threads' files, which the transports and the replica load by name. */
const WORKER_ENTRIES = {
  'blocking-worker': 'src/transports/blocking-worker.ts',
  'make-async-worker': 'src/transports/make-async-worker.ts',
  'replica-worker': 'src/testing/replica-worker.ts',
};
const WORKER_FILES = Object.keys(WORKER_ENTRIES);

const COMMON: Options = {
  format: ['esm', 'cjs'],
  // `import.meta.url` locates the worker files; the CJS build needs it shimmed.
  shims: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
};

export default defineConfig([
  {
    ...COMMON,
    entry: {
      ...PUBLIC_ENTRIES,
      // The `rickmorty` bin.
      cli: 'src/cli/index.ts',
    },
    dts: { entry: PUBLIC_ENTRIES },
    splitting: true,
    // The two builds run at once: this one's clean-up must not remove what the other writes.
    clean: WORKER_FILES.map((name) => `!${name}.*`),
  },
  {
    ...COMMON,
    // Worker threads load these by file name beside the chunks. Each is one file with what it
    // needs, built apart: a worker starts by reading one module, and the entries' chunks are not
    // cut finer to share code with the workers.
    entry: WORKER_ENTRIES,
    // Loaded as `.js` from either build (src/transports/worker-entry.ts): no CommonJS copy.
    format: ['esm'],
    // Without maps: each would carry another copy of the sources the entries' maps already have.
    sourcemap: false,
    splitting: false,
    clean: false,
  },
]);
