/**
 * The run's one build of the package (test/global-setup.ts; never the repo's dist/) in a staging
 * copy, and an app beside it whose `node_modules/rickmorty-client` links to it, so that
 * `import('rickmorty-client')` and `require('rickmorty-client')` resolve through the `exports` map
 * as in a user's app. The staging copy's own dependencies (tinypool, zod) come from the repo's
 * node_modules.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPackage } from './package-build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StagedApp {
  /** The app's directory: run scripts from here. */
  readonly dir: string;
  /** Writes a file into the app. */
  write(name: string, content: string): string;
  remove(): void;
}

/** Sets up an app that depends on the run's build of the package (waiting for the build). */
export async function stageApp(): Promise<StagedApp> {
  const base = mkdtempSync(join(tmpdir(), 'rickmorty-staged-'));
  const pkg = join(base, 'package');
  const app = join(base, 'app');
  mkdirSync(pkg);
  // A copy, not a link: Node decides a file's module format by the package.json above its real path.
  cpSync(await builtPackage(), join(pkg, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(app, 'node_modules', 'rickmorty-client'), 'dir');
  // Tools an app has installed beside the package: a TypeScript loader and a test runner.
  for (const tool of ['tsx', 'vitest']) {
    symlinkSync(join(ROOT, 'node_modules', tool), join(app, 'node_modules', tool), 'dir');
  }
  const write = (name: string, content: string) => {
    const file = join(app, name);
    writeFileSync(file, content);
    return file;
  };
  // Deno reads the dependencies from package.json before it uses node_modules.
  write(
    'package.json',
    `${JSON.stringify({ name: 'launch-app', private: true, type: 'module', dependencies: { 'rickmorty-client': '*' } })}\n`,
  );
  return { dir: app, write, remove: () => rmSync(base, { recursive: true, force: true }) };
}
