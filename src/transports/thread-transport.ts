/**
 * `makeAsync` of a transport: the transport its recipe names runs on a worker thread (the very
 * thread the blocking transport uses, `blocking-worker.ts`), which this thread talks to without
 * blocking. An async transport (the built-in one, or a factory's `createHttpTransport`) waits on
 * the network there, not on the thread, so one thread carries every request at once, however many
 * the client lets be in flight: a pool of threads, one a request, would overlap no more and cost a
 * thread's start-up (an isolate, Node's internals, `fetch`) a request. A transport that can only
 * block would hold up the thread; its requests go to the pool of `makeAsync`, one thread each.
 *
 * @module
 */
import type * as WorkerThreads from 'node:worker_threads';
import { AbortError, TimeoutError, WorkerError } from '../errors/classes.js';
import { deserializeError, type SerializedError } from '../errors/wire.js';
import { DEFAULT_TIMEOUT } from '../internal/constants.js';
import type { RebuildRecipe } from './recipe.js';
import type { AsyncTransport, TransportRequest, TransportResponse } from './types.js';
import { startBlockingWorker } from './worker-thread.js';

type Reply =
  | { id: number; ok: true; response: TransportResponse }
  | { id: number; ok: false; error: SerializedError }
  | { id: 0; ready: true; overlaps: boolean }
  | { id: 0; fatal: true; error: SerializedError }
  | { id: 0; refused: true; error: SerializedError };

interface Pending {
  resolve(response: TransportResponse): void;
  reject(error: unknown): void;
}

/** How much longer than a request's timeout this thread waits for the worker's answer. */
const MARGIN = 1000;

/** One worker thread and the requests it is serving. */
interface Thread {
  readonly worker: WorkerThreads.Worker;
  readonly port: WorkerThreads.MessagePort;
  readonly pending: Map<number, Pending>;
  /** Known once the thread is ready: whether its transport lets requests overlap. */
  overlaps: boolean | undefined;
  /** Requests that arrived before it was known, sent (or sent elsewhere) once it is. */
  readonly waiting: (() => void)[];
}

/** The error for a thread that failed or exited, before it was ready or during a call. */
function threadFailure(thread: Thread, what: { error: Error } | { code: number }): WorkerError {
  const when = thread.overlaps === undefined ? 'before it could start' : 'during the call';
  return 'error' in what
    ? new WorkerError(`makeAsync: the worker thread crashed ${when} (${what.error.message})`, {
        cause: what.error,
      })
    : new WorkerError(`makeAsync: the worker thread exited with code ${what.code} ${when}`);
}

/**
 * An async transport running `recipe` on a worker thread; `fallback` takes the requests when the
 * transport turns out to block its thread.
 */
export class ThreadTransport implements AsyncTransport {
  readonly #threads: typeof WorkerThreads;
  readonly #recipe: RebuildRecipe;
  readonly #fallback: (request: TransportRequest) => Promise<TransportResponse>;
  /** Only for the wait's guard: the worker's transport applies its own default. */
  readonly #defaultTimeout: number;
  #current: Thread | undefined;
  #nextId = 1;

  constructor(
    threads: typeof WorkerThreads,
    recipe: RebuildRecipe,
    fallback: (request: TransportRequest) => Promise<TransportResponse>,
  ) {
    this.#threads = threads;
    this.#recipe = recipe;
    this.#fallback = fallback;
    this.#defaultTimeout = ('builtin' in recipe && recipe.options.timeout) || DEFAULT_TIMEOUT;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    if (request.signal?.aborted) return Promise.reject(new AbortError(request.signal.reason));
    if (this.#current?.overlaps === false) return this.#fallback(request);
    try {
      this.#current ??= this.#start();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(this.#current, request);
  }

  async close(): Promise<void> {
    const thread = this.#current;
    this.#current = undefined;
    if (!thread) return;
    this.#lose(thread, new WorkerError('makeAsync: the transport was closed during the call'));
    await thread.worker.terminate();
  }

  /** Fails every request of a thread that is gone, and forgets the thread. */
  #lose(thread: Thread, error: unknown): void {
    if (this.#current === thread) this.#current = undefined;
    const waiting = [...thread.pending.values()];
    thread.pending.clear();
    thread.port.close();
    for (const { reject } of waiting) reject(error);
    void thread.worker.terminate();
  }

  #onReply(thread: Thread, reply: Reply): void {
    if ('ready' in reply) {
      thread.overlaps = reply.overlaps;
      for (const go of thread.waiting.splice(0)) go();
      return;
    }
    if ('fatal' in reply || 'refused' in reply) {
      const cause = deserializeError(reply.error);
      // A factory that failed: the same error the other halves throw. Anything else: the thread.
      // (A `fatal` comes only from a thread with a parked caller's cell, which this one has not.)
      this.#lose(
        thread,
        'refused' in reply
          ? cause
          : new WorkerError(`makeAsync: the worker thread crashed (${cause.message})`, { cause }),
      );
      return;
    }
    const waiter = thread.pending.get(reply.id);
    thread.pending.delete(reply.id);
    // Nothing in flight: an idle thread must not keep the program alive.
    if (thread.pending.size === 0) thread.port.unref();
    if (!waiter) return;
    if (reply.ok) waiter.resolve(reply.response);
    else waiter.reject(deserializeError(reply.error));
  }

  #start(): Thread {
    const threads = this.#threads;
    // No shared cell: that is for a caller parked in Atomics.wait, and this one never is. It sees
    // the thread's 'error' and 'exit' events instead.
    const { worker, port } = startBlockingWorker(threads, { recipe: this.#recipe }, 'makeAsync');
    const thread: Thread = {
      worker,
      port,
      pending: new Map(),
      overlaps: undefined,
      waiting: [],
    };
    worker.unref();
    port.on('message', (reply: Reply) => this.#onReply(thread, reply));
    // Replies the thread sent before it ended come first: a factory's failure, say.
    const drain = () => {
      for (let m = threads.receiveMessageOnPort(port); m; m = threads.receiveMessageOnPort(port)) {
        this.#onReply(thread, m.message as Reply);
      }
    };
    worker.on('error', (error) => {
      drain();
      this.#lose(thread, threadFailure(thread, { error }));
    });
    worker.on('exit', (code) => {
      drain();
      this.#lose(thread, threadFailure(thread, { code }));
    });
    return thread;
  }

  #send(thread: Thread, request: TransportRequest): Promise<TransportResponse> {
    const { signal, ...plain } = request;
    const id = this.#nextId++;
    const timeout = request.timeout ?? this.#defaultTimeout;
    return new Promise<TransportResponse>((resolve, reject) => {
      let guard: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(guard);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (!thread.pending.delete(id)) return;
        done();
        thread.port.postMessage({ cancel: id });
        reject(new AbortError(signal?.reason));
      };
      thread.pending.set(id, {
        resolve: (response) => {
          done();
          resolve(response);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      thread.port.ref();
      const post = () => {
        if (!thread.pending.has(id)) return;
        if (thread.overlaps === false) {
          // The transport blocks its thread: this request goes to the pool instead.
          thread.pending.delete(id);
          if (thread.pending.size === 0) thread.port.unref();
          done();
          this.#fallback(request).then(resolve, reject);
          return;
        }
        // The worker times the request out itself; this only ends the wait when a transport of
        // the user's does not.
        guard = setTimeout(() => {
          const late = new TimeoutError({ method: request.method, url: request.url, timeout });
          thread.pending.get(id)?.reject(late);
          thread.pending.delete(id);
          thread.port.postMessage({ cancel: id });
        }, timeout + MARGIN);
        thread.port.postMessage({ id, request: plain });
      };
      if (thread.overlaps === undefined) thread.waiting.push(post);
      else post();
    });
  }
}
