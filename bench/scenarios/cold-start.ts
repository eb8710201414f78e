/**
 * 5. Cold start (issue 13): whole processes, from spawn to the first validated record, side by
 * side with a process that does one raw `fetch` against the same replica (another process). The
 * processes are bench/child/cold-start.mjs in its modes, run from a consumer app of the package
 * snapshot, round-robin. Then what importing costs module by module, and one run of each under
 * `node --cpu-prof` to say what the time goes to (bench/lib/startup-profile.ts).
 *
 *   npm run bench -- --only cold-start [--quick] [--no-build]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ChildResult, runChild } from '../lib/child.js';
import { appDir, childScript } from '../lib/dist.js';
import { type ImportTiming, packageModules, timeImports } from '../lib/imports.js';
import { type Summary, summarize } from '../lib/measure.js';
import { type BenchContext, defineScenario } from '../lib/scenario.js';
import { analyseProcess, type ThreadFigures } from '../lib/startup-profile.js';
import type { CpuProfile } from '../profile.js';
import { coldFindings, coldTargets, renderColdStart } from './cold-start-report.js';

/** The processes, in the order they run in each round (rotated by one every round). */
export const MODES = [
  { id: 'empty', label: 'empty Node process (the script, importing nothing)' },
  { id: 'import', label: "`await import('rickmorty-client')` alone" },
  { id: 'fetch', label: 'raw `fetch` of `/character/1` + `JSON.parse` + check (the baseline)' },
  { id: 'async', label: '`new RickMortyClient().getCharacterAsync(1)`' },
  { id: 'blocking', label: '`new RickMortyClient().getCharacter(1)` (blocking twin)' },
  {
    id: 'make-async',
    label:
      '`makeAsync(createBlockingTransport())` as the transport, `getCharacterAsync` of 1, 10, 100 at once',
  },
] as const;

export type ModeId = (typeof MODES)[number]['id'];

/** The processes profiled to say where the time goes (each once). */
export const PROFILED: readonly ModeId[] = [
  'empty',
  'fetch',
  'import',
  'async',
  'blocking',
  'make-async',
];

/** One mode's figures over the timed rounds (ms from just before spawn; bytes). */
export interface ColdWay {
  readonly id: ModeId;
  readonly label: string;
  /** To the `first` line: the first validated record (for `empty`/`import`: ready). */
  readonly first: Summary;
  /** To the child's report: every record it asked for (differs from `first` for make-async). */
  readonly done: Summary;
  /** To the child's exit, on its own after closing what it opened. */
  readonly exit: Summary;
  /** Peak resident set size (VmHWM) when done. */
  readonly peak: Summary;
  readonly error?: string;
}

export interface ColdProfile {
  readonly mode: ModeId;
  /** ms to the first record in the profiled run (profiling slows everything down). */
  readonly firstMs: number;
  readonly threads: readonly ThreadFigures[];
  readonly error?: string;
}

export interface ColdData {
  readonly reps: number;
  readonly ways: readonly ColdWay[];
  readonly ladderReps: number;
  /** `import(…)` of the package and of each dependency alone, in fresh processes. */
  readonly ladder: readonly (ImportTiming & { readonly loaded: string })[];
  readonly profiles: readonly ColdProfile[];
}

interface Run {
  readonly firstMs: number;
  readonly doneMs: number;
  readonly exitMs: number;
  readonly peakBytes: number;
}

/** Reads one child's figures, or says what went wrong. */
function readRun(mode: string, child: ChildResult): Run {
  if (child.code !== 0) {
    throw new Error(
      `${mode} child exited with ${child.code ?? 'a kill (hang guard)'}: ${child.stderr.trim().slice(-400)}`,
    );
  }
  const first = child.lines.find((line) => line.text === 'first');
  const report = child.lines.find((line) => line.text.startsWith('{'));
  if (!first || !report)
    throw new Error(`${mode} child did not report: ${child.stdout.slice(-200)}`);
  const { peakKiB } = JSON.parse(report.text) as { peakKiB: number };
  return {
    firstMs: first.atMs,
    doneMs: report.atMs,
    exitMs: child.wallMs,
    peakBytes: peakKiB * 1024,
  };
}

function runMode(mode: ModeId, apiUrl: string, execArgv: readonly string[] = []) {
  return runChild([...execArgv, childScript('cold-start.mjs'), mode, apiUrl], 90_000, {
    cwd: appDir(),
  });
}

/** One untimed round, then `reps` rounds of every mode, the order rotated each round. */
async function measureWays(context: BenchContext, reps: number): Promise<ColdWay[]> {
  const runs = new Map<ModeId, Run[]>(MODES.map((mode) => [mode.id, []]));
  const errors = new Map<ModeId, string>();
  for (let round = -1; round < reps; round++) {
    const order = MODES.map((_, i) => MODES[(i + Math.max(round, 0)) % MODES.length]!);
    for (const { id } of order) {
      if (errors.has(id)) continue;
      try {
        const run = readRun(id, await runMode(id, context.zeroUrl));
        if (round >= 0) runs.get(id)!.push(run);
      } catch (error) {
        errors.set(id, error instanceof Error ? error.message : String(error));
        context.log(`  ! cold start ${id}: ${errors.get(id)}`);
      }
    }
    if (round >= 0) context.log(`  round ${round + 1}/${reps} done`);
  }
  return MODES.map(({ id, label }) => {
    const of = (field: keyof Run) => summarize(runs.get(id)!.map((run) => run[field]));
    const error = errors.get(id);
    return {
      id,
      label,
      first: of('firstMs'),
      done: of('doneMs'),
      exit: of('exitMs'),
      peak: of('peakBytes'),
      ...(error === undefined ? {} : { error }),
    };
  });
}

/** The package's import and each dependency alone: those its root entry loads, then the rest. */
async function measureLadder(reps: number): Promise<ColdData['ladder']> {
  const modules = await packageModules();
  const loaded = new Map(
    modules.map(({ specifier, atImport }) => [
      specifier,
      atImport ? 'at import' : 'not at import (on first use, if ever)',
    ]),
  );
  const timings = await timeImports(
    [
      { id: 'node', label: 'nothing (an empty process)', specifier: undefined },
      { id: 'rickmorty-client', label: '`rickmorty-client`', specifier: 'rickmorty-client' },
      ...modules.map(({ specifier }) => ({
        id: specifier,
        label: `\`${specifier}\``,
        specifier,
      })),
    ],
    reps,
  );
  return timings.map((timing) => ({
    ...timing,
    loaded: loaded.get(timing.id) ?? (timing.id === 'node' ? '–' : 'the package itself'),
  }));
}

/** One run of `mode` under `node --cpu-prof`, every thread's profile analysed. */
async function profileMode(mode: ModeId, apiUrl: string): Promise<ColdProfile> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `rickmorty-cold-${mode}-`));
  try {
    const child = await runMode(mode, apiUrl, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval=100',
    ]);
    const run = readRun(mode, child);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => ({
        name,
        profile: JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as CpuProfile,
      }));
    return { mode, firstMs: run.firstMs, threads: analyseProcess(files) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { mode, firstMs: Number.NaN, threads: [], error: message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(context: BenchContext) {
  context.log('bench: 5. cold start');
  const reps = context.quick ? 3 : 11;
  const ladderReps = context.quick ? 2 : 7;
  const ways = await measureWays(context, reps);
  context.log('bench: 5b. cold start: imports module by module');
  const ladder = await measureLadder(ladderReps);
  context.log('bench: 5c. cold start: profiles');
  const profiles: ColdProfile[] = [];
  for (const mode of PROFILED) profiles.push(await profileMode(mode, context.zeroUrl));
  const data: ColdData = { reps, ways, ladderReps, ladder, profiles };
  return { data, targets: coldTargets(data), findings: coldFindings(data) };
}

export const coldStart = defineScenario<ColdData>({
  id: 'cold-start',
  title: '5. Cold start',
  notes: [
    'Cold start: each process is plain `node cold-start.mjs <mode>` (bench/child/, no TypeScript ' +
      'loader) run from a consumer app whose `node_modules/rickmorty-client` links to the package ' +
      "snapshot, so `import('rickmorty-client')` resolves through `exports` as in a user's app. " +
      'The first record is timed in the parent, from just before `spawn` to the arrival of the ' +
      "child's `first` line.",
    // What the time went to before issue 13's changes (profiled with this scenario and
    // `--cpu-prof`), and what was done about it; the tables of section 5 show what is left.
    "Cold start, what the time went to and what was done (issue 13). The import: Node 20's ES " +
      'module loader resolves, reads (asynchronously) and compiles every file, and the package ' +
      'pulled in about 60: its own 12 and ky, zod/mini, p-limit and gensync (zod/mini alone about ' +
      '90 ms, ky about 45 ms, which also makes Node load its `fetch` implementation by touching ' +
      '`Request` as it loads). Those four are now built into the package (tsup.config.ts, ' +
      '`BUILT_IN`), and ky is loaded on the first request that uses it. The blocking twin: the ' +
      "worker thread's own start (a V8 isolate and the Node internals it compiles) and `fetch` " +
      'in it, while the caller is parked; its file is now CommonJS (no ES module loader in the ' +
      'thread, about 15 ms) and loads no client, schema or ky. makeAsync: three piscina threads ' +
      'each started a blocking worker of its own (7 threads, each loading `fetch`); a transport ' +
      'now runs on one thread that carries every request at once. What is left is mostly what ' +
      "the raw `fetch` process does too (`fetch` itself), the import, a thread's start for the " +
      'blocking twin and makeAsync (a bare `new Worker` takes about 25 ms to its first message ' +
      'on this machine, the floor of what the blocking twin adds), and zod building and ' +
      'checking the record.',
  ],
  measure,
  render: renderColdStart,
});
