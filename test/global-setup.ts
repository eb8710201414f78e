/**
 * Set-up shared by the whole run: one build of the package, started here in the background, for
 * the test files that need the built package (the consumer apps, the launch modes). It runs while
 * the other files run; those files wait for it with `builtPackage()` (test/helpers/package-build.ts).
 * The build goes to a temporary directory, never to the repo's dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD = join(ROOT, 'scripts', 'build.mjs');

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's build of the package goes: `dist/`, and `done` or `failed` when it ends. */
    packageBuildDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rickmorty-suite-build-'));
  const child = spawn(process.execPath, [BUILD, join(dir, 'dist')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
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
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
}
