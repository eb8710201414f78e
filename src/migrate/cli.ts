import { analyzeProject } from './analyze.js';
import { formatBubble } from './bubble.js';
import { migrate } from './migrate.js';
import type { CommandIo, MigrateOptions, MigrationResult } from './types.js';

const USAGE = `Usage: rickmorty migrate [options]

Without a scope, prints the async bubble: every call of a blocking twin and the code above it
that would have to become async. With a scope, rewrites that part and prints the diff.

Options:
  -p, --project <tsconfig>   the project's tsconfig (default: tsconfig.json)
  -f, --function <name>      bottom function of the step: a name, Class.method, or file:line
      --file <path>          every blocking call in this file
      --up-to <name>         stop bubbling at this function (name or file:line)
      --write                write the change (default: a dry run that prints the diff)
      --in-place             change functions in place instead of keeping blocking twins for
                             callers outside the step (such a step is refused)
      --json                 print the report or result as JSON
  -h, --help                 show this help
`;

interface Parsed {
  project?: string;
  function?: string;
  file?: string;
  upTo?: string;
  write: boolean;
  json: boolean;
  inPlace: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): Parsed {
  const parsed: Parsed = { write: false, json: false, inPlace: false, help: false };
  const args = argv[0] === 'migrate' ? argv.slice(1) : [...argv];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = args[++index];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-p':
      case '--project':
        parsed.project = value();
        break;
      case '-f':
      case '--function':
        parsed.function = value();
        break;
      case '--file':
        parsed.file = value();
        break;
      case '--up-to':
        parsed.upTo = value();
        break;
      case '--write':
        parsed.write = true;
        break;
      case '--json':
        parsed.json = true;
        break;
      case '--in-place':
        parsed.inPlace = true;
        break;
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      default:
        throw new UsageError(`Unknown option ${arg}`);
    }
  }
  if (parsed.function === undefined && parsed.file === undefined) {
    if (parsed.write) throw new UsageError('--write needs a scope: --function or --file');
    if (parsed.upTo !== undefined) throw new UsageError('--up-to needs --function or --file');
  }
  return parsed;
}

/**
 * The human summary of a step: what became async, what stays blocking, and why a step was refused.
 *
 * @example
 * ```ts
 * process.stderr.write(formatMigration(await migrate({ scope: { function: 'main' } })));
 * ```
 */
export function formatMigration(result: MigrationResult): string {
  const lines: string[] = [];
  for (const unit of result.converted) {
    const how =
      unit.mode === 'twin'
        ? `async twin ${unit.twinName} added beside it`
        : unit.asyncKeyword
          ? 'now async'
          : 'now returns the promise of the async twin';
    lines.push(`  ${unit.name} (${unit.file}:${unit.line}): ${how}`);
  }
  if (lines.length > 0) lines.unshift('Converted:');
  const section = (title: string, items: readonly string[]): void => {
    if (items.length > 0) lines.push(title, ...items.map((item) => `  ${item}`));
  };
  section(
    'Rewritten calls:',
    result.rewrites.map((r) => `${r.file}:${r.line}:${r.column}  ${r.before}  ->  ${r.after}`),
  );
  section(
    'Strands left blocking:',
    result.strands.filter((strand) => strand.kept).map((strand) => strand.message),
  );
  section(
    'Callers the step would break:',
    result.strands.filter((strand) => !strand.kept).map((strand) => strand.message),
  );
  section(
    'Needs attention:',
    result.attention.map((item) => `${item.file}:${item.line}:${item.column}  ${item.message}`),
  );
  section('Notes:', result.notes);
  if (!result.ok) {
    lines.push('Refused: nothing was written.', ...result.refusal.map((reason) => `  ${reason}`));
  } else if (result.written) {
    lines.push(`Wrote ${result.files.length} ${result.files.length === 1 ? 'file' : 'files'}.`);
  } else if (result.files.length > 0) {
    lines.push('Dry run: nothing was written; run again with --write to apply.');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The body of `rickmorty migrate`: parses the arguments, runs the analysis or one step, prints,
 * and returns the exit code (0 done, 1 refused or failed, 2 bad usage).
 *
 * @example
 * ```ts
 * const code = await runMigrateCommand(process.argv.slice(3), {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   cwd: process.cwd(),
 * });
 * process.exitCode = code;
 * ```
 *
 * Note: the diff goes to stdout and the summary to stderr, so that `rickmorty migrate -f main >
 * step.diff` leaves a patch that `git apply` takes.
 */
export async function runMigrateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`rickmorty migrate: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (parsed.function === undefined && parsed.file === undefined) {
      const report = await analyzeProject({
        cwd: io.cwd,
        ...(parsed.project !== undefined && { tsconfig: parsed.project }),
      });
      io.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatBubble(report));
      return 0;
    }
    const options: MigrateOptions = {
      cwd: io.cwd,
      scope: {
        ...(parsed.function !== undefined && { function: parsed.function }),
        ...(parsed.file !== undefined && { file: parsed.file }),
        ...(parsed.upTo !== undefined && { upTo: parsed.upTo }),
      },
      write: parsed.write,
      keepBlockingTwins: !parsed.inPlace,
      ...(parsed.project !== undefined && { tsconfig: parsed.project }),
    };
    const result = await migrate(options);
    if (parsed.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout.write(result.diff);
      io.stderr.write(formatMigration(result));
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    io.stderr.write(
      `rickmorty migrate: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}
