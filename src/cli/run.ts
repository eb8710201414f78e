/**
 * The `rickmorty` command, as a function of its arguments and streams, so that tests run it
 * in-process. `src/cli/index.ts` calls it with the process's own.
 */
import { existsSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { RickMortyClient } from '../client.js';
import { isNotFoundError } from '../errors/guards.js';
import { DEFAULT_BASE_URL } from '../internal/constants.js';
import { CliError, EXIT, reportError, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import {
  type Interruption,
  isClosed,
  listenForInterrupt,
  type OutputWatch,
  watchOutput,
} from './output.js';
import {
  commandsOf,
  filtersOf,
  numberOrText,
  RESOURCE_NAMES,
  RESOURCE_OF_COMMAND,
  type ResourceName,
  showById,
  showList,
} from './resources.js';
import { COMMAND_USAGE, MAIN_USAGE } from './usage.js';
import { packageVersion } from './version.js';

export type { CliIo } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  'base-url': { type: 'string' },
  concurrency: { type: 'string' },
  blocking: { type: 'boolean' },
  timeout: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Options;

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

function listOptions(resource: ResourceName): Options {
  const options: Options = { all: flag, page: text, json: flag };
  for (const name of filtersOf(resource)) options[name] = text;
  return options;
}

/**
 * `table[key]` when `key` is one of its own keys: a word typed on the command line
 * (`rickmorty constructor`) must not find what every object inherits.
 */
function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The options of each command, besides the global ones. */
const COMMANDS: Readonly<Record<string, Options>> = {
  ...Object.fromEntries(
    RESOURCE_NAMES.flatMap((resource) => {
      const { byId, list } = commandsOf(resource);
      return [
        [byId, { json: flag }],
        [list, listOptions(resource)],
      ];
    }),
  ),
  serve: { port: text, host: text, latency: text, data: text },
  demo: { live: flag, latency: text },
  help: {},
};

/** Options that take a value, of any command: finding the command must skip their values. */
const TAKES_VALUE = new Set(
  [GLOBAL_OPTIONS, ...Object.values(COMMANDS)].flatMap((options) =>
    Object.entries(options)
      .filter(([, option]) => option.type === 'string')
      .flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]),
  ),
);

/** The index of the command word: the first argument that is neither an option nor its value. */
function commandIndex(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') return index + 1 < argv.length ? index + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return index;
    if (TAKES_VALUE.has(arg)) index++;
  }
  return -1;
}

/** A whole number within bounds, for the options the CLI itself uses (the library checks the rest). */
function integerFlag(value: string | undefined, name: string, fallback: number, max: number) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < 0 || number > max) {
    throw new UsageError(
      `Expected --${name} to be a whole number from 0 to ${max}, got '${value}'`,
    );
  }
  return number;
}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Options, command: string | undefined) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Node's message goes on to explain `--` for positionals that start with a dash; the first
    // sentence is what a user of this command needs.
    const first = (error as Error).message.split('. ')[0]!.replace(/\.$/, '');
    throw new UsageError(command ? `${first} for '${command}'` : first, { cause: error });
  }
}

function clientFor(values: Values, io: CliIo): RickMortyClient {
  const baseUrl = (values['base-url'] as string | undefined) ?? io.env.RICKMORTY_BASE_URL;
  const concurrency = values.concurrency as string | undefined;
  const timeout = values.timeout as string | undefined;
  return new RickMortyClient({
    // An empty variable is as good as none.
    baseUrl: baseUrl || DEFAULT_BASE_URL,
    ...(concurrency === undefined ? {} : { concurrency: numberOrText(concurrency) }),
    ...(timeout === undefined ? {} : { timeout: numberOrText(timeout) }),
    ...(values.debug
      ? { logger: { debug: (message: string) => io.stderr.write(`rickmorty: ${message}\n`) } }
      : {}),
  });
}

async function runCommand(
  command: string,
  values: Values,
  positionals: string[],
  io: CliIo,
): Promise<number> {
  const resource = ownEntry(RESOURCE_OF_COMMAND, command);

  if (command === 'help') {
    const topic = positionals[0];
    if (topic !== undefined && ownEntry(COMMAND_USAGE, topic) === undefined) {
      throw new UsageError(`Unknown command '${topic}'`);
    }
    io.stdout.write(topic === undefined ? MAIN_USAGE : ownEntry(COMMAND_USAGE, topic)!);
    return EXIT.ok;
  }

  if (command === 'serve' || command === 'demo') {
    if (positionals.length > 0) {
      throw new UsageError(`'${command}' takes no arguments, got '${positionals[0]}'`);
    }
  }

  if (command === 'serve') {
    const directory = values.data as string | undefined;
    if (directory !== undefined && !existsSync(directory)) {
      throw new UsageError(`No such directory for --data: ${directory}`);
    }
    const { serve } = await import('./serve.js');
    await serve(io, {
      port: integerFlag(values.port as string | undefined, 'port', 0, 65_535),
      host: values.host as string | undefined,
      latencyMs: integerFlag(values.latency as string | undefined, 'latency', 0, 600_000),
      directory,
    });
    return EXIT.ok;
  }

  if (command === 'demo') {
    const { runMainJob } = await import('./main-job.js');
    const baseUrl = (values['base-url'] as string | undefined) || io.env.RICKMORTY_BASE_URL;
    await runMainJob({
      live: values.live === true,
      latencyMs: integerFlag(values.latency as string | undefined, 'latency', 150, 600_000),
      out: io.stdout,
      ...(baseUrl ? { baseUrl } : {}),
    });
    return EXIT.ok;
  }

  if (resource === undefined) throw new UsageError(`Unknown command '${command}'`);
  return runDataCommand(command, resource, values, positionals, io);
}

/** The filter flags of a list command, as given. */
function filterOf(resource: ResourceName, values: Values): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const name of filtersOf(resource)) {
    const value = values[name];
    if (typeof value === 'string') filter[name] = value;
  }
  return filter;
}

/** Checks the arguments of a data command, before any client is made. */
function checkDataArguments(
  command: string,
  resource: ResourceName,
  values: Values,
  positionals: string[],
) {
  if (command === commandsOf(resource).byId) {
    if (positionals.length === 0) {
      throw new UsageError(`'${command}' needs at least one id, as in: rickmorty ${command} 1 2`);
    }
    return;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `'${command}' takes options, not arguments, got '${positionals[0]}' (for ids: rickmorty ${resource} ${positionals.join(' ')})`,
    );
  }
  if (values.all === true && values.page !== undefined) {
    throw new UsageError('Use --all or --page, not both');
  }
}

/**
 * When a base URL answers 404 at its root too, it is most likely not the API's base URL (the API
 * lives under `/api`): the error gets a hint that says so. Anything else leaves the error as it is.
 */
async function withBaseUrlHint(error: unknown, client: RickMortyClient): Promise<unknown> {
  if (!isNotFoundError(error)) return error;
  try {
    await client.getEndpointsAsync({ timeout: 5000 });
    return error;
  } catch (rootError) {
    if (!isNotFoundError(rootError)) return error;
  }
  const base = client.baseUrl;
  const advice = new URL(base).pathname.replace(/\/+$/, '').endsWith('/api')
    ? 'is it the base URL of the API?'
    : `the API lives under /api: try --base-url ${base}/api`;
  return new CliError(
    `${(error as Error).message}\nrickmorty: ${base} answers 404 at its root; ${advice}`,
    {
      cause: error,
    },
  );
}

/**
 * A data command: `character 1 2`, `characters --all`, and their kin. It ends early, without an
 * error, when its output is closed (`| head`), and with exit code 130 when it is interrupted, its
 * progress bar wiped either way.
 */
async function runDataCommand(
  command: string,
  resource: ResourceName,
  values: Values,
  positionals: string[],
  io: CliIo,
): Promise<number> {
  checkDataArguments(command, resource, values, positionals);
  const blocking = values.blocking === true;
  const json = values.json === true;
  const output = watchOutput(io.stdout);
  const interruption = listenForInterrupt(io, !blocking);
  const signal = AbortSignal.any([output.signal, interruption.signal]);
  const client = clientFor(values, io);
  try {
    if (command === commandsOf(resource).byId) {
      await showById(io, client, resource, positionals, { blocking, json, signal });
    } else {
      await showList(io, client, resource, filterOf(resource, values), {
        blocking,
        json,
        signal,
        all: values.all === true,
        page: values.page as string | undefined,
      });
    }
    return ended(output, interruption, io) ?? EXIT.ok;
  } catch (error) {
    const early = ended(output, interruption, io);
    if (early !== undefined) return early;
    throw await withBaseUrlHint(error, client);
  } finally {
    output.dispose();
    interruption.dispose();
    await client.close();
  }
}

/** The exit code of a run that was cut short, or undefined when it was not. */
function ended(output: OutputWatch, interruption: Interruption, io: CliIo): number | undefined {
  const failure = output.failure();
  if (failure)
    throw new CliError(`Cannot write the output: ${failure.message}`, { cause: failure });
  if (interruption.signal.aborted) {
    io.stderr.write('rickmorty: interrupted\n');
    return EXIT.interrupted;
  }
  // The reader went away (`| head`): it has what it wanted.
  if (output.signal.aborted || isClosed(io.stdout)) return EXIT.ok;
  return undefined;
}

/** The signature `src/migrate/index.ts` exports for the `migrate` command. */
type RunMigrateCommand = (
  argv: string[],
  io: { stdout: CliIo['stdout']; stderr: CliIo['stderr']; cwd: string },
) => Promise<number>;

/**
 * `rickmorty migrate ...`, provided by the migration tool. Loaded on demand: it brings ts-morph, an
 * optional peer dependency that the other commands do without.
 */
async function runMigrate(argv: string[], io: CliIo): Promise<number> {
  const module = (await import('../migrate/index.js')) as { runMigrateCommand?: unknown };
  if (typeof module.runMigrateCommand !== 'function') {
    throw new CliError('The migrate command is not available in this build of rickmorty-client');
  }
  const run = module.runMigrateCommand as RunMigrateCommand;
  return run(argv, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd ?? process.cwd() });
}

/**
 * Runs the `rickmorty` command with `argv` (the arguments after the program's name) and returns
 * its exit code: 0 on success, 1 when the API or the network failed, 2 for a usage error (an
 * unknown command or option, or a bad id). Errors are reported on `io.stderr` by their message;
 * `--debug` adds the stack.
 *
 * @example
 * ```ts
 * const code = await runCli(['character', '1', '10', '100'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 * });
 * // prints Rick Sanchez, Alan Rails and Bubonic Plague, one a line; code is 0
 * ```
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Read before parsing, so that a command line that does not parse can still ask for a stack.
  const debug = argv.includes('--debug');
  let helpCommand = 'rickmorty --help';
  try {
    const index = commandIndex(argv);
    const command = index === -1 ? undefined : argv[index]!;
    if (command === 'migrate') {
      // The migrate command parses its own arguments; only the global options before it are ours.
      parse(argv.slice(0, index), GLOBAL_OPTIONS, undefined);
      helpCommand = 'rickmorty migrate --help';
      return await runMigrate(argv.slice(index + 1), io);
    }
    const options = command === undefined ? {} : ownEntry(COMMANDS, command);
    if (options === undefined) throw new UsageError(`Unknown command '${command}'`);
    if (command !== undefined && command !== 'help') helpCommand = `rickmorty ${command} --help`;
    const args = index === -1 ? argv : [...argv.slice(0, index), ...argv.slice(index + 1)];
    const { values, positionals } = parse(args, { ...GLOBAL_OPTIONS, ...options }, command);

    if (values.version) {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (values.help) {
      io.stdout.write((command && ownEntry(COMMAND_USAGE, command)) || MAIN_USAGE);
      return EXIT.ok;
    }
    if (command === undefined) {
      io.stderr.write(MAIN_USAGE);
      return EXIT.usage;
    }
    return await runCommand(command, values as Values, positionals, io);
  } catch (error) {
    return reportError(error, io.stderr, { debug, helpCommand });
  }
}
