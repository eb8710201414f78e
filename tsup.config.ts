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

/**
 * Dependencies built into the package's files rather than imported from node_modules at run time.
 * Node's module loader pays for every file it resolves and reads, and these are about fifty files:
 * importing them took longer than everything else a first call does (docs/benchmarks.md, "Cold
 * start"). They stay dependencies: the browser build imports them by name (for the app's bundler),
 * and zod's types are the record types'. tinypool is loaded only by `makeAsync` and finds its worker
 * file by its own path, so it stays outside.
 */
const BUILT_IN = [/^ky(?:\/|$)/, /^zod(?:\/|$)/, /^p-limit$/, /^yocto-queue$/, /^gensync$/];

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
  noExternal: BUILT_IN,
  // The version in the User-Agent, from package.json (src/internal/version.ts).
  define: { __RICKMORTY_CLIENT_VERSION__: JSON.stringify(version) },
  // The build script (scripts/build.mjs) empties dist/ first: the builds below run at once, and
  // one's clean-up would remove what another writes. It also derives the CommonJS entries' types
  // (`.d.cts`) from the ES modules' (`.d.ts`), which are the same file for file.
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
    // CommonJS, for `require('rickmorty-client')`: each entry is its ES module, through
    // require(esm) (Node 20.19 and 22.12 and later, the versions the package supports), so that
    // `require` and `import` share one copy of every module (no dual-package hazard) and the
    // package carries its code once.
    entry: {
      ...Object.fromEntries(
        Object.keys(PUBLIC_ENTRIES)
          .filter((name) => name !== 'migrate')
          .map((name) => [name, `src/commonjs/${name}.cts`]),
      ),
      migrate: 'src/migrate/commonjs.cts',
    },
    format: ['cjs'],
    external: [/^\.\/[\w-]+\.js$/],
    noExternal: [],
    splitting: false,
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
      splitting: false,
    }),
  ),
  {
    ...COMMON,
    // The root entry for browsers (the `browser` condition of package.json's `exports`): one ES
    // module without the Node-only code (`browserFiles`). Its types are the root entry's.
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    splitting: false,
    // Imported by name, for the app's bundler to bundle once with the app's own copies: Node's
    // start-up costs, for which the Node builds carry them, do not apply to a browser bundle.
    noExternal: [],
    esbuildPlugins: [browserFiles],
  },
]);
