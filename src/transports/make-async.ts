/**
 * `rickmorty-client/make-async`: `makeAsync` in full. Besides a blocking transport (the form the
 * root entry exports), it runs a blocking function of your own, named by module and export, on a
 * pool of worker threads.
 *
 * @module make-async
 */
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import type * as NodeUrl from 'node:url';
import type { Piscina } from 'piscina';
import { AbortError, BlockingUnavailableError, InvalidArgumentError } from '../errors/classes.js';
import { deserializeError } from '../errors/wire.js';
import { assertOptionsObject, integerOption } from '../internal/checks.js';
import { nodeBuiltin } from '../internal/node.js';
import type { RebuildRecipe } from './blocking.js';
import { poolFailure } from './failures.js';
import type { PoolResult, PoolTask } from './make-async-worker.js';
import type {
  AsyncTransport,
  BlockingTransport,
  TransportRequest,
  TransportResponse,
} from './types.js';
import { workerEntry } from './worker-entry.js';

/** Options of `makeAsync`. */
export interface MakeAsyncOptions {
  /** How many blocking calls may run at once, each on its own thread. Default: `max(4, availableParallelism())`. */
  maxThreads?: number;
  /** Milliseconds an idle worker thread lives before it exits. Default: 1000. */
  idleTimeout?: number;
}

/** A blocking transport that `makeAsync` can rebuild on a worker thread. */
export interface RebuildableTransport extends BlockingTransport {
  readonly rebuild: RebuildRecipe;
}

/** A blocking function named by module and export, so that a worker thread can load it. */
export interface ModuleFunction {
  /** The module's URL or absolute path, e.g. `new URL('./slow.js', import.meta.url)`. */
  readonly module: string | URL;
  /** The export to call. Default: `'default'`. */
  readonly export?: string;
}

/** The async transport `makeAsync` returns for a blocking transport. */
export interface PooledTransport extends AsyncTransport {
  /** Stops the worker threads. */
  close(): Promise<void>;
}

/**
 * The async function `makeAsync` returns for a module function.
 *
 * @typeParam F - The type of the blocking function, e.g. `typeof import('./slow.js').slowSquare`.
 */
export type PooledFunction<F extends (...args: never[]) => unknown> = ((
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>) & {
  /** Stops the worker threads. */
  close(): Promise<void>;
};

const KEYS = ['maxThreads', 'idleTimeout'] as const;

/**
 * Node modules and piscina, looked up at run time rather than imported: the package's entry
 * re-exports `makeAsync`, and a static (or even a dynamic) import would pull Node modules into
 * every browser bundle of the client, where bundlers fail on them.
 */
function node(): {
  os: typeof NodeOs;
  path: typeof NodePath;
  url: typeof NodeUrl;
  require: NodeJS.Require;
} {
  const [os, path, url, module] = [
    nodeBuiltin('node:os'),
    nodeBuiltin('node:path'),
    nodeBuiltin('node:url'),
    nodeBuiltin('node:module'),
  ];
  if (!os || !path || !url || !module) {
    throw new BlockingUnavailableError(
      'makeAsync needs Node.js worker threads, which this environment lacks',
    );
  }
  return { os, path, url, require: module.createRequire(import.meta.url) };
}

function createPool(options: MakeAsyncOptions | undefined) {
  const o = assertOptionsObject(options, 'options', KEYS);
  const maxThreads = integerOption(
    o.maxThreads,
    'maxThreads',
    Math.max(4, node().os.availableParallelism()),
    { min: 1 },
  );
  const idleTimeout = integerOption(o.idleTimeout, 'idleTimeout', 1000);
  const entry = workerEntry('make-async-worker', import.meta.url);
  let pool: Piscina | undefined;
  return {
    run(task: PoolTask, signal?: AbortSignal): Promise<unknown> {
      // Threads start on the first call, not before; idle ones are unref'd by piscina and exit
      // after `idleTimeout`, so a program that is done exits by itself.
      pool ??= new (node().require('piscina') as typeof import('piscina')).Piscina({
        filename: node().url.fileURLToPath(entry.url),
        workerData: entry.workerData,
        minThreads: 0,
        maxThreads,
        idleTimeout,
      });
      return pool.run(task, signal ? { signal } : {}).then(
        (result: PoolResult) => {
          if (result.ok) return result.value;
          throw deserializeError(result.error);
        },
        (error: unknown) => {
          if (signal?.aborted) throw new AbortError(signal.reason);
          throw poolFailure(error);
        },
      );
    },
    async close(): Promise<void> {
      const current = pool;
      pool = undefined;
      await current?.destroy();
    },
  };
}

/**
 * The `file:` URL a worker thread imports. A relative path is refused: it would be resolved
 * against the working directory, not against the module that named it.
 */
function moduleUrl(module: string | URL): string {
  const text = String(module);
  if (/^[a-z][a-z\d+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    if (!text.startsWith('file:')) {
      throw new InvalidArgumentError(
        `Expected \`target.module\` to be a file: URL or an absolute path, got ${JSON.stringify(text)}`,
      );
    }
    return text;
  }
  if (!node().path.isAbsolute(text)) {
    throw new InvalidArgumentError(
      `Expected \`target.module\` to be a file: URL or an absolute path, got the relative path ${JSON.stringify(text)}; use new URL(${JSON.stringify(text)}, import.meta.url)`,
    );
  }
  return node().url.pathToFileURL(text).href;
}

/**
 * Lifts a blocking transport, or a blocking function in a module, into an async one that runs on a
 * pool of worker threads: N blocking calls overlap, and the event loop keeps ticking meanwhile.
 * This is Python's `loop.run_in_executor` for this library.
 *
 * @example
 * ```ts
 * const transport = makeAsync(createBlockingTransport());
 * const client = new RickMortyClient({ transport });
 * const [rick, alan] = await Promise.all([client.getCharacterAsync(1), client.getCharacterAsync(10)]);
 * await transport.close();
 * ```
 *
 * @example
 * ```ts
 * // slow.js: export function slowSquare(n) { sleepSync(100); return n * n; }
 * const slowSquare = makeAsync<typeof import('./slow.js').slowSquare>({
 *   module: new URL('./slow.js', import.meta.url),
 *   export: 'slowSquare',
 * });
 * await Promise.all([slowSquare(2), slowSquare(3)]); // [4, 9], together
 * ```
 *
 * Note: functions cannot travel to another thread, so a plain closure is refused with a `TypeError`.
 * Running it on this thread instead would block the event loop, the very thing `makeAsync` is for.
 * Name the function by module and export, or pass a transport that can rebuild itself (the
 * built-in blocking transport can).
 * Note: arguments and results are copied between threads with the structured clone algorithm.
 *
 * @typeParam F - The type of the blocking function a module target names.
 */
export function makeAsync(
  transport: RebuildableTransport,
  options?: MakeAsyncOptions,
): PooledTransport;
export function makeAsync<F extends (...args: never[]) => unknown>(
  target: ModuleFunction,
  options?: MakeAsyncOptions,
): PooledFunction<F>;
export function makeAsync(
  target: RebuildableTransport | ModuleFunction,
  options?: MakeAsyncOptions,
): PooledTransport | PooledFunction<(...args: never[]) => unknown> {
  if (typeof target === 'function') {
    throw new InvalidArgumentError(
      'makeAsync cannot move a function to a worker thread (closures do not cross threads). ' +
        "Pass { module: new URL('./file.js', import.meta.url), export: 'name' }, or a transport from createBlockingTransport()",
    );
  }
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError(
      'Expected `target` to be a blocking transport or { module, export }',
    );
  }
  if ('requestSync' in target) {
    const recipe = (target as Partial<RebuildableTransport>).rebuild;
    if (!recipe) {
      throw new InvalidArgumentError(
        'makeAsync needs a transport that can rebuild itself on a worker thread (one with a `rebuild` recipe, such as createBlockingTransport()); this one has none',
      );
    }
    const pool = createPool(options);
    const { defaults } = target as RebuildableTransport;
    return {
      // The settings of the transport it runs, which the rebuilt copy applies too.
      ...(defaults ? { defaults } : {}),
      request(request: TransportRequest): Promise<TransportResponse> {
        const { signal, ...plain } = request;
        if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
        return pool.run(
          { kind: 'request', recipe, request: plain },
          signal,
        ) as Promise<TransportResponse>;
      },
      close: pool.close,
    };
  }
  if (
    !('module' in target) ||
    (typeof target.module !== 'string' && !(target.module instanceof URL))
  ) {
    throw new InvalidArgumentError('Expected `target.module` to be a URL or an absolute path');
  }
  const module = moduleUrl(target.module);
  const name = target.export ?? 'default';
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError('Expected `target.export` to be the name of an export');
  }
  const pool = createPool(options);
  const lifted = (...args: unknown[]) => pool.run({ kind: 'call', module, export: name, args });
  return Object.assign(lifted, { close: pool.close });
}
