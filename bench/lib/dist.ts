/**
 * Which build the benchmarks measure. `npm run bench` builds, then copies dist/ to a private
 * snapshot (a temporary directory with a symlink to the repository's node_modules), so that a
 * rebuild by someone else during the run (tsup cleans dist/ first) can neither break nor change
 * what is measured. Child processes find the snapshot through RICKMORTY_BENCH_DIST.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV = 'RICKMORTY_BENCH_DIST';

/** The dist/ directory under test: the snapshot when there is one, else the repository's. */
export function distDir(): string {
  return process.env[ENV] ?? path.join(ROOT, 'dist');
}

/** A file URL inside the dist/ under test, e.g. `distUrl('index.js')`. */
export function distUrl(file: string): string {
  return pathToFileURL(path.join(distDir(), file)).href;
}

/** Copies dist/ to a temporary snapshot and points this process and its children at it. */
export function snapshotDist(): { dir: string; remove(): void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'rickmorty-bench-dist-'));
  const dir = path.join(base, 'dist');
  cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  // Bare imports (ky, zod, piscina…) resolve through the repository's node_modules.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  writeFileSync(
    path.join(base, 'package.json'),
    `${JSON.stringify({ name: 'rickmorty-bench-snapshot', private: true, type: 'module', sideEffects: false })}\n`,
  );
  process.env[ENV] = dir;
  return {
    dir,
    remove() {
      if (process.env[ENV] === dir) delete process.env[ENV];
      rmSync(base, { recursive: true, force: true });
    },
  };
}
