/**
 * The command line of `npm run bench`. Unknown flags and scenario ids are errors, not ignored.
 */

export interface BenchOptions {
  /** Fewer repetitions; stdout only. */
  readonly quick: boolean;
  /** Run `npm run build` first (`--no-build`: measure the dist/ already there). */
  readonly build: boolean;
  /** Rewrite docs/benchmarks.md: only for a full run (not `--quick`, `--no-doc` or `--only`). */
  readonly writeDoc: boolean;
  /** The scenarios to run, by id, in the suite's order; undefined: all. */
  readonly only: readonly string[] | undefined;
  /** Print the scenario ids and exit. */
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --only <id>[,<id>…]  run only these scenarios (also --only=<id>); the doc is not rewritten
  --list               list the scenarios and exit
  --quick              fewer repetitions; stdout only
  --no-build           measure the dist/ already there instead of running npm run build
  --no-doc             do not rewrite docs/benchmarks.md
  --help               this text`;

export function parseArgs(argv: readonly string[], scenarioIds: readonly string[]): BenchOptions {
  const flags = new Set<string>();
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value || value.startsWith('--')) {
        throw new Error(`--only needs scenario ids (one of: ${scenarioIds.join(', ')})`);
      }
      only.push(...value.split(',').filter(Boolean));
    } else if (['--quick', '--no-build', '--no-doc', '--list', '--help'].includes(arg)) {
      flags.add(arg);
    } else {
      throw new Error(`Unknown option ${JSON.stringify(arg)}\n\n${USAGE}`);
    }
  }
  const unknown = only.filter((id) => !scenarioIds.includes(id));
  if (unknown.length) {
    throw new Error(
      `Unknown scenario ${unknown.map((id) => JSON.stringify(id)).join(', ')}: the scenarios are ${scenarioIds.join(', ')}`,
    );
  }
  const chosen = only.length ? scenarioIds.filter((id) => only.includes(id)) : undefined;
  return {
    quick: flags.has('--quick'),
    build: !flags.has('--no-build'),
    writeDoc: !flags.has('--quick') && !flags.has('--no-doc') && chosen === undefined,
    only: chosen,
    list: flags.has('--list'),
    help: flags.has('--help'),
  };
}
