/**
 * The run's one build of the package (started by test/global-setup.ts), for test files that need
 * the built package. Waiting here costs no CPU: the build runs in its own process meanwhile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** How long to wait for the build at most: a hang guard, not a timing check. */
const GUARD_MS = 170_000;

/** Resolves with the `dist/` directory of the run's build once it is complete. */
export async function builtPackage(): Promise<string> {
  const dir = inject('packageBuildDir');
  const deadline = Date.now() + GUARD_MS;
  while (!existsSync(join(dir, 'done'))) {
    if (existsSync(join(dir, 'failed'))) {
      throw new Error(`The package build failed:\n${readFileSync(join(dir, 'failed'), 'utf8')}`);
    }
    if (Date.now() > deadline)
      throw new Error(`The package build did not end within ${GUARD_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return join(dir, 'dist');
}
