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

/**
 * The worker threads' files, which the transports and the replica load by name. The blocking
 * transport's worker is CommonJS: the bootstrap `require`s it, so that the thread never starts an
 * ES module loader (about 15 ms of every blocking client's first call). The others are ES modules
 * (tinypool imports its task file; the replica's is loaded once per test server).
 */
const COMMONJS_WORKERS = {
  'blocking-worker': 'src/transports/blocking-worker.ts',
};
const ESM_WORKERS = {
  'make-async-worker': 'src/transports/make-async-worker.ts',
  'replica-worker': 'src/testing/replica-worker.ts',
};
const WORKER_FILES = [...Object.keys(COMMONJS_WORKERS), ...Object.keys(ESM_WORKERS)];

/**
 * Dependencies built into the package's files rather than imported from node_modules at run time.
 * Node's module loader pays for every file it resolves and reads, and these are about fifty files:
 * importing them took longer than everything else a first call does (docs/benchmarks.md, "Cold
 * start"). zod stays a dependency for its types (the record types and the schemas' types come
 * from it); tinypool is loaded only by `makeAsync` and finds its worker file by its own path, so
 * it stays outside.
 */
const BUILT_IN = [/^ky(?:\/|$)/, /^zod(?:\/|$)/, /^p-limit$/, /^yocto-queue$/, /^gensync$/];

const COMMON: Options = {
  format: ['esm', 'cjs'],
  noExternal: BUILT_IN,
  // `import.meta.url` locates the worker files; the CJS build needs it shimmed.
  shims: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
};

export default defineConfig([
  {
    ...COMMON,
    entry: PUBLIC_ENTRIES,
    dts: { entry: PUBLIC_ENTRIES },
    splitting: true,
    // The builds run at once: this one's clean-up must not remove what the others write.
    clean: [...WORKER_FILES, 'cli'].map((name) => `!${name}.*`),
  },
  {
    ...COMMON,
    // The `rickmorty` bin: a program of its own, built apart, so that the code it shares with the
    // entries does not cut their chunks finer (the root entry loads 8 files, not 12: each file is
    // a round of Node's module loader at import).
    entry: { cli: 'src/cli/index.ts' },
    format: ['esm'],
    splitting: false,
    clean: false,
  },
  ...(
    [
      [COMMONJS_WORKERS, 'cjs'],
      [ESM_WORKERS, 'esm'],
    ] as const
  ).map(
    ([entry, format]): Options => ({
      ...COMMON,
      // Worker threads load these by file name beside the chunks. Each is one file with what it
      // needs, built apart: a worker starts by reading one module, and the entries' chunks are not
      // cut finer to share code with the workers.
      entry,
      // One format each (src/transports/worker-entry.ts knows which): no copy in the other.
      format: [format],

      // Without maps: each would carry another copy of the sources the entries' maps already have.
      sourcemap: false,
      splitting: false,
      clean: false,
    }),
  ),
]);
