/**
 * The migration assistant at scale (issue 15, item 10): a generated project of 200 files and
 * 2,000 functions, 20 of which make a blocking call, is analysed (`rickmorty migrate`, the bubble
 * report) and then migrated whole (`rickmorty migrate --all --write`).
 *
 *   node --import tsx bench/migrate-scale.ts [--keep]
 *
 * Targets on the 2-core development machine: the report in at most 4 s, `--all` in at most 30 s.
 * `measureMigrateScale()` returns the figures for the benchmark suite.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The shape of the generated project. */
export interface ScaleShape {
  readonly files: number;
  readonly functionsPerFile: number;
  readonly blockingBottoms: number;
}

/** What `measureMigrateScale` measured. */
export interface MigrateScaleFigures {
  readonly shape: ScaleShape;
  /** Functions the report says would become async. */
  readonly bubbleFunctions: number;
  readonly blockingCalls: number;
  /** Wall time of `analyzeProject` + `formatBubble`, as `rickmorty migrate` runs them, in ms. */
  readonly reportMs: number;
  /**
   * CPU time of this process over the same span (user + system), in ms: close to the wall time on
   * a quiet machine, and less swayed by other work on a busy one.
   */
  readonly reportCpuMs: number;
  /** Wall time of `rickmorty migrate --all --write`, in ms. */
  readonly allMs: number;
  readonly allCpuMs: number;
  /** The exit code of `--all` (0: every step written). */
  readonly allExitCode: number;
  /** Files `--all` changed. */
  readonly changedFiles: number;
  /** The generated program printed the same before and after `--all` (run, not timed). */
  readonly sameOutput: boolean;
  /** The load average when the measurement started (1, 5, 15 minutes). */
  readonly loadAverage: readonly number[];
  readonly cpus: number;
}

export const DEFAULT_SHAPE: ScaleShape = { files: 200, functionsPerFile: 10, blockingBottoms: 20 };

/** A small deterministic PRNG (mulberry32), so that every run measures the same project. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fileName = (file: number): string => `m${String(file).padStart(3, '0')}`;
const functionName = (file: number, index: number): string => `${fileName(file)}f${index}`;

/**
 * Writes the project under `dir`: `dir/src` and `dir/node_modules` link to this repository's, so
 * that `app/*.ts` import the client as the test fixtures do (`../src/index.js`), and `app/` has a
 * tsconfig of its own. Bottoms are spread over the lower files; every other function calls one to
 * three functions of the files below it, so that most of the project lies in the bubble.
 */
export function generateScaleProject(dir: string, shape: ScaleShape = DEFAULT_SHAPE): string {
  const app = path.join(dir, 'app');
  mkdirSync(app, { recursive: true });
  symlinkSync(path.join(ROOT, 'src'), path.join(dir, 'src'), 'dir');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'rickmorty-client', private: true, type: 'module' }),
  );
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'scale-app', private: true, type: 'module' }),
  );
  writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        noEmit: true,
      },
      include: ['*.ts'],
    }),
  );
  writeFileSync(
    path.join(app, 'client.ts'),
    [
      "import { RickMortyClient } from '../src/index.js';",
      "import { createMockTransport } from '../src/testing/index.js';",
      '',
      'export const client = new RickMortyClient({ transport: createMockTransport() });',
      '',
    ].join('\n'),
  );
  const next = random(15);
  const bottomFiles = Math.max(1, Math.ceil(shape.blockingBottoms / 2));
  let bottomsLeft = shape.blockingBottoms;
  for (let file = 0; file < shape.files; file++) {
    const imports = new Map<number, Set<string>>();
    const bodies: string[] = [];
    for (let index = 0; index < shape.functionsPerFile; index++) {
      const name = functionName(file, index);
      let body: string[];
      const bottom = file < bottomFiles && index < 2 && bottomsLeft > 0;
      if (bottom) {
        bottomsLeft--;
        imports.set(-1, new Set(['client']));
        body = [`  return client.getCharacter((id % 826) + 1).name.slice(0, 8);`];
      } else if (file < bottomFiles || next() < 0.08) {
        body = [`  return String(id * ${index + 3});`];
      } else {
        const count = 1 + Math.floor(next() * 3);
        const parts: string[] = [];
        for (let call = 0; call < count; call++) {
          const lowest = Math.max(0, file - 25);
          const target = lowest + Math.floor(next() * (file - lowest));
          const targetIndex = Math.floor(next() * shape.functionsPerFile);
          const callee = functionName(target, targetIndex);
          const set = imports.get(target) ?? new Set<string>();
          set.add(callee);
          imports.set(target, set);
          parts.push(`${callee}(id + ${call})`);
        }
        body = [`  const parts = [${parts.join(', ')}];`, `  return parts.join('-').slice(0, 24);`];
      }
      bodies.push(`export function ${name}(id: number): string {`, ...body, '}', '');
    }
    const head = [...imports.entries()]
      .sort(([a], [b]) => a - b)
      .map(([target, names]) =>
        target < 0
          ? "import { client } from './client.js';"
          : `import { ${[...names].sort().join(', ')} } from './${fileName(target)}.js';`,
      );
    writeFileSync(path.join(app, `${fileName(file)}.ts`), [...head, '', ...bodies].join('\n'));
  }
  const last = shape.files - 1;
  const tops = Array.from({ length: shape.functionsPerFile }, (_, index) =>
    functionName(last, index),
  );
  writeFileSync(
    path.join(app, 'main.ts'),
    [
      `import { ${tops.join(', ')} } from './${fileName(last)}.js';`,
      '',
      'function main(): void {',
      ...tops.map((top, index) => `  console.log(${top}(${index}));`),
      '}',
      '',
      'main();',
      '',
    ].join('\n'),
  );
  return app;
}

/** Runs the generated program (`node --import tsx main.ts`) and returns what it printed. */
function runProgram(app: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** Generates the project in a temporary directory, then times the report and `--all`. */
export async function measureMigrateScale(
  options: { shape?: ScaleShape; keep?: boolean } = {},
): Promise<MigrateScaleFigures> {
  const shape = options.shape ?? DEFAULT_SHAPE;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rickmorty-migrate-scale-'));
  try {
    const app = generateScaleProject(dir, shape);
    const outputBefore = runProgram(app);
    const loadAverage = os.loadavg();
    const migrateModule = pathToFileURL(path.join(ROOT, 'src/migrate/index.ts')).href;
    const { analyzeProject, formatBubble, runMigrateCommand } = (await import(
      migrateModule
    )) as typeof import('../src/migrate/index.js');
    const cpu = (since: NodeJS.CpuUsage): number => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    let started = performance.now();
    let cpuStarted = process.cpuUsage();
    const report = await analyzeProject({ cwd: app });
    formatBubble(report);
    const reportMs = performance.now() - started;
    const reportCpuMs = cpu(cpuStarted);

    const sink = { write: (_text: string) => true };
    const before = readFileSync(path.join(app, 'main.ts'), 'utf8');
    started = performance.now();
    cpuStarted = process.cpuUsage();
    const allExitCode = await runMigrateCommand(['--all', '--write'], {
      stdout: sink,
      stderr: sink,
      cwd: app,
    });
    const allMs = performance.now() - started;
    const allCpuMs = cpu(cpuStarted);
    let changedFiles = 0;
    if (readFileSync(path.join(app, 'main.ts'), 'utf8') !== before) changedFiles++;
    for (let file = 0; file < shape.files; file++) {
      const text = readFileSync(path.join(app, `${fileName(file)}.ts`), 'utf8');
      if (text.includes('Async(')) changedFiles++;
    }
    const sameOutput = runProgram(app) === outputBefore;
    return {
      shape,
      bubbleFunctions: report.functions.length,
      blockingCalls: report.calls.length,
      reportMs,
      reportCpuMs,
      allMs,
      allCpuMs,
      allExitCode,
      changedFiles,
      sameOutput,
      loadAverage,
      cpus: os.cpus().length,
    };
  } finally {
    if (options.keep === true) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The figures as a few lines of text. */
export function describeMigrateScale(figures: MigrateScaleFigures): string {
  const { shape } = figures;
  return [
    `migrate at scale: ${shape.files} files, ${shape.files * shape.functionsPerFile} functions, ${shape.blockingBottoms} blocking bottoms`,
    `  bubble: ${figures.blockingCalls} blocking calls, ${figures.bubbleFunctions} functions would become async`,
    `  report (analyzeProject + formatBubble): ${seconds(figures.reportMs)} wall, ${seconds(figures.reportCpuMs)} CPU (target <= 4 s)`,
    `  --all --write: ${seconds(figures.allMs)} wall, ${seconds(figures.allCpuMs)} CPU, exit ${figures.allExitCode}, ${figures.changedFiles} files changed (target <= 30 s)`,
    `  the program prints ${figures.sameOutput ? 'the same' : 'SOMETHING ELSE'} after --all`,
    `  load average ${figures.loadAverage.map((load) => load.toFixed(2)).join(' ')} on ${figures.cpus} cores`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await measureMigrateScale({ keep: process.argv.includes('--keep') });
  process.stdout.write(`${describeMigrateScale(figures)}\n`);
}
