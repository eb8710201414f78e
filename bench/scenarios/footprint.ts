/**
 * 4. Footprint: peak memory fetching everything (fresh processes), the cold import of the package
 * and of each dependency it loads, and the browser bundle of the async path.
 */

import { type BundleData, measureBundles } from '../lib/bundle.js';
import { lastJsonLine, runChild } from '../lib/child.js';
import { appDir, childScript } from '../lib/dist.js';
import { type ImportTiming, packageModules, timeImports } from '../lib/imports.js';
import { range } from '../lib/latency-table.js';
import { fmtBytes, fmtMs, fmtRatio, type Summary, summarize, table } from '../lib/measure.js';
import { PEER_URL } from '../lib/peer.js';
import { type BenchContext, defineScenario } from '../lib/scenario.js';

const MEMORY_MODES = [
  ['import', 'client: import only (baseline)'],
  ['client', 'client: `getAllCharactersAsync()`'],
  ['client-blocking', 'client: `getAllCharacters()` (blocking)'],
  ['peer-import', 'peer: import only (baseline)'],
  ['peer', 'peer: `getCharacter([1..826])` (one request)'],
  ['fetch', 'raw `fetch`: page 1, then the other pages together'],
] as const;

interface MemoryRow {
  readonly mode: string;
  readonly label: string;
  readonly records: number;
  readonly rss: Summary;
}

interface FootprintData {
  readonly memoryReps: number;
  readonly memory: readonly MemoryRow[];
  readonly importReps: number;
  readonly imports: readonly ImportTiming[];
  readonly bundle: BundleData;
}

const BUNDLE_TARGET = 'Async-path browser bundle (entry chunk, minified + gzip)';
// Issue 16: at most 18 KB min+gzip with ky and zod/mini in it (npm run check:package asserts it too).
const BUNDLE_LIMIT = 18_000;

/** Peak memory of fresh processes fetching everything (bench/child/memory.mjs), round-robin. */
async function measureMemory(apiUrl: string, reps: number): Promise<MemoryRow[]> {
  const rss = new Map<string, number[]>(MEMORY_MODES.map(([mode]) => [mode, []]));
  const counts = new Map<string, number>();
  for (let rep = 0; rep < reps; rep++) {
    for (const [mode] of MEMORY_MODES) {
      const child = await runChild([childScript('memory.mjs'), mode, apiUrl, PEER_URL], 60_000, {
        cwd: appDir(),
      });
      if (child.code !== 0)
        throw new Error(`memory child ${mode} failed: ${child.stderr.slice(-500)}`);
      const out = lastJsonLine<{ maxRssKiB: number; count: number }>(child.stdout);
      rss.get(mode)!.push(out.maxRssKiB * 1024);
      counts.set(mode, out.count);
    }
  }
  return MEMORY_MODES.map(([mode, label]) => ({
    mode,
    label,
    records: counts.get(mode) ?? 0,
    rss: summarize(rss.get(mode)!),
  }));
}

/** Node alone, the package, the peer and each dependency (those loaded at import first). */
async function measureImports(reps: number): Promise<ImportTiming[]> {
  const modules = await packageModules();
  return timeImports(
    [
      { id: 'node', label: 'node alone (`node -e ""`)', specifier: undefined },
      { id: 'ours', label: "client: `import('rickmorty-client')`", specifier: 'rickmorty-client' },
      { id: 'peer', label: "peer: `import('rickmortyapi')`", specifier: PEER_URL },
      // The client's dependencies alone, to show which part of the import is whose.
      ...modules.map(({ specifier, atImport }) => ({
        id: specifier,
        label: `dependency alone: \`import('${specifier}')\`${atImport ? '' : ' (not loaded at import)'}`,
        specifier,
      })),
    ],
    reps,
  );
}

function bundleFinding(bundle: BundleData): string {
  const { ours, noKy } = bundle;
  const eagerPool = ours.topInputs.find(([input]) => input === 'tinypool')?.[1][1] ?? 0;
  const kyAlone = bundle.alone.find((entry) => entry.name === 'ky')?.gzip ?? Number.NaN;
  const entryParts = ours.topInputs
    .filter(([, [entry]]) => entry > 0)
    .sort((a, b) => b[1][0] - a[1][0])
    .map(
      ([input, [entry]]) =>
        `${input.startsWith('dist/') ? `client code${bundle.sources[input] ?? ''}` : `\`${input}\``} ${fmtBytes(entry)}`,
    );
  return (
    `${ours.entryGzip - BUNDLE_LIMIT} B over. The entry chunk holds (minified, before gzip): ` +
    `${entryParts.join('; ')}. The client code is a class, whose methods all stay (every ` +
    'blocking twin, relation and iterator, used or not); the blocking transport, the pool and ' +
    "the detector are not in it (the package's `browser` condition: `dist/browser.js`). ky, " +
    'zod/mini, gensync and p-limit are most of the rest. ' +
    `ky alone is ${fmtBytes(kyAlone)} minified + ` +
    'gzip and buys nothing on this path (see the throughput finding): with ky swapped for a ' +
    `one-line \`fetch\` shim (what-if row) the entry is ${fmtBytes(noKy.entryGzip)} ` +
    `(${noKy.entryGzip} B)${noKy.entryGzip <= BUNDLE_LIMIT ? ', under the target' : ''}.` +
    (eagerPool > 0
      ? ' Beyond the entry chunk, the page also loads at once a shared chunk with tinypool ' +
        `(${fmtBytes(eagerPool)} minified, with Node-only \`require\`s of worker_threads, os, ` +
        "url…): `dist/index.js` re-exports `makeAsync` statically and the client's lazy " +
        "`import('./make-async.js')` shares that module, so esbuild puts it in a common chunk " +
        'that the entry imports statically. Keeping `makeAsync` out of the main entry (a ' +
        'subpath export) would leave it lazy.'
      : '')
  );
}

async function measure(context: BenchContext) {
  context.log('bench: 4. memory, import time, bundle');
  const memoryReps = context.quick ? 1 : 3;
  const importReps = context.quick ? 3 : 15;
  const memory = await measureMemory(context.zeroUrl, memoryReps);
  const imports = await measureImports(importReps);
  const bundle = await measureBundles();
  return {
    data: { memoryReps, memory, importReps, imports, bundle } satisfies FootprintData,
    targets: [
      {
        name: BUNDLE_TARGET,
        goal: `<= ${BUNDLE_LIMIT / 1000} KB (${BUNDLE_LIMIT.toLocaleString('en-US')} bytes)`,
        measured: `${fmtBytes(bundle.ours.entryGzip)} (${bundle.ours.entryGzip} B); everything it loads statically ${fmtBytes(bundle.ours.staticGzip)}`,
        met: bundle.ours.entryGzip <= BUNDLE_LIMIT,
      },
    ],
    findings: { [BUNDLE_TARGET]: bundleFinding(bundle) },
  };
}

function memoryTable(rows: readonly MemoryRow[]): string {
  const median = (mode: string) => rows.find((row) => row.mode === mode)?.rss.median ?? Number.NaN;
  const above = (mode: string) =>
    median(mode) - median(mode.startsWith('peer') ? 'peer-import' : 'import');
  return table(
    ['process', 'records', 'max RSS', 'min – max', 'above import', 'x peer'],
    rows.map(({ mode, label, records, rss }) => [
      label,
      String(records),
      fmtBytes(rss.median),
      rss.n > 1 ? `${fmtBytes(rss.min)} – ${fmtBytes(rss.max)}` : '–',
      mode.endsWith('import') ? '–' : fmtBytes(above(mode)),
      mode.endsWith('import')
        ? fmtRatio(rss.median / median('peer-import'))
        : fmtRatio(above(mode) / above('peer')),
    ]),
  );
}

function importTable(rows: readonly ImportTiming[]): string {
  const peer = rows.find((row) => row.id === 'peer')?.importMs.median ?? Number.NaN;
  return table(
    ['what', 'import', 'min – max', 'process', 'min – max', 'x peer'],
    rows.map((row) => [
      row.label,
      fmtMs(row.importMs.median),
      range(row.importMs),
      fmtMs(row.wallMs.median),
      range(row.wallMs),
      row.id === 'node' ? '–' : fmtRatio(row.importMs.median / peer),
    ]),
  );
}

function bundleText(bundle: BundleData): string {
  const row = (label: string, f: BundleData['ours']) => [
    label,
    `${fmtBytes(f.entryMin)} / ${fmtBytes(f.entryGzip)}`,
    `${fmtBytes(f.staticMin)} / ${fmtBytes(f.staticGzip)}`,
    `${fmtBytes(f.allMin)} / ${fmtBytes(f.allGzip)} (${f.chunks} files)`,
    fmtRatio(f.entryGzip / bundle.peer.entryGzip),
  ];
  return (
    "esbuild (`bundle`, `minify`, `splitting`, `format: 'esm'`, `platform: 'browser'`, " +
    "`external: ['node:*']` plus the bare built-in names, since tsup strips the `node:` prefix in " +
    "dist/ (`'os'`, `'url'`): Node built-ins stay imports, they are only reached on Node) of " +
    '`new RickMortyClient().getCharactersAsync([1, 10, 100]).then(console.log)` importing ' +
    "`rickmorty-client`, against the peer's `getCharacter([1, 10, 100])`; gzip is node:zlib level 9. " +
    'Sizes are minified / minified + gzip.\n\n' +
    table(
      [
        'bundle',
        'entry chunk',
        'entry + static imports',
        'all chunks (incl. lazy)',
        'entry x peer',
      ],
      [
        row('client', bundle.ours),
        row('what-if: the client with ky swapped for a one-line `fetch` shim', bundle.noKy),
        row('peer (`rickmortyapi`)', bundle.peer),
      ],
    ) +
    "\n\nWhat the client's entry chunk and the chunks it imports statically hold (minified bytes " +
    'before gzip, by package; `dist/…` files are the client itself, inputs under 200 B left out):\n\n' +
    table(
      ['input', 'entry chunk', 'static imports'],
      bundle.ours.topInputs.map(([input, [entry, eager]]) => [
        `\`${input}\`${bundle.sources[input] ?? ''}`,
        entry ? fmtBytes(entry) : '–',
        eager ? fmtBytes(eager) : '–',
      ]),
    ) +
    '\n\nThe dependencies of the async path, each bundled alone the same way (a typical use):\n\n' +
    table(
      ['dependency', 'minified', 'minified + gzip'],
      bundle.alone.map((entry) => [`\`${entry.name}\``, fmtBytes(entry.min), fmtBytes(entry.gzip)]),
    )
  );
}

function render(data: FootprintData) {
  return {
    section:
      '## 4. Footprint\n\n' +
      `### Peak memory fetching everything (max RSS of a fresh process, median of ${data.memoryReps})\n\n` +
      'Each process is plain `node bench/child/memory.mjs <mode>` (no TypeScript loader, run from ' +
      'a consumer app of the package snapshot) against the ' +
      "zero-latency replica; `above import` subtracts the same package's import-only baseline; " +
      '`x peer` compares `above import` with the peer fetching everything (for the baselines: ' +
      "max RSS against the peer's).\n\n" +
      memoryTable(data.memory) +
      `\n\n### Cold import (fresh \`node --input-type=module -e\` processes, median of ${data.importReps})\n\n` +
      '`import` is the time of the `await import(…)` itself; `process` is spawn to exit. The ' +
      "dependencies are the package's, those its root entry imports statically (read from the " +
      'build) first.\n\n' +
      importTable(data.imports) +
      '\n\n### Browser bundle of the async path\n\n' +
      bundleText(data.bundle),
  };
}

export const footprint = defineScenario<FootprintData>({
  id: 'footprint',
  title: '4. Footprint',
  notes: [
    "Browser bundle: `external: ['node:*', ...builtinModules]` keeps Node built-ins out of the " +
      'bundle (dist/ imports them as bare `os`, `url`); the client looks up `node:worker_threads` ' +
      'at run time only on Node.',
    'Peak memory is `VmHWM` from /proc/self/status, read by the child itself: on Linux ' +
      "`process.resourceUsage().maxRSS` (getrusage) of a spawned child starts at the parent's " +
      'high-water mark (it survives fork + exec), so every child of the benchmark reported the ' +
      "benchmark's own peak. Elsewhere the child falls back to maxRSS.",
  ],
  measure,
  render,
});
