/**
 * Which build the benchmarks measure, and how they reach it: through the package's public entry
 * points (the `exports` map of package.json), never through a file name inside dist/, so that a
 * change of layout in src/ or dist/ leaves the suite working.
 *
 * `npm run bench` builds, then installs a private snapshot of the package in a temporary directory,
 * the way a user's app sees it:
 *
 *   <tmp>/package/   package.json (the repository's), dist/ (copied), node_modules -> the repo's
 *   <tmp>/app/       a consumer: package.json, node_modules/rickmorty-client -> ../../package,
 *                    and the child scripts of bench/child/, which `import('rickmorty-client')`
 *
 * so that a rebuild by someone else during the run (tsup cleans dist/ first) can neither break nor
 * change what is measured. Child processes find the snapshot through RICKMORTY_BENCH_PACKAGE.
 * Without a snapshot (a script run by hand), the repository itself is the package.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The package name a consumer imports. */
export const PACKAGE_NAME = 'rickmorty-client';
const PACKAGE_ENV = 'RICKMORTY_BENCH_PACKAGE';
const APP_ENV = 'RICKMORTY_BENCH_APP';
const CHILD_SCRIPTS = fileURLToPath(new URL('../child/', import.meta.url));

/** The root of the package under test: the snapshot when there is one, else the repository. */
export function packageDir(): string {
  return process.env[PACKAGE_ENV] ?? ROOT;
}

/** The package's dist/ directory (for source maps and profile labels only: entries go by `exports`). */
export function distDir(): string {
  return path.join(packageDir(), 'dist');
}

/**
 * The consumer app of the snapshot, where `import('rickmorty-client')` resolves and the child
 * scripts live; throws without a snapshot.
 */
export function appDir(): string {
  const dir = process.env[APP_ENV];
  if (!dir) throw new Error('No package snapshot: call installSnapshot() first');
  return dir;
}

/** The path of a bench/child/ script inside the consumer app. */
export function childScript(name: string): string {
  return path.join(appDir(), name);
}

type ExportTarget = string | { readonly [condition: string]: ExportTarget } | null;

/** The file an `import` of `subpath` loads, following the `import` (then `default`) conditions. */
function importTarget(target: ExportTarget | undefined, subpath: string): string {
  if (typeof target === 'string') return target;
  if (target && typeof target === 'object') {
    for (const condition of ['import', 'node', 'default']) {
      if (condition in target) return importTarget(target[condition], subpath);
    }
  }
  throw new Error(`package.json exports no ESM entry for "${subpath}"`);
}

/** The public entry points of the package under test (`.`, `./testing`, …), from its exports. */
export function entryPoints(): string[] {
  return Object.keys(readExports()).filter((key) => !key.endsWith('.json') && !key.includes('*'));
}

function readExports(): Record<string, ExportTarget> {
  const manifest = JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as {
    exports?: Record<string, ExportTarget>;
  };
  if (!manifest.exports) throw new Error('package.json has no exports map');
  return manifest.exports;
}

/** The file URL that `import('rickmorty-client' + subpath)` loads, e.g. `entryUrl('./testing')`. */
export function entryUrl(subpath = '.'): string {
  const target = importTarget(readExports()[subpath], subpath);
  return pathToFileURL(path.join(packageDir(), target)).href;
}

/** The same as a file path. */
export function entryPath(subpath = '.'): string {
  return fileURLToPath(entryUrl(subpath));
}

/** Installs a snapshot of the built package and a consumer app; points this process and its children at them. */
export function installSnapshot(): { packageDir: string; appDir: string; remove(): void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'rickmorty-bench-'));
  const pkg = path.join(base, 'package');
  const app = path.join(base, 'app');
  mkdirSync(pkg);
  cpSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  cpSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  // Bare imports of the package (tinypool, zod…) resolve through the repository's node_modules.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, path.join(app, 'node_modules', PACKAGE_NAME), 'dir');
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'rickmorty-bench-app', private: true, type: 'module' })}\n`,
  );
  for (const file of readdirSync(CHILD_SCRIPTS)) {
    cpSync(path.join(CHILD_SCRIPTS, file), path.join(app, file));
  }
  process.env[PACKAGE_ENV] = pkg;
  process.env[APP_ENV] = app;
  return {
    packageDir: pkg,
    appDir: app,
    remove() {
      if (process.env[PACKAGE_ENV] === pkg) delete process.env[PACKAGE_ENV];
      if (process.env[APP_ENV] === app) delete process.env[APP_ENV];
      rmSync(base, { recursive: true, force: true });
    },
  };
}
