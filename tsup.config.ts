import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
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

/**
 * The browser build swaps each module of src/ that has a `<name>.browser.ts` beside it for that
 * file: the blocking transport, `makeAsync` and the blocking detector, whose Node-only code (worker
 * threads, their plumbing) a browser can never run. The browser test bundles the sources with it
 * too, so that it runs what `dist/browser.js` holds.
 */
export const browserFiles: Plugin = {
  name: 'rickmorty-browser-files',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const swapped = resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(swapped) ? { path: swapped } : undefined;
    });
  },
};

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

const COMMON: Options = {
  // Nothing loads source maps from a package; they were most of the tarball's weight.
  sourcemap: false,
  target: 'node20',
  treeshake: true,
  // The version in the User-Agent, from package.json (src/internal/version.ts).
  define: { __RICKMORTY_CLIENT_VERSION__: JSON.stringify(version) },
  // The build script empties dist/ first: the builds below run at once, and one's clean-up would
  // remove what another writes.
  clean: false,
};

export default defineConfig([
  {
    ...COMMON,
    // ES modules: the entries and the `rickmorty` bin, sharing chunks.
    entry: { ...PUBLIC_ENTRIES, cli: 'src/cli/index.ts' },
    format: ['esm'],
    dts: { entry: PUBLIC_ENTRIES },
    splitting: true,
  },
  {
    ...COMMON,
    // CommonJS, for `require('rickmorty-client')`: the entries only. The bin and the workers are
    // loaded as ES modules from either format (src/transports/worker-entry.ts). The migration
    // assistant, the largest entry, is not built twice: its CommonJS file is the one below.
    entry: Object.fromEntries(
      Object.entries(PUBLIC_ENTRIES).filter(([name]) => name !== 'migrate'),
    ),
    format: ['cjs'],
    dts: { entry: PUBLIC_ENTRIES },
    splitting: true,
    // `import.meta.url` locates the worker files; CommonJS needs it shimmed.
    shims: true,
  },
  {
    ...COMMON,
    // `require('rickmorty-client/migrate')`: the ES module itself, through require(esm).
    entry: { migrate: 'src/migrate/commonjs.cts' },
    format: ['cjs'],
    external: ['./migrate.js'],
    splitting: false,
  },
  {
    ...COMMON,
    // Worker threads load these by file name beside the chunks. Each is one file with what it
    // needs, built apart: a worker starts by reading one module, and the entries' chunks are not
    // cut finer to share code with the workers.
    entry: WORKER_ENTRIES,
    format: ['esm'],
    splitting: false,
  },
  {
    ...COMMON,
    // The root entry for browsers (the `browser` condition of package.json's `exports`): one ES
    // module without the Node-only code (`browserFiles`). Its types are the root entry's.
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    splitting: false,
    esbuildPlugins: [browserFiles],
  },
]);
