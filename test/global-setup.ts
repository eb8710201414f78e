/**
 * Set-up shared by the whole run: one build of the package, started here in the background, for
 * the test files that need the built package (the consumer apps, the launch modes). It runs while
 * the other files run; those files wait for it with `builtPackage()` (test/helpers/package-build.ts).
 * The build goes to a temporary directory, never to the repo's dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { TestProject } from 'vitest/node';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD = join(ROOT, 'scripts', 'build.mjs');

/**
 * Worker threads run from source load their module through tsx (src/transports/tsx-worker.mjs),
 * and tsx's start in a thread costs about five times the thread's own. The suite starts about two
 * hundred threads, most of which load no TypeScript of the test's own, so it bundles the workers'
 * sources once here; the threads load the bundle (RICKMORTY_DEV_WORKERS) and register tsx only for
 * a test's TypeScript module. The same source, about a quarter of the suite's CPU time less.
 */
const DEV_WORKERS = {
  'blocking-worker': 'src/transports/blocking-worker.ts',
  'make-async-worker': 'src/transports/make-async-worker.ts',
  'replica-worker': 'src/testing/replica-worker.ts',
};

function bundleDevWorkers(dir: string): void {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  buildSync({
    entryPoints: Object.fromEntries(
      Object.entries(DEV_WORKERS).map(([name, file]) => [name, join(ROOT, file)]),
    ),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    define: { __RICKMORTY_CLIENT_VERSION__: JSON.stringify(version) },
  });
  process.env.RICKMORTY_DEV_WORKERS = dir;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's build of the package goes: `dist/`, and `done` or `failed` when it ends. */
    packageBuildDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rickmorty-suite-build-'));
  bundleDevWorkers(join(dir, 'dev-workers'));
  const child = spawn(process.execPath, [BUILD, join(dir, 'dist')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    // A process group of its own, so that a run that ends before the build stops tsup's children
    // (esbuild, the declaration build) with it.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.on('close', (code, signal) => {
    if (code === 0) writeFileSync(join(dir, 'done'), '');
    else
      writeFileSync(
        join(dir, 'failed'),
        `the build ended with ${signal ?? `code ${code}`}\n${output}`,
      );
  });
  project.provide('packageBuildDir', dir);
  return () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group ended between the check and the kill.
      }
    }
    child.stdout.destroy();
    child.stderr.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
}
