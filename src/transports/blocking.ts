import type * as WorkerThreads from 'node:worker_threads';
import { BlockingUnavailableError, TimeoutError, WorkerError } from '../errors/classes.js';
import { deserializeError, type SerializedError } from '../errors/wire.js';
import { blockingWait, throwIfAborted } from '../internal/async.js';
import { assertOptionsObject, integerOption } from '../internal/checks.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT } from '../internal/constants.js';
import { nodeBuiltin } from '../internal/node.js';
import type { BlockingTransport, TransportRequest, TransportResponse } from './types.js';
import { workerEntry } from './worker-entry.js';

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
}

/** How `makeAsync` rebuilds a transport inside a pool worker. */
export type RebuildRecipe =
  | { readonly builtin: 'blocking'; readonly options: BlockingTransportOptions }
  | { readonly module: string; readonly export: string; readonly args?: readonly unknown[] };

/** A blocking transport that owns a worker thread. */
export interface BlockingHttpTransport extends BlockingTransport {
  /** Stops the worker thread. The transport starts a new one if it is used again. */
  close(): Promise<void>;
  /** How `makeAsync` rebuilds this transport in a pool worker. */
  readonly rebuild: RebuildRecipe;
}

type Reply =
  | { id: number; ok: true; response: TransportResponse }
  | { id: number; ok: false; error: SerializedError }
  | { id: 0; ready: true }
  | { id: 0; fatal: true; error: SerializedError };

interface Running {
  readonly worker: WorkerThreads.Worker;
  readonly port: WorkerThreads.MessagePort;
  readonly cell: Int32Array;
  dead: Error | undefined;
}

const KEYS = ['timeout', 'maxResponseBytes', 'timeoutMargin', 'startupTimeout'] as const;

function workerThreads(): typeof WorkerThreads | undefined {
  // Looked up at run time, not imported, so that bundling the client for a browser does not pull
  // in a Node module; there the blocking twins throw a clear error instead.
  return nodeBuiltin('node:worker_threads');
}

/**
 * The options checked, each read once, with the defaults filled in: what the transport uses, and
 * what `makeAsync` rebuilds it from (not the object given, which a getter could change).
 */
function checkOptions(options: unknown): Required<BlockingTransportOptions> {
  const o = assertOptionsObject(options, 'options', KEYS);
  return {
    timeout: integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 }),
    maxResponseBytes: integerOption(
      o.maxResponseBytes,
      'maxResponseBytes',
      DEFAULT_MAX_RESPONSE_BYTES,
      {
        min: 1,
      },
    ),
    timeoutMargin: integerOption(o.timeoutMargin, 'timeoutMargin', 1000),
    startupTimeout: integerOption(o.startupTimeout, 'startupTimeout', 10_000, { min: 1 }),
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
 * from the worker arrive as the same classes, with the same fields.
 *
 * @example
 * ```ts
 * const transport = createBlockingTransport({ timeout: 5000 });
 * const client = new RickMortyClient({ transport });
 * console.log(client.getCharacter(1).name); // Rick Sanchez
 * await transport.close();
 * ```
 *
 * Note: blocking is impossible on a browser's main thread; there `requestSync` throws a
 * `BlockingUnavailableError`, and the client's message names the async twin to call instead.
 * Note: an `AbortSignal` is only checked before the request starts; the waiting thread cannot
 * see it fire.
 */
export function createBlockingTransport(
  options: BlockingTransportOptions = {},
): BlockingHttpTransport {
  const checked = checkOptions(options);
  const { timeout: defaultTimeout, maxResponseBytes: defaultMax, timeoutMargin: margin } = checked;
  let running: Running | undefined;
  let nextId = 1;

  function stop(target: Running | undefined): Promise<void> {
    if (!target) return Promise.resolve();
    if (running === target) running = undefined;
    target.port.close();
    return target.worker.terminate().then(() => undefined);
  }

  /** Waits until a reply with `id` arrives or the deadline passes; drops stale replies. */
  function await_(target: Running, id: number, deadline: number): Reply | undefined {
    const threads = workerThreads()!;
    for (;;) {
      const seen = Atomics.load(target.cell, 0);
      for (
        let message = threads.receiveMessageOnPort(target.port);
        message;
        message = threads.receiveMessageOnPort(target.port)
      ) {
        const reply = message.message as Reply;
        if ('fatal' in reply) {
          target.dead = deserializeError(reply.error);
          return reply;
        }
        if (reply.id === id) return reply;
        // Anything else answers a request that already timed out: drop it.
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      blockingWait(target.cell, seen, remaining);
    }
  }

  function start(): Running {
    const threads = workerThreads();
    if (!threads) {
      throw new BlockingUnavailableError(
        'Blocking requests need Node.js worker threads, which this environment lacks; use the async twin',
      );
    }
    const { port1, port2 } = new threads.MessageChannel();
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const entry = workerEntry('blocking-worker', import.meta.url, { port: port2, cell });
    let worker: WorkerThreads.Worker;
    try {
      worker = new threads.Worker(entry.url, {
        workerData: entry.workerData,
        transferList: [port2],
      });
    } catch (error) {
      throw new WorkerError('The blocking transport could not start its worker thread', {
        cause: error,
      });
    }
    const target: Running = { worker, port: port1, cell, dead: undefined };
    worker.unref();
    port1.unref();
    // Without listeners an 'error' event would crash the program; record it instead.
    worker.on('error', (error) => {
      target.dead = error;
    });
    worker.on('exit', () => {
      target.dead ??= new WorkerError('The blocking transport worker exited');
      if (running === target) running = undefined;
    });
    const ready = await_(target, 0, Date.now() + checked.startupTimeout);
    if (!ready || !('ready' in ready)) {
      void stop(target);
      throw new WorkerError(
        ready
          ? 'The blocking transport worker failed to start'
          : `The blocking transport worker did not start within ${checked.startupTimeout} ms`,
        { cause: target.dead },
      );
    }
    return target;
  }

  return {
    rebuild: { builtin: 'blocking', options: checked },
    defaults: { timeout: defaultTimeout, maxResponseBytes: defaultMax },

    requestSync(request: TransportRequest): TransportResponse {
      throwIfAborted(request.signal);
      if (running?.dead) void stop(running);
      running ??= start();
      const target = running;
      const id = nextId++;
      const timeout = request.timeout ?? defaultTimeout;
      const maxResponseBytes = request.maxResponseBytes ?? defaultMax;
      // A signal cannot cross threads; the worker gets everything else.
      const { signal: _signal, ...plain } = request;
      target.port.postMessage({ id, request: { ...plain, timeout, maxResponseBytes } });
      const reply = await_(target, id, Date.now() + timeout + margin);
      if (!reply) {
        // The worker did not answer even after its own timeout: treat it as stuck and replace it.
        void stop(target);
        throw new TimeoutError({ method: request.method, url: request.url, timeout });
      }
      if ('fatal' in reply) {
        void stop(target);
        throw new WorkerError('The blocking transport worker crashed', { cause: target.dead });
      }
      if ('ready' in reply)
        throw new WorkerError('Unexpected reply from the blocking transport worker');
      if (reply.ok) return reply.response;
      throw deserializeError(reply.error);
    },

    close(): Promise<void> {
      return stop(running);
    },
  };
}
