/**
 * `rickmorty-client/make-async`: `makeAsync` in full. Besides a blocking transport (the form the
 * root entry exports), it runs a blocking function of your own, named by module and export, on a
 * pool of worker threads.
 *
 * @module make-async
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Tinypool } from 'tinypool';
import {
  AbortError,
  BlockingUnavailableError,
  InvalidArgumentError,
  WorkerError,
} from '../errors/classes.js';
import { deserializeError, type SerializedError } from '../errors/wire.js';
import { assertOptionsObject, integerOption } from '../internal/checks.js';
import { DEFAULT_CONCURRENCY } from '../internal/constants.js';
import { nodeBuiltin } from '../internal/node.js';
import { poolFailure } from './failures.js';
import type { PoolResult, PoolTask } from './make-async-worker.js';
import { exportName, moduleUrl, type RebuildRecipe } from './recipe.js';
import { ThreadTransport } from './thread-transport.js';
import type {
  AsyncTransport,
  BlockingTransport,
  TransportRequest,
  TransportResponse,
} from './types.js';
import { workerEntry } from './worker-entry.js';
import { dropRefusedExecArgv, workerExecArgv } from './worker-thread.js';

/** Options of `makeAsync`. */
export interface MakeAsyncOptions {
  /**
   * How many blocking calls may run at once, each on a thread of its own. A blocking call mostly
   * waits, so this is sized for waiting, not for CPU cores. Default: 10, the client's default
   * `concurrency` (a client that builds the pool itself uses its own `concurrency`).
   */
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

interface PoolRuntime {
  readonly threads: typeof WorkerThreads;
  readonly Tinypool: typeof Tinypool;
}

/**
 * Node's worker threads, looked up at run time rather than imported: the package's entry
 * re-exports `makeAsync`, and a static (or even a dynamic) import would pull Node modules into
 * every browser bundle of the client, where bundlers fail on them.
 */
function workerThreads(): typeof WorkerThreads {
  const threads = nodeBuiltin('node:worker_threads');
  if (!threads) {
    throw new BlockingUnavailableError(
      'makeAsync needs Node.js worker threads, which this environment lacks',
    );
  }
  return threads;
}

let loaded: PoolRuntime | undefined;

/**
 * The pool library too, loaded on first use the same way. tinypool is an ES module; `require`
 * loads it on the Node versions the package supports (`require(esm)`).
 */
function runtime(): PoolRuntime {
  if (loaded) return loaded;
  const threads = workerThreads();
  const module = nodeBuiltin('node:module');
  if (!module) throw new BlockingUnavailableError('makeAsync needs Node.js');
  const load = module.createRequire(import.meta.url);
  loaded = { threads, Tinypool: (load('tinypool') as typeof import('tinypool')).Tinypool };
  return loaded;
}

/** A call not yet settled: whether a thread has begun it, and how to fail it. */
interface PendingCall {
  started: boolean;
  fail(error: unknown): void;
}

/**
 * One call on the pool. It settles once, with whichever speaks first: the pool's answer, the
 * thread's exit (which the thread reports on a port of the call's own, or which closes that port),
 * the caller's abort, or `pending.fail` (the pool could not start a thread).
 */
function runOnPool(
  pool: Tinypool,
  threads: typeof WorkerThreads,
  task: PoolTask,
  signal: AbortSignal | undefined,
  calls: Set<PendingCall>,
): Promise<unknown> {
  const { port1, port2 } = new threads.MessageChannel();
  // Aborting the pool's call makes the pool drop (and end) the thread that runs it.
  const drop = new AbortController();
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      calls.delete(pending);
      port1.close();
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const pending: PendingCall = {
      started: false,
      fail: (error) => settle(() => reject(error)),
    };
    const died = (how: string, cause?: unknown) =>
      settle(() => {
        drop.abort();
        reject(
          new WorkerError(
            `makeAsync: the worker thread ${how} during the call`,
            cause === undefined ? undefined : { cause },
          ),
        );
      });
    const onAbort = () =>
      settle(() => {
        drop.abort();
        reject(new AbortError(signal?.reason));
      });
    port1.on(
      'message',
      (message: { started?: true; exited?: number; crashed?: SerializedError }) => {
        if (message.started) pending.started = true;
        else if (message.crashed) {
          const cause = deserializeError(message.crashed);
          died(`crashed (${cause.message})`, cause);
        } else died(`exited with code ${message.exited}`);
      },
    );
    port1.on('close', () => died('stopped'));
    signal?.addEventListener('abort', onAbort, { once: true });
    calls.add(pending);
    let answer: Promise<PoolResult>;
    try {
      answer = pool.run({ ...task, alive: port2 }, { transferList: [port2], signal: drop.signal });
    } catch (error) {
      // Node refused an option of the threads' execArgv: raw, so that the caller can drop it.
      const refused = (error as { code?: unknown }).code === 'ERR_WORKER_INVALID_EXEC_ARGV';
      settle(() => reject(refused ? error : poolFailure(error)));
      return;
    }
    answer.then(
      (result) =>
        settle(() => (result.ok ? resolve(result.value) : reject(deserializeError(result.error)))),
      (error: unknown) => settle(() => reject(poolFailure(error))),
    );
  });
}

function createPool(options: MakeAsyncOptions | undefined) {
  const o = assertOptionsObject(options, 'options', KEYS);
  const maxThreads = integerOption(o.maxThreads, 'maxThreads', DEFAULT_CONCURRENCY, { min: 1 });
  const idleTimeout = integerOption(o.idleTimeout, 'idleTimeout', 1000);
  const entry = workerEntry('make-async-worker', import.meta.url);
  /** The pool in use, with its calls; replaced when it breaks. */
  let current: { readonly pool: Tinypool; readonly calls: Set<PendingCall> } | undefined;

  function open(rt: PoolRuntime): { pool: Tinypool; calls: Set<PendingCall> } {
    const { execArgv } = workerExecArgv();
    const created = new rt.Tinypool({
      filename: entry.url.href,
      workerData: entry.workerData,
      // Threads start on the first call, not before; idle ones are unref'd and exit after
      // `idleTimeout`, so a program that is done exits by itself.
      minThreads: 0,
      maxThreads,
      idleTimeout,
      ...(execArgv ? { execArgv } : {}),
    });
    const calls = new Set<PendingCall>();
    // A thread that fails before it can take a call (its module does not load): the pool emits
    // 'error' and would leave the calls no thread has begun queued forever.
    created.on('error', (error: unknown) => {
      if (current?.pool === created) current = undefined;
      const failure = new WorkerError(
        `makeAsync: a worker thread could not start (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
      for (const call of [...calls]) if (!call.started) call.fail(failure);
    });
    return { pool: created, calls };
  }

  return {
    async run(task: PoolTask, signal?: AbortSignal): Promise<unknown> {
      if (signal?.aborted) throw new AbortError(signal.reason);
      const rt = runtime();
      for (;;) {
        current ??= open(rt);
        const used = current;
        try {
          return await runOnPool(used.pool, rt.threads, task, signal, used.calls);
        } catch (error) {
          // Node refused an option of the threads' execArgv when the pool started one: drop it
          // and start over with a new pool.
          if (!dropRefusedExecArgv(error)) throw error;
          if (current === used) current = undefined;
          void used.pool.destroy();
        }
      }
    },
    async close(): Promise<void> {
      const closing = current?.pool;
      current = undefined;
      await closing?.destroy();
    },
  };
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
 * Note: a transport's pool threads make the requests themselves, with the transport the recipe
 * names; they start no thread of their own.
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
    // For a transport that turns out to block its thread: one thread a request.
    const pool = createPool(options);
    const onPool = (request: TransportRequest): Promise<TransportResponse> => {
      const { signal, ...plain } = request;
      return pool.run(
        { kind: 'request', recipe, request: plain },
        signal,
      ) as Promise<TransportResponse>;
    };
    let thread: ThreadTransport | undefined;
    const { defaults } = target as RebuildableTransport;
    return {
      // The settings of the transport it runs, which the rebuilt copy applies too.
      ...(defaults ? { defaults } : {}),
      request(request: TransportRequest): Promise<TransportResponse> {
        try {
          thread ??= new ThreadTransport(workerThreads(), recipe, onPool);
        } catch (error) {
          return Promise.reject(error);
        }
        return thread.request(request);
      },
      async close(): Promise<void> {
        const closing = thread;
        thread = undefined;
        await Promise.all([closing?.close(), pool.close()]);
      },
    };
  }
  const module = moduleUrl((target as Partial<ModuleFunction>).module, 'target.module');
  const name = exportName(target.export, 'target.export');
  const pool = createPool(options);
  const lifted = (...args: unknown[]) => pool.run({ kind: 'call', module, export: name, args });
  return Object.assign(lifted, { close: pool.close });
}
