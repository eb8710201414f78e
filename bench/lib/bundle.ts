/**
 * The browser bundle of the async path, measured with esbuild: the client's
 * `new RickMortyClient().getCharactersAsync([1, 10, 100])` against the peer's, a what-if with ky
 * swapped for a one-line `fetch` shim, and each dependency of the async path bundled alone.
 * Returns plain figures; scenario 4 writes the tables.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { appDir, distDir, ROOT } from './dist.js';

export interface BundleFigures {
  readonly entryMin: number;
  readonly entryGzip: number;
  readonly staticMin: number;
  readonly staticGzip: number;
  readonly allMin: number;
  readonly allGzip: number;
  readonly chunks: number;
  /** Minified bytes by input (package, or `dist/…` file): [in the entry chunk, in its static imports]. */
  readonly topInputs: readonly (readonly [string, readonly [number, number]])[];
}

export interface BundleData {
  readonly ours: BundleFigures;
  readonly noKy: BundleFigures;
  readonly peer: BundleFigures;
  /** Each dependency of the async path bundled alone: minified and minified + gzip bytes. */
  readonly alone: readonly { readonly name: string; readonly min: number; readonly gzip: number }[];
  /** ` (src/client.ts, …)`: the sources each `dist/…` input was built from (its source map). */
  readonly sources: Readonly<Record<string, string>>;
}

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Figures of one esbuild output: the entry chunk, what it imports statically, everything. */
function figuresOf(metafile: Metafile, files: Map<string, Uint8Array>): BundleFigures {
  const outputs = metafile.outputs;
  const entryPath = Object.keys(outputs).find((key) => outputs[key]!.entryPoint)!;
  const bytes = (key: string) => files.get(path.resolve(key)) ?? new Uint8Array();
  // The entry chunk plus every chunk it imports statically (what loads before any code runs).
  const closure = new Set<string>();
  const visit = (key: string) => {
    if (closure.has(key)) return;
    closure.add(key);
    for (const imported of outputs[key]!.imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryPath);
  const jsKeys = Object.keys(outputs).filter((key) => key.endsWith('.js'));
  const sum = (keys: Iterable<string>, f: (b: Uint8Array) => number) =>
    [...keys].reduce((acc, key) => acc + f(bytes(key)), 0);
  // Minified bytes by package: in the entry chunk, and in the chunks it imports statically.
  const inputs = new Map<string, [number, number]>();
  for (const key of closure) {
    const slot = key === entryPath ? 0 : 1;
    for (const [input, info] of Object.entries(outputs[key]!.inputs)) {
      const pkg =
        input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
        input.replace(/^.*?dist\//, 'dist/');
      const sizes = inputs.get(pkg) ?? [0, 0];
      sizes[slot] += info.bytesInOutput;
      inputs.set(pkg, sizes);
    }
  }
  return {
    entryMin: bytes(entryPath).length,
    entryGzip: gz(bytes(entryPath)),
    staticMin: sum(closure, (b) => b.length),
    staticGzip: sum(closure, gz),
    allMin: sum(jsKeys, (b) => b.length),
    allGzip: sum(jsKeys, gz),
    chunks: jsKeys.length,
    topInputs: [...inputs]
      .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
      .filter(([, [entry, eager]]) => entry + eager >= 200),
  };
}

async function bundleApps(dir: string): Promise<Record<'ours' | 'noKy' | 'peer', BundleFigures>> {
  const esbuild = await import('esbuild');
  // Imported by name from the consumer app, so that the package's `exports` pick the file, with
  // the `browser` condition that a browser bundler sets.
  const client =
    "import { RickMortyClient } from 'rickmorty-client';\n" +
    'new RickMortyClient().getCharactersAsync([1, 10, 100]).then(console.log);\n';
  // What-if: ky swapped for the few lines of `fetch` the transport needs from it.
  const kyShim = path.join(dir, 'ky-shim.js');
  writeFileSync(
    kyShim,
    'export default { create: (defaults) => ({ get: (url, options) => ' +
      "(defaults.fetch ?? fetch)(url, { redirect: defaults.redirect, ...options, method: 'GET' }) }) };\n",
  );
  const peerPath = createRequire(import.meta.url).resolve('rickmortyapi');
  const sources = {
    ours: client,
    noKy: client,
    peer:
      `import { getCharacter } from ${JSON.stringify(peerPath)};\n` +
      'getCharacter([1, 10, 100]).then(console.log);\n',
  };
  const figures = {} as Record<'ours' | 'noKy' | 'peer', BundleFigures>;
  for (const [name, source] of Object.entries(sources) as ['ours' | 'noKy' | 'peer', string][]) {
    const entry = path.join(dir, `${name}.js`);
    writeFileSync(entry, source);
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir: path.join(dir, `out-${name}`),
      // tsup writes Node built-ins without the `node:` prefix ('os', 'url'), so both spellings.
      external: ['node:*', ...builtinModules],
      ...(name === 'noKy' ? { alias: { ky: kyShim } } : {}),
      nodePaths: [path.join(appDir(), 'node_modules')],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const files = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
    figures[name] = figuresOf(result.metafile, files);
  }
  return figures;
}

/** Each dependency of the async path alone, bundled the same way (no splitting), for scale. */
async function bundleAlone(): Promise<BundleData['alone']> {
  const esbuild = await import('esbuild');
  const alone: [string, string][] = [
    ['ky', "import ky from 'ky'; ky.create({ retry: 0 }).get('x').then(console.log);"],
    [
      'zod/mini',
      "import * as z from 'zod/mini'; console.log(z.object({ a: z.string(), b: z.array(z.string()), c: z.enum(['x']) }).safeParse({}));",
    ],
    ['gensync', "import gensync from 'gensync'; console.log(gensync({ sync() {}, async() {} }));"],
    ['p-limit', "import pLimit from 'p-limit'; console.log(pLimit(2));"],
  ];
  const sizes: { name: string; min: number; gzip: number }[] = [];
  for (const [name, contents] of alone) {
    const result = await esbuild.build({
      stdin: { contents, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const bytes = result.outputFiles[0]!.contents;
    sizes.push({ name, min: bytes.length, gzip: gz(bytes) });
  }
  return sizes;
}

/** ` (src/client.ts, …)`: the sources a dist/ chunk was built from, read from its source map. */
function distSources(input: string): string {
  if (!input.startsWith('dist/')) return '';
  try {
    const map = JSON.parse(
      readFileSync(path.join(distDir(), `${input.slice('dist/'.length)}.map`), 'utf8'),
    ) as { sources: string[] };
    const sources = map.sources
      .map((source) => source.replace(/^.*?(src\/)/, '$1'))
      .filter((source) => source.startsWith('src/'));
    if (sources.length === 0) return '';
    const shown = sources.slice(0, 4).join(', ');
    return ` (${shown}${sources.length > 4 ? `, +${sources.length - 4}` : ''})`;
  } catch {
    return '';
  }
}

export async function measureBundles(): Promise<BundleData> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rickmorty-bench-bundle-'));
  try {
    const figures = await bundleApps(dir);
    const inputs = figures.ours.topInputs.map(([input]) => input);
    return {
      ...figures,
      alone: await bundleAlone(),
      sources: Object.fromEntries(inputs.map((input) => [input, distSources(input)])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
