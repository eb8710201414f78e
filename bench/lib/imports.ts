/**
 * What importing the package costs: which dependencies its root entry loads at import time (read
 * from the built files with esbuild's metafile, so the list follows the code), and the time of an
 * `await import(…)` in fresh processes, run round-robin.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { lastJsonLine, runChild } from './child.js';
import { entryPath, packageDir } from './dist.js';
import { type Summary, summarize } from './measure.js';

const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier);
}

/**
 * The bare specifiers (`ky`, `zod/mini`…) the package's root entry imports statically, that is at
 * `import('rickmorty-client')`, and those it imports only lazily (behind `import()`).
 */
export async function entryDependencies(): Promise<{ eager: string[]; lazy: string[] }> {
  const esbuild = await import('esbuild');
  const root = packageDir();
  const entry = path.relative(root, entryPath('.'));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  const walk = (starts: readonly string[], seen: Set<string>) => {
    const external = new Set<string>();
    const lazyStarts: string[] = [];
    const queue = [...starts];
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const input = inputs[key];
      if (seen.has(key) || !input) continue;
      seen.add(key);
      for (const imported of input.imports) {
        if (imported.kind === 'dynamic-import') {
          if (imported.external) external.add(`lazy:${imported.path}`);
          else lazyStarts.push(imported.path);
        } else if (imported.external) external.add(imported.path);
        else queue.push(imported.path);
      }
    }
    return { external, lazyStarts };
  };
  const seen = new Set<string>();
  const eager = walk([entry.split(path.sep).join('/')], seen);
  const lazy = walk(eager.lazyStarts, seen);
  const bare = (names: Iterable<string>) =>
    [...new Set([...names].map((name) => name.replace(/^lazy:/, '')))].filter(
      (name) => !isBuiltin(name),
    );
  const eagerNames = bare([...eager.external].filter((name) => !name.startsWith('lazy:')));
  const lazyNames = bare([
    ...[...eager.external].filter((name) => name.startsWith('lazy:')),
    ...lazy.external,
  ]).filter((name) => !eagerNames.includes(name));
  return { eager: eagerNames, lazy: lazyNames };
}

/** A module the package may load, and when: `at import`, or later (on first use, if ever). */
export interface PackageModule {
  readonly specifier: string;
  readonly atImport: boolean;
}

/**
 * What the root entry imports at import time (from the build), then every other dependency in
 * package.json (loaded later, on first use, if ever: tinypool is `require`d when a pool starts).
 */
export async function packageModules(): Promise<PackageModule[]> {
  const { eager } = await entryDependencies();
  const manifest = JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const packageOf = (specifier: string) =>
    specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
  const later = Object.keys(manifest.dependencies ?? {}).filter(
    (name) => !eager.some((specifier) => packageOf(specifier) === name),
  );
  return [
    ...eager.map((specifier) => ({ specifier, atImport: true })),
    ...later.map((specifier) => ({ specifier, atImport: false })),
  ];
}

export interface ImportMode {
  readonly id: string;
  readonly label: string;
  /** What to import; undefined: nothing (an empty process). */
  readonly specifier: string | undefined;
}

export interface ImportTiming {
  readonly id: string;
  readonly label: string;
  /** The `await import(…)` itself, timed inside the child. */
  readonly importMs: Summary;
  /** The whole process, spawn to exit. */
  readonly wallMs: Summary;
}

/**
 * Times `await import(specifier)` in fresh `node --input-type=module -e` processes, each mode once
 * a round, `reps` rounds. Children run in the package's directory: `rickmorty-client` resolves
 * there through its own `exports` (self-reference), and its dependencies by their bare names.
 */
export async function timeImports(
  modes: readonly ImportMode[],
  reps: number,
): Promise<ImportTiming[]> {
  const script = (specifier: string | undefined) =>
    `const t0 = performance.now(); ${specifier ? `await import(${JSON.stringify(specifier)});` : ''} ` +
    'const t1 = performance.now(); process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t1 }));';
  const importMs = new Map<string, number[]>(modes.map((mode) => [mode.id, []]));
  const wallMs = new Map<string, number[]>(modes.map((mode) => [mode.id, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of modes) {
      const child = await runChild(['--input-type=module', '-e', script(mode.specifier)], 60_000, {
        cwd: packageDir(),
      });
      if (child.code !== 0)
        throw new Error(`import child ${mode.id} failed: ${child.stderr.slice(-500)}`);
      importMs.get(mode.id)!.push(lastJsonLine<{ importMs: number }>(child.stdout).importMs);
      wallMs.get(mode.id)!.push(child.wallMs);
    }
  }
  return modes.map((mode) => ({
    id: mode.id,
    label: mode.label,
    importMs: summarize(importMs.get(mode.id)!),
    wallMs: summarize(wallMs.get(mode.id)!),
  }));
}
