import type * as WorkerThreads from 'node:worker_threads';
import { BlockingUnavailableError, TimeoutError, WorkerError } from '../errors/classes.js';
import { deserializeError, type SerializedError } from '../errors/wire.js';
import { blockingWait, sharedCell, throwIfAborted } from '../internal/async.js';
import { assertOptionsObject, integerOption, transportLimits } from '../internal/checks.js';
import { nodeBuiltin } from '../internal/node.js';
import { explainLoopbackTimeout, serverOnThisThread } from './loopback.js';
import { moduleRecipe, type RebuildRecipe, type TransportModule } from './recipe.js';
import type { BlockingTransport, TransportRequest, TransportResponse } from './types.js';
import { CELL, startBlockingWorker } from './worker-thread.js';

/** Options of `createBlockingTransport`. */
export interface BlockingTransportOptions {
  /** Milliseconds before a request is aborted, when the request names none. Default: 10000. */
  timeout?: number;
  /** The largest body to read, in bytes, when the request names none. Default: 5 MiB. */
  maxResponseBytes?: number;
  /**
   * How much longer than the request's timeout the calling thread waits for the worker before it
   * gives up on the worker itself and replaces it. Default: 1000.
   */
  timeoutMargin?: number;
  /** Milliseconds to wait for the worker thread to start. Default: 10000. */
  startupTimeout?: number;
  /**
   * The transport the worker thread sends with, named by module and export (see
   * `createModuleTransport`). Default: the built-in HTTP transport over the global `fetch`.
   */
  transport?: TransportModule;
}

/** A blocking transport that owns a worker thread. */
export interface BlockingHttpTransport extends BlockingTransport {
  /** Stops the worker thread. The transport starts a new one if it is used again. */
  close(): Promise<void>;
  /** How `makeAsync` builds the same transport on its pool's threads. */
  readonly rebuild: RebuildRecipe;
}

type Reply =
  | { id: number; ok: true; response: TransportResponse }
  | { id: number; ok: false; error: SerializedError }
  | { id: 0; ready: true }
  | { id: 0; fatal: true; error: SerializedError }
  | { id: 0; refused: true; error: SerializedError }
  | { id: 0; exited: number };

interface Running {
  readonly worker: WorkerThreads.Worker;
  readonly port: WorkerThreads.MessagePort;
  readonly cell: Int32Array;
}

const KEYS = [
  'timeout',
  'maxResponseBytes',
  'timeoutMargin',
  'startupTimeout',
  'transport',
] as const;

/**
 * Waits until a reply with `id` arrives, the thread reports a failure or its exit, or the deadline
 * passes; drops stale replies. Everything it looks at is visible to a parked thread: the port's
 * queue (read with `receiveMessageOnPort`) and the shared cell.
 */
function awaitReply(
  threads: typeof WorkerThreads,
  target: Running,
  id: number,
  deadline: number,
): Reply | undefined {
  for (;;) {
    const seen = Atomics.load(target.cell, CELL.WAKE);
    for (
      let message = threads.receiveMessageOnPort(target.port);
      message;
      message = threads.receiveMessageOnPort(target.port)
    ) {
      const reply = message.message as Reply;
      if ('fatal' in reply || 'refused' in reply || reply.id === id) return reply;
      // Anything else answers a request that already timed out: drop it.
    }
    // Read after the queue: a thread posts its last words before it marks its exit.
    if (Atomics.load(target.cell, CELL.EXITED) === 1) {
      return { id: 0, exited: Atomics.load(target.cell, CELL.EXIT_CODE) };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    blockingWait(target.cell, seen, remaining);
  }
}

/** The error for a worker that failed, exited or stayed silent while starting or serving `what`. */
function workerFailure(reply: Reply | undefined, what: string, waited: number): Error {
  // The transport's factory failed in the worker: the same error the async half throws.
  if (reply && 'refused' in reply) return deserializeError(reply.error);
  if (!reply) {
    return new WorkerError(
      `The blocking transport's worker thread did not ${what} within ${waited} ms`,
    );
  }
  if ('fatal' in reply) {
    const cause = deserializeError(reply.error);
    return new WorkerError(
      `The blocking transport's worker thread failed (${cause.message}) and did not ${what}`,
      { cause },
    );
  }
  const code = 'exited' in reply ? reply.exited : 'unknown';
  return new WorkerError(
    `The blocking transport's worker thread exited with code ${code} and did not ${what}`,
  );
}

interface CheckedOptions {
  readonly timeout: number;
  readonly maxResponseBytes: number;
  readonly timeoutMargin: number;
  readonly startupTimeout: number;
  /** How the worker (and `makeAsync`'s thread) builds the transport it sends with. */
  readonly recipe: RebuildRecipe;
}

/**
 * The options checked, each read once, with the defaults filled in: what the transport uses, and
 * what `makeAsync` rebuilds it from (not the object given, which a getter could change).
 */
function checkOptions(options: unknown): CheckedOptions {
  const o = assertOptionsObject(options, 'options', KEYS);
  const { timeout, maxResponseBytes } = transportLimits(o);
  return {
    timeout,
    maxResponseBytes,
    timeoutMargin: integerOption(o.timeoutMargin, 'timeoutMargin', 1000),
    startupTimeout: integerOption(o.startupTimeout, 'startupTimeout', 10_000, { min: 1 }),
    recipe:
      o.transport === undefined
        ? { builtin: 'http', options: { timeout, maxResponseBytes } }
        : moduleRecipe(o.transport, 'transport'),
  };
}

/**
 * Creates a transport whose `requestSync` makes a real HTTP request and returns its answer
 * synchronously. A worker thread makes the request while the calling thread waits on
 * `Atomics.wait`, the design synckit uses.
 *
 * The worker starts on the first request, is unref'd (an idle program exits by itself) and is
 * replaced if it dies or stops answering. Every request has a timeout: the worker aborts the
 * request after `timeout`, and the caller stops waiting after `timeout + timeoutMargin`. Errors
 * from the worker arrive as the same classes, with the same fields; a worker that cannot start,
 * crashes or exits is a `WorkerError` at once, never a wait for a timeout.
 *
 * @example
 * ```ts
 * const transport = createBlockingTransport({ timeout: 5000 });
 * const client = new RickMortyClient({ transport });
 * console.log(client.getCharacter(1).name); // Rick Sanchez
 * await transport.close();
 * ```
 *
 * Note: blocking needs Node's worker threads, `SharedArrayBuffer` and a thread that may wait
 * (`Atomics.wait`): not a browser's main thread. Where one is missing `requestSync` throws a
 * `BlockingUnavailableError` before starting anything, and the client's message names the async
 * twin to call instead.
 * Note: a server running on the calling thread can never answer a blocking call, as that thread is
 * parked: a request to such a server is refused at once, and a timeout of a request to a loopback
 * address says so.
 * Note: an `AbortSignal` is only checked before the request starts; the waiting thread cannot
 * see it fire.
 */
export function createBlockingTransport(
  options: BlockingTransportOptions = {},
): BlockingHttpTransport {
  const checked = checkOptions(options);
  const { timeout: defaultTimeout, maxResponseBytes: defaultMax, timeoutMargin: margin } = checked;
  const { recipe, startupTimeout } = checked;
  let running: Running | undefined;
  let nextId = 1;

  function stop(target: Running | undefined): Promise<void> {
    if (!target) return Promise.resolve();
    if (running === target) running = undefined;
    target.port.close();
    return target.worker.terminate().then(() => undefined);
  }

  function start(threads: typeof WorkerThreads): Running {
    const cell = sharedCell(CELL.LENGTH);
    const { worker, port } = startBlockingWorker(
      threads,
      { cell, recipe },
      'The blocking transport',
    );
    const target: Running = { worker, port, cell };
    worker.unref();
    port.unref();
    // The thread reports its failures through the port and the cell; without a listener its
    // 'error' event would also crash the program.
    worker.on('error', () => {});
    worker.on('exit', () => {
      if (running === target) running = undefined;
    });
    const ready = awaitReply(threads, target, 0, Date.now() + startupTimeout);
    if (!ready || !('ready' in ready)) {
      void stop(target);
      throw workerFailure(ready, 'start', startupTimeout);
    }
    return target;
  }

  /** The worker threads module, or why blocking is impossible here, before starting anything. */
  function threadsOrRefuse(request: TransportRequest): typeof WorkerThreads {
    const threads = nodeBuiltin('node:worker_threads');
    if (!threads) {
      throw new BlockingUnavailableError(
        'Blocking requests need Node.js worker threads, which this environment lacks; use the async twin',
      );
    }
    // Throws where this thread may not wait, or there is no SharedArrayBuffer.
    sharedCell();
    const server = serverOnThisThread(request.url);
    if (server) {
      throw new BlockingUnavailableError(
        `${request.method} ${request.url} goes to a server running on this thread (${server}), which a blocking call parks in Atomics.wait, so it could never answer; run the server in another thread or process, or use the async twin`,
      );
    }
    return threads;
  }

  return {
    rebuild: recipe,
    defaults: { timeout: defaultTimeout, maxResponseBytes: defaultMax },

    requestSync(request: TransportRequest): TransportResponse {
      throwIfAborted(request.signal);
      const threads = threadsOrRefuse(request);
      running ??= start(threads);
      const target = running;
      const id = nextId++;
      const timeout = request.timeout ?? defaultTimeout;
      const maxResponseBytes = request.maxResponseBytes ?? defaultMax;
      // A signal cannot cross threads; the worker gets everything else.
      const { signal: _signal, ...plain } = request;
      target.port.postMessage({ id, request: { ...plain, timeout, maxResponseBytes } });
      const reply = awaitReply(threads, target, id, Date.now() + timeout + margin);
      if (!reply) {
        // The worker did not answer even after its own timeout: treat it as stuck and replace it.
        void stop(target);
        throw explainLoopbackTimeout(
          new TimeoutError({ method: request.method, url: request.url, timeout }),
          request,
        );
      }
      if (reply.id === 0) {
        void stop(target);
        throw workerFailure(reply, `answer ${request.method} ${request.url}`, timeout + margin);
      }
      if ('ok' in reply && reply.ok) return reply.response;
      throw explainLoopbackTimeout(
        deserializeError((reply as { error: SerializedError }).error),
        request,
      );
    },

    close(): Promise<void> {
      return stop(running);
    },
  };
}
