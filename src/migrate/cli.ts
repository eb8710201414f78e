import { migrateAll } from './all.js';
import { analyzeProject } from './analyze.js';
import { formatBubble } from './bubble.js';
import { migrate } from './migrate.js';
import type { CommandIo, MigrateAllResult, MigrateOptions, MigrationResult } from './types.js';

const USAGE = `Usage: rickmorty migrate [options]

Without a scope, prints the async bubble: every call of a blocking twin and the code above it
that would have to become async. With a scope, rewrites that part and prints the diff; with
--all, the whole bubble, bottom-up, one step per function that makes blocking calls.

Every step keeps what the program does (same output, order and exit code), or is refused with
its reason and writes nothing. Exported functions keep their blocking version beside the new
async one unless --in-place.

Options:
  -p, --project <tsconfig>   the project's tsconfig (default: tsconfig.json)
  -f, --function <name>      bottom function of the step: a name, Class.method, or file:line
      --file <path>          every blocking call in this file
      --up-to <name>         stop bubbling at this function (name or file:line)
      --all                  migrate the whole bubble, bottom-up, with a summary per file
      --write                write the change (default: a dry run that prints the diff)
      --in-place             change functions in place instead of keeping blocking twins: for
                             exported functions too (the summary lists their new signatures);
                             a step with callers outside it is refused
      --json                 print the report or result as JSON
  -h, --help                 show this help

Exit codes: 0 done (or nothing to do), 1 a step refused or failed, 2 bad usage.
`;

interface Parsed {
  project?: string;
  function?: string;
  file?: string;
  upTo?: string;
  all: boolean;
  write: boolean;
  json: boolean;
  inPlace: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): Parsed {
  const parsed: Parsed = { all: false, write: false, json: false, inPlace: false, help: false };
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
      case '--all':
        parsed.all = true;
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
  if (parsed.all && (parsed.function !== undefined || parsed.file !== undefined)) {
    throw new UsageError('--all migrates the whole bubble: leave out --function and --file');
  }
  if (parsed.all && parsed.upTo !== undefined)
    throw new UsageError('--up-to needs --function or --file');
  if (parsed.function === undefined && parsed.file === undefined && !parsed.all) {
    if (parsed.write) throw new UsageError('--write needs a scope: --function, --file or --all');
    if (parsed.upTo !== undefined) throw new UsageError('--up-to needs --function or --file');
  }
  return parsed;
}

type Section = (title: string, items: readonly string[]) => void;

function formsLines(forms: MigrationResult['forms']): string[] {
  return forms.map(
    (form) =>
      `${form.file}:${form.line}:${form.column}  ${form.concurrent ? 'await Promise.all (concurrent)' : 'mapInOrder (one call after another)'}: ${form.reason}`,
  );
}

function changedExportLines(changes: MigrationResult['exportsChanged']): string[] {
  return changes.map(
    (c) => `${c.name} (${c.file}:${c.line}): returns ${c.after} instead of ${c.before}`,
  );
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
  const section: Section = (title, items) => {
    if (items.length > 0) lines.push(title, ...items.map((item) => `  ${item}`));
  };
  section(
    'Converted:',
    result.converted.map((unit) => {
      const how =
        unit.mode === 'twin'
          ? `async twin ${unit.twinName ?? ''} added beside it (${unit.reason ?? 'blocking version kept'})`
          : unit.asyncKeyword
            ? 'now async'
            : 'now returns the promise of the async twin';
      return `${unit.name} (${unit.file}:${unit.line}): ${how}`;
    }),
  );
  section(
    'Rewritten calls:',
    result.rewrites.map((r) => `${r.file}:${r.line}:${r.column}  ${r.before}  ->  ${r.after}`),
  );
  section('Map callbacks:', formsLines(result.forms));
  section(
    'Exports that changed signature (update their callers outside the project):',
    changedExportLines(result.exportsChanged),
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
  } else if (result.nothingToDo) {
    if (!result.notes.some((note) => note.startsWith('Nothing to do')))
      lines.push('Nothing to do.');
  } else if (result.written) {
    lines.push(`Wrote ${result.files.length} ${result.files.length === 1 ? 'file' : 'files'}.`);
  } else if (result.files.length > 0) {
    lines.push('Dry run: nothing was written; run again with --write to apply.');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The summary of `migrateAll`, one block per file (changed, twin kept, refused and why), then the
 * totals, as jscodeshift reports a run.
 *
 * @example
 * ```ts
 * process.stderr.write(formatMigrationAll(await migrateAll({ cwd: 'app' })));
 * ```
 */
export function formatMigrationAll(result: MigrateAllResult): string {
  const lines: string[] = [];
  const counts = { changed: 0, refused: 0, unchanged: 0 };
  for (const file of result.files) {
    counts[file.status]++;
    if (file.status === 'unchanged' && file.attention.length === 0) continue;
    lines.push(`${file.file}: ${file.status}`);
    for (const name of file.changed) lines.push(`  changed: ${name} is now async`);
    for (const twin of file.twins) lines.push(`  twin kept: ${twin}`);
    for (const reason of file.refused) lines.push(`  refused: ${reason}`);
    for (const item of file.attention) lines.push(`  stays blocking: ${item}`);
  }
  const forms = formsLines(result.forms);
  if (forms.length > 0) lines.push('Map callbacks:', ...forms.map((line) => `  ${line}`));
  const exports = changedExportLines(result.exportsChanged);
  if (exports.length > 0) {
    lines.push(
      'Exports that changed signature (update their callers outside the project):',
      ...exports.map((line) => `  ${line}`),
    );
  }
  const count = (status: string): number =>
    result.steps.filter((step) => step.status === status).length;
  lines.push(
    `Results: steps ${count('migrated')} migrated, ${count('refused')} refused, ${count('blocking')} left blocking; ` +
      `files ${counts.changed} changed, ${counts.refused} refused, ${counts.unchanged} unchanged.`,
  );
  if (result.nothingToDo)
    lines.push('Nothing to do: no blocking call is left that can be migrated.');
  else if (result.written)
    lines.push(
      `Wrote ${result.changedFiles.length} ${result.changedFiles.length === 1 ? 'file' : 'files'}.`,
    );
  else if (result.changedFiles.length > 0)
    lines.push('Dry run: nothing was written; run again with --write to apply.');
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
    if (parsed.all) {
      const result = await migrateAll({
        cwd: io.cwd,
        write: parsed.write,
        keepBlockingTwins: !parsed.inPlace,
        ...(parsed.project !== undefined && { tsconfig: parsed.project }),
      });
      if (parsed.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.stdout.write(result.diff);
        io.stderr.write(formatMigrationAll(result));
      }
      return result.ok ? 0 : 1;
    }
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
