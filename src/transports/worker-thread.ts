/**
 * How this package starts its worker threads, written once for the blocking transport, the
 * replica server and the makeAsync pool:
 *
 * - an `execArgv` cleaned of what belongs to the main script and not to a worker (`--input-type`,
 *   `--eval`, `--test`, `--watch`, a debugger's port…), and of what Node refuses in a worker;
 * - a bootstrap given as a string (`eval`), so that there is no file to fail to load before the
 *   thread can report: it imports the worker's module and, for a caller parked in `Atomics.wait`,
 *   tells it through the shared cell and its port that the thread failed or exited, at once.
 *
 * @module
 */
import type * as WorkerThreads from 'node:worker_threads';
import { WorkerError } from '../errors/classes.js';
import { workerEntry } from './worker-entry.js';

/**
 * The shared cell of a thread that reports to a parked caller: `cell[WAKE]` is bumped and notified
 * at every message; `cell[EXITED]` becomes 1, with the exit code in `cell[EXIT_CODE]`, when the
 * thread ends (`process.exit`, a crash, or returning), before it is gone.
 */
export const CELL = { WAKE: 0, EXITED: 1, EXIT_CODE: 2, LENGTH: 3 } as const;

/**
 * Options of a worker's `execArgv` that concern the main script, not a worker: how to read the
 * main input (`--input-type` makes a worker's ES module file fail to load), what to run instead of
 * a file, the test runner, the watcher, the debugger (a second `--inspect-brk` would wait for a
 * debugger forever) and files already read into the environment.
 */
const MAIN_SCRIPT_ONLY =
  /^(?:--input-type|--eval|-e|--print|-p|--interactive|-i|--check|-c|--test|--test-[a-z-]+|--experimental-test-[a-z-]+|--watch|--watch-path|--watch-preserve-output|--inspect|--inspect-brk|--inspect-wait|--inspect-port|--inspect-publish-uid|--debug-port|--env-file|--env-file-if-exists|--run)$/;

/** Options whose value is the next argument even when it starts with a dash. */
const TAKES_CODE = /^(?:-e|-p|--eval|--print)$/;

/** `process.execArgv` as options with their values: `['--import', 'tsx']` is one group. */
function optionGroups(argv: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < argv.length; i++) {
    const group = [argv[i]!];
    if (TAKES_CODE.test(argv[i]!) && i + 1 < argv.length) group.push(argv[++i]!);
    // execArgv holds options only: anything that is not an option is the value of the one before.
    else while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) group.push(argv[++i]!);
    groups.push(group);
  }
  return groups;
}

function optionName(arg: string): string {
  const equals = arg.indexOf('=');
  return equals === -1 ? arg : arg.slice(0, equals);
}

/** A module the main thread preloaded (`--require`, `--import`), for a worker to load itself. */
export interface Preload {
  readonly kind: 'require' | 'import';
  readonly specifier: string;
}

const PRELOAD = /^(?:--require|-r|--import)$/;

/**
 * `execArgv` without the main script's options, and (with `separatePreloads`) without the
 * preloaded modules, which are then listed for the bootstrap to load, where a failure can be
 * reported. `execArgv` is `undefined` when nothing had to go: the worker then inherits the
 * parent's options as they are, which Node accepts even for the per-process options
 * (`--max-old-space-size`, `--title`…) it refuses in an explicit list.
 */
export function cleanExecArgv(
  argv: readonly string[],
  separatePreloads = false,
): { execArgv: string[] | undefined; preloads: Preload[] } {
  const groups = optionGroups(argv);
  const preloads: Preload[] = [];
  const kept = groups.filter((group) => {
    const name = optionName(group[0]!);
    if (separatePreloads && PRELOAD.test(name)) {
      const specifier = group[0]!.includes('=') ? group[0]!.slice(name.length + 1) : group[1];
      if (specifier) preloads.push({ kind: name === '--import' ? 'import' : 'require', specifier });
      return false;
    }
    return !MAIN_SCRIPT_ONLY.test(name);
  });
  return { execArgv: kept.length === groups.length ? undefined : kept.flat(), preloads };
}

/**
 * The options Node named in an `ERR_WORKER_INVALID_EXEC_ARGV` error ("Initiated Worker with
 * invalid execArgv flags: --title=x, --expose-gc"), by name.
 */
function refusedOptions(error: unknown): Set<string> | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') {
    return undefined;
  }
  const list = String((error as Error).message)
    .split(': ')
    .slice(1)
    .join(': ');
  return new Set(
    list
      .split(', ')
      .filter((entry) => entry.startsWith('-'))
      .map((entry) => optionName(entry.split(' ')[0]!)),
  );
}

/** Options Node refused in an explicit `execArgv` in this process, by name; `'*'`: all of them. */
const refused = new Set<string>();

function withoutRefused(argv: string[] | undefined): string[] | undefined {
  if (!argv || refused.size === 0) return argv;
  if (refused.has('*')) return [];
  return optionGroups(argv)
    .filter((group) => !refused.has(optionName(group[0]!)))
    .flat();
}

/**
 * The `execArgv` to start this package's worker threads with (`undefined`: inherit), and the
 * preloaded modules when they are to be loaded by the bootstrap instead.
 */
export function workerExecArgv(separatePreloads = false): {
  execArgv: string[] | undefined;
  preloads: Preload[];
} {
  const clean = cleanExecArgv(process.execArgv ?? [], separatePreloads);
  return { execArgv: withoutRefused(clean.execArgv), preloads: clean.preloads };
}

/**
 * After Node refused some options of an explicit `execArgv` (per-process options, which the
 * process already applies to its workers), remembers them so that later workers go without
 * (every option, when Node named none). Whether a retry can help.
 */
export function dropRefusedExecArgv(error: unknown): boolean {
  const names = refusedOptions(error);
  if (!names || refused.has('*')) return false;
  const before = refused.size;
  for (const name of names) refused.add(name);
  if (refused.size === before) refused.add('*');
  return true;
}

/**
 * The bootstrap every worker of ours runs first. It is a string, not a file: Node runs it as
 * CommonJS or as an ES module depending on `--input-type` and `--experimental-default-type`, so it
 * uses neither `require` nor `import` statements nor top-level `await`, only
 * `process.getBuiltinModule` and `import()`, which both kinds have.
 *
 * A `.cjs` entry is loaded with `require`, anything else with `import()`.
 *
 * With a `cell` and a `port` in its data it reports to a caller parked in `Atomics.wait`: it loads
 * the main thread's preloaded modules itself (they would otherwise run before it could report), and
 * a module that fails to load or an uncaught exception becomes a `fatal` message on the port, and
 * the thread's exit, whatever its cause, is written to the cell; each wakes the caller.
 */
const BOOTSTRAP = `"use strict";
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { bootstrapEntry, bootstrapPreloads, port, cell } = workerData;
const wake = () => { Atomics.add(cell, ${CELL.WAKE}, 1); Atomics.notify(cell, ${CELL.WAKE}); };
const fatal = (error, prefix) => {
  port.postMessage({ id: 0, fatal: true, error: {
    name: (error && error.name) || 'Error',
    message: prefix + ((error && error.message) || String(error)),
    stack: error && error.stack,
    fields: {},
  } });
  wake();
};
if (cell && port) {
  process.on('exit', (code) => {
    Atomics.store(cell, ${CELL.EXIT_CODE}, code);
    Atomics.store(cell, ${CELL.EXITED}, 1);
    wake();
  });
  process.on('uncaughtException', (error) => {
    fatal(error, '');
    process.exit(1);
  });
}
let loading = 'the worker module ' + bootstrapEntry;
const load = async () => {
  // Resolved from the working directory, as Node resolves --require and --import.
  const base = process.getBuiltinModule('node:url').pathToFileURL(process.cwd() + '/').href;
  for (const { kind, specifier } of bootstrapPreloads || []) {
    loading = 'the preloaded module ' + specifier + ' (--' + kind + ')';
    if (kind === 'require') process.getBuiltinModule('node:module').createRequire(base)(specifier);
    else await import(/^[./]/.test(specifier) ? new URL(specifier, base).href : specifier);
  }
  loading = 'the worker module ' + bootstrapEntry;
  // A CommonJS entry is required: the thread then never starts an ES module loader.
  if (bootstrapEntry.endsWith('.cjs')) {
    const file = process.getBuiltinModule('node:url').fileURLToPath(bootstrapEntry);
    process.getBuiltinModule('node:module').createRequire(file)(file);
  } else await import(bootstrapEntry);
};
load().catch((error) => {
  if (!(cell && port)) throw error;
  fatal(error, 'Could not load ' + loading + ': ');
  process.exit(1);
});
`;

/** What `startWorker` needs: the module to run and the data it reads. */
export interface WorkerStart {
  /** The `file:` URL of the worker's module. */
  readonly entry: URL;
  /**
   * The data the module reads. With `port` and `cell` (of `CELL.LENGTH` integers), the thread
   * reports its failures and its exit to a caller parked in `Atomics.wait`.
   */
  readonly workerData: Record<string, unknown>;
  readonly transferList?: readonly WorkerThreads.Transferable[];
}

/**
 * Starts a worker thread on the bootstrap, with `workerExecArgv()`. Throws what `new Worker`
 * throws once no option is left to drop.
 */
export function startWorker(
  threads: typeof WorkerThreads,
  start: WorkerStart,
): WorkerThreads.Worker {
  const reports = start.workerData.port !== undefined && start.workerData.cell !== undefined;
  for (;;) {
    const { execArgv, preloads } = workerExecArgv(reports);
    try {
      return new threads.Worker(BOOTSTRAP, {
        eval: true,
        workerData: {
          ...start.workerData,
          bootstrapEntry: start.entry.href,
          bootstrapPreloads: preloads,
        },
        transferList: [...(start.transferList ?? [])],
        ...(execArgv ? { execArgv } : {}),
      });
    } catch (error) {
      if (!dropRefusedExecArgv(error)) throw error;
    }
  }
}

/**
 * Starts the blocking worker (blocking-worker.ts), which serves requests on a port: the thread
 * gets one end with `data`, the caller keeps the other (`port`). A thread that cannot start is a
 * `WorkerError` that says `who` could not start it.
 */
export function startBlockingWorker(
  threads: typeof WorkerThreads,
  data: Record<string, unknown>,
  who: string,
): { worker: WorkerThreads.Worker; port: WorkerThreads.MessagePort } {
  const { port1, port2 } = new threads.MessageChannel();
  const entry = workerEntry('blocking-worker', import.meta.url, { ...data, port: port2 });
  try {
    const worker = startWorker(threads, {
      entry: entry.url,
      workerData: entry.workerData,
      transferList: [port2],
    });
    return { worker, port: port1 };
  } catch (error) {
    port1.close();
    throw new WorkerError(`${who} could not start its worker thread`, { cause: error });
  }
}
