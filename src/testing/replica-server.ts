import {
  ArgumentRangeError,
  InvalidArgumentError,
  RickMortyError,
  WorkerError,
} from '../errors/classes.js';
import {
  assertOptionsObject,
  describeValue,
  integerOption,
  millisecondsOption,
} from '../internal/checks.js';
import { nodeBuiltin } from '../internal/node.js';
import { workerEntry } from '../transports/worker-entry.js';
import { startWorker } from '../transports/worker-thread.js';
import { checkDataset, type Dataset } from './dataset.js';

/**
 * Faults the replica server injects, each a probability from 0 to 1 drawn per request from a
 * seeded generator, so that a run can be replayed. At most one fault hits a request; when the
 * probabilities add up to more than 1, the earlier ones in this list win: `hang`, `reset`,
 * `truncate`, `rateLimit`, `serverError`. CORS preflights are never faulted.
 *
 * @example
 * ```ts
 * // One page request in ten fails with a 5xx, one in twenty is rate limited for 2 s.
 * const faults: FaultOptions = { serverError: 0.1, rateLimit: 0.05, retryAfterSeconds: 2, paths: /page=/ };
 * const server = await startReplicaServer({ faults, seed: 1 });
 * ```
 */
export interface FaultOptions {
  /** Answer 500, 502 or 503 with a JSON error body. */
  serverError?: number;
  /** Answer 429 with a `Retry-After` header and the body `{"error":"Too many requests"}`. */
  rateLimit?: number;
  /** The `Retry-After` of a 429, in seconds; 1 by default, and 0 is allowed. */
  retryAfterSeconds?: number;
  /** Reset the connection without answering. */
  reset?: number;
  /** Send the headers with the full `content-length` but only half of the body, then hang up. */
  truncate?: number;
  /** Never answer (until the client gives up or the server closes). */
  hang?: number;
  /**
   * Only requests whose path and query match are subject to faults: a substring, or a regular
   * expression tested against e.g. `/api/character?page=2`. All requests by default.
   */
  paths?: RegExp | string;
}

/** Options of `startReplicaServer`. */
export interface ReplicaServerOptions {
  /**
   * The records to serve: a dataset, or `{ directory }` holding `characters.json`,
   * `locations.json` and `episodes.json` (read inside the worker). Defaults to
   * `generateDataset()`.
   */
  data?: Dataset | { directory: string };
  /** Delay before each answer, in milliseconds. */
  latencyMs?: number;
  /** Faults to inject; none by default. */
  faults?: FaultOptions;
  /** Seed of the fault generator; the same seed gives the same faults for the same requests. */
  seed?: number;
  /** Port to listen on; 0 (any free port) by default. */
  port?: number;
  /** Address to listen on; `127.0.0.1` by default. */
  host?: string;
}

/** What the replica server has seen since it started or since `resetStats()`. */
export interface ReplicaStats {
  /** Requests received, preflights included. */
  requests: number;
  /** The most requests being answered at once. */
  maxInFlight: number;
  /** Requests being answered now (hanging ones included). */
  inFlight: number;
  /**
   * Requests whose connection closed before their answer was complete: the client gave up (an
   * abort, a timeout) or the server cut them (faults, `close()`).
   */
  aborted: number;
  /** Requests by path, without the query: `{ '/api/character': 3 }`. */
  byPath: Record<string, number>;
  /** Injected faults by kind: `{ serverError: 2, hang: 1 }`. */
  faults: Record<string, number>;
}

/** A running replica server; close it when done (or use `await using`). */
export interface ReplicaServer {
  /** The API's base URL on this server, e.g. `http://127.0.0.1:53117/api`. */
  readonly url: string;
  /** Counts kept by the server. */
  stats(): Promise<ReplicaStats>;
  /** Zeroes the counts (`maxInFlight` restarts from the requests in flight now). */
  resetStats(): Promise<void>;
  /** Stops the server, drops every connection (hanging ones too) and ends its worker thread. */
  close(): Promise<void>;
  /** `await using replica = await startReplicaServer()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * What the worker gets in `workerData`.
 *
 * @internal
 */
export interface ReplicaWorkerData {
  readonly data?: Dataset;
  readonly directory?: string;
  readonly latencyMs: number;
  readonly faults: FaultOptions;
  readonly seed: number;
  readonly port: number;
  readonly host: string;
}

/**
 * A question from `startReplicaServer` to its worker; the worker answers each with a `reply` of
 * the same `id`.
 *
 * @internal
 */
export type ReplicaRequest =
  | { readonly id: number; readonly type: 'stats' }
  | { readonly id: number; readonly type: 'resetStats' }
  | { readonly id: number; readonly type: 'close' };

/**
 * A message from the worker: `ready` once it listens, then one `reply` per question.
 *
 * @internal
 */
export type ReplicaReply =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'reply'; readonly id: number; readonly stats?: ReplicaStats };

const PROBABILITIES = ['serverError', 'rateLimit', 'reset', 'truncate', 'hang'] as const;
const FAULT_KEYS = [...PROBABILITIES, 'retryAfterSeconds', 'paths'] as const;
const REPLICA_KEYS = ['data', 'latencyMs', 'faults', 'seed', 'port', 'host'] as const;

function checkFaults(value: unknown): FaultOptions {
  const o = assertOptionsObject(value, 'faults', FAULT_KEYS);
  const faults: FaultOptions = {};
  for (const key of PROBABILITIES) {
    const probability = o[key];
    if (probability === undefined) continue;
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      throw new ArgumentRangeError(
        `Expected \`faults.${key}\` to be a probability from 0 to 1, got ${describeValue(probability)}`,
      );
    }
    faults[key] = probability;
  }
  const retryAfter = o.retryAfterSeconds;
  if (retryAfter !== undefined) {
    if (typeof retryAfter !== 'number' || !(Number.isFinite(retryAfter) && retryAfter >= 0)) {
      throw new ArgumentRangeError(
        `Expected \`faults.retryAfterSeconds\` to be a number of seconds from 0, got ${describeValue(retryAfter)}`,
      );
    }
    faults.retryAfterSeconds = retryAfter;
  }
  const paths = o.paths;
  if (paths !== undefined) {
    if (typeof paths !== 'string' && !(paths instanceof RegExp)) {
      throw new InvalidArgumentError(
        `Expected \`faults.paths\` to be a string or a RegExp, got ${describeValue(paths)}`,
      );
    }
    faults.paths = paths;
  }
  return faults;
}

function checkData(value: unknown): Pick<ReplicaWorkerData, 'data' | 'directory'> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && 'directory' in value) {
    const directory = (value as { directory: unknown }).directory;
    if (typeof directory !== 'string' || directory === '') {
      throw new InvalidArgumentError(
        `Expected \`data.directory\` to be the path of a directory, got ${describeValue(directory)}`,
      );
    }
    return { directory };
  }
  return { data: checkDataset(value) };
}

/**
 * Checks the options from plain JavaScript as well as TypeScript, each read once, and returns what
 * the worker gets: a mistake is an `InvalidArgumentError` or `ArgumentRangeError` here, not a
 * failure inside the worker thread.
 */
function checkOptions(options: unknown): ReplicaWorkerData {
  const o = assertOptionsObject(options, 'options', REPLICA_KEYS);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new InvalidArgumentError(
      `Expected \`host\` to be an address, got ${describeValue(host)}`,
    );
  }
  return {
    ...checkData(o.data),
    latencyMs: millisecondsOption(o.latencyMs, 'latencyMs'),
    faults: checkFaults(o.faults),
    seed: integerOption(o.seed, 'seed', 1, { min: Number.MIN_SAFE_INTEGER }),
    port: integerOption(o.port, 'port', 0, { max: 65_535 }),
    host,
  };
}

/**
 * Starts a real HTTP server on 127.0.0.1 that replicates the Rick and Morty API (the same fake
 * API the mock transport uses) with CORS, optional latency, and seeded fault injection: 5xx
 * answers, 429 with `Retry-After`, connection resets, truncated bodies, and requests that never
 * get an answer. Use it to test the client's real transports, retries and timeouts end to end.
 *
 * The server runs in a worker thread, not on the caller's thread: the client's blocking
 * transport parks the calling thread in `Atomics.wait`, which would starve a server on that
 * thread and deadlock. The worker is unref'd, so a program that forgets `close()` still exits.
 *
 * @example
 * ```ts
 * await using server = await startReplicaServer({ faults: { serverError: 0.2 }, seed: 7 });
 * const response = await fetch(`${server.url}/character/1`);
 * // 200 with Rick Sanchez, or (one time in five, the same times on every run) a 5xx
 * (await server.stats()).requests; // 1
 * ```
 */
export async function startReplicaServer(options?: ReplicaServerOptions): Promise<ReplicaServer> {
  const init = checkOptions(options);
  const entry = workerEntry('replica-worker', import.meta.url, { ...init });
  // Looked up at run time, not imported, so that the testing entry point (which also holds the
  // mock transport) can be bundled for a browser.
  const threads = nodeBuiltin('node:worker_threads');
  if (!threads) throw new RickMortyError('startReplicaServer needs Node.js 20.19 or later');
  const worker = startWorker(threads, { entry: entry.url, workerData: entry.workerData });

  const pending = new Map<
    number,
    { resolve: (reply: ReplicaReply) => void; reject: (error: unknown) => void }
  >();
  let nextId = 1;
  let failure: Error | undefined;

  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };

  const url = await new Promise<string>((resolve, reject) => {
    const onMessage = (message: ReplicaReply) => {
      if (message.type !== 'ready') return;
      cleanup();
      resolve(message.url);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(
        new WorkerError(`The replica server failed to start: ${error.message}`, { cause: error }),
      );
    };
    const onExit = (code: number) => {
      cleanup();
      reject(
        new WorkerError(`The replica server's worker exited with code ${code} before it started`),
      );
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on('message', (message: ReplicaReply) => {
    if (message.type !== 'reply') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    waiter?.resolve(message);
  });
  worker.on('error', (error) =>
    fail(new WorkerError(`The replica server failed: ${error.message}`, { cause: error })),
  );
  worker.on('exit', () => fail(new WorkerError('The replica server is closed')));
  // Only a pending question keeps the program alive; a forgotten server must not.
  worker.unref();

  function ask(type: ReplicaRequest['type']): Promise<ReplicaReply> {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<ReplicaReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, type } satisfies ReplicaRequest);
    });
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // The worker drops its connections itself, so that clients see them close at once.
      await ask('close').catch(() => undefined);
      await worker.terminate();
      worker.removeAllListeners();
    })();
    return closing;
  };

  return {
    url,
    async stats() {
      const reply = await ask('stats');
      if (reply.type !== 'reply' || !reply.stats) {
        throw new WorkerError('The replica server sent no stats');
      }
      return reply.stats;
    },
    async resetStats() {
      await ask('resetStats');
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
