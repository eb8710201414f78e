/**
 * The benchmark suite's runner: `npm run bench` (node --import tsx bench/run.ts).
 *
 * Builds the package (`--no-build` skips it), installs a snapshot of it as a user's app would see
 * it (bench/lib/dist.ts), starts the API replica in a child process (bench/replica-process.ts: one
 * server with L = 100 ms of latency, one with none), runs the chosen scenarios
 * (bench/scenarios/index.ts) one after another, and hands their results to the report writer
 * (bench/report.ts). The report goes to stdout, followed by a plain list of the targets met and
 * not met; a full run also writes it to docs/benchmarks.md.
 *
 *   npm run bench                          the whole suite; rewrites docs/benchmarks.md
 *   npm run bench -- --only cold-start     one scenario (or several: --only trio,many)
 *   npm run bench -- --quick --no-doc      fewer repetitions, stdout only
 *   npm run bench -- --list                the scenario ids
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchOptions, parseArgs, USAGE } from './lib/args.js';
import { entryUrl, installSnapshot, ROOT } from './lib/dist.js';
import { startReplicaProcess } from './lib/replica.js';
import type { BenchContext, Lib, Outcome, Scenario } from './lib/scenario.js';
import { type RunInfo, targetSummary, writeReport } from './report.js';
import { SCENARIOS } from './scenarios/index.js';

const L = 100; // ms of server latency: the physical limit of one round trip
const RUN_DEADLINE_MS = 20 * 60_000;
const DOC = path.join(ROOT, 'docs/benchmarks.md');

const log = (line: string) => process.stderr.write(`${line}\n`);

function build(options: BenchOptions): string {
  if (!options.build) return 'skipped (`--no-build`): measured the dist/ already there';
  log('bench: npm run build');
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status === 0) {
    return '`npm run build` just before the run, then installed as a temporary snapshot that the run measures';
  }
  log(result.stdout?.slice(-2000) ?? '');
  log(result.stderr?.slice(-2000) ?? '');
  throw new Error('npm run build failed; rerun with --no-build to measure the existing dist/');
}

/** Runs one scenario; a failure is reported in the doc instead of losing the whole run. */
async function runScenario(scenario: Scenario, context: BenchContext): Promise<Outcome> {
  try {
    return { scenario, result: await scenario.measure(context) };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`bench: ${scenario.title} failed: ${message}`);
    return { scenario, error: message };
  }
}

async function runScenarios(options: BenchOptions, chosen: readonly Scenario[]) {
  const snapshot = installSnapshot();
  try {
    const replica = await startReplicaProcess([L, 0]);
    try {
      const context: BenchContext = {
        lib: (await import(entryUrl('.'))) as Lib,
        replica,
        latency: L,
        latencyUrl: replica.urls[L]!,
        zeroUrl: replica.urls[0]!,
        quick: options.quick,
        log,
      };
      const outcomes: Outcome[] = [];
      for (const scenario of chosen) outcomes.push(await runScenario(scenario, context));
      return outcomes;
    } finally {
      await replica.close();
    }
  } finally {
    snapshot.remove();
  }
}

const loadavg = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

function machine(command: string, loadAtStart: string): [string, string][] {
  const cpus = os.cpus();
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git(['status', '--porcelain', '--', 'src'])
    ? ' (src/ has uncommitted changes)'
    : '';
  return [
    [
      'CPU',
      `${cpus[0]?.model ?? 'unknown'} (${cpus.length} cores, availableParallelism ${os.availableParallelism()})`,
    ],
    ['memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
    ['Node.js', process.version],
    ['date', new Date().toISOString()],
    ['command', `\`${command}\``],
    ['commit', `${git(['rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty}`],
    ['load average at start', loadAtStart],
    ['load average at end', loadavg()],
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseArgs(
    argv,
    SCENARIOS.map((scenario) => scenario.id),
  );
  if (options.help || options.list) {
    console.log(
      options.help ? USAGE : SCENARIOS.map((s) => `${s.id.padEnd(16)} ${s.title}`).join('\n'),
    );
    return;
  }
  const chosen = SCENARIOS.filter((scenario) => options.only?.includes(scenario.id) ?? true);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const started = performance.now();
  const loadAtStart = loadavg();
  const warnings = new Map<string, number>();
  process.on('warning', (warning) => {
    const key = `${warning.name}: ${warning.message}`;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  });
  const deadline = setTimeout(() => {
    log(`bench: gave up after ${RUN_DEADLINE_MS / 60_000} minutes`);
    process.exit(1);
  }, RUN_DEADLINE_MS);
  deadline.unref();

  const buildNote = build(options);
  const outcomes = await runScenarios(options, chosen);
  const run: RunInfo = {
    command,
    elapsedMs: performance.now() - started,
    buildNote,
    latency: L,
    machine: machine(command, loadAtStart),
    warnings: [...warnings],
    only: options.only,
  };
  const text = writeReport(run, outcomes);
  console.log(text);
  console.log(targetSummary(outcomes));
  if (outcomes.some((outcome) => 'error' in outcome)) process.exitCode = 1;
  if (options.writeDoc) {
    writeFileSync(DOC, text);
    log(`bench: wrote ${path.relative(ROOT, DOC)}`);
  }
}

try {
  await main();
} catch (error) {
  log(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
