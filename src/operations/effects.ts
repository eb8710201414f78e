import gensync from 'gensync';
import { AbortError, BlockingUnavailableError } from '../errors.js';

/**
 * The few effects an operation may ask for. Each is one `gensync` leaf with a blocking and an async
 * implementation; every operation is a generator written once against these leaves, and
 * `gensync` derives its blocking (`.sync`) and async (`.async`) twins.
 */
export type Handler<T> = gensync.Handler<T>;

/** Throws our `AbortError` if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

let sleepCell: Int32Array | undefined;

function sleepBlocking(ms: number, signal?: AbortSignal): void {
  throwIfAborted(signal);
  if (ms <= 0) return;
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  try {
    // Nobody ever notifies this cell, so the wait always runs to its timeout: a sleep that does not
    // burn CPU and works on any thread where blocking is allowed.
    Atomics.wait(sleepCell, 0, 0, ms);
  } catch (error) {
    throw new BlockingUnavailableError(
      'Blocking waits are not allowed on this thread (a browser main thread); use the async twin',
      { cause: error },
    );
  }
  throwIfAborted(signal);
}

function sleepAsync(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError(signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(signal?.reason));
    };
    // `setTimeout` fires after 1 ms when given more than 2^31 - 1 ms; an endless wait (an
    // `Infinity` delay) ends only by abort.
    const timer = Number.isFinite(ms)
      ? setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.min(ms, 2 ** 31 - 1),
        )
      : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms` milliseconds: `Atomics.wait` in the blocking half, a timer in the async half. */
export const sleep = gensync<[ms: number, signal?: AbortSignal], void>({
  sync: sleepBlocking,
  async: sleepAsync,
});

/** Runs every handler: one after another in the blocking half, together in the async half. */
export function all<T>(handlers: Iterable<Handler<T>>): Handler<T[]> {
  return gensync.all(handlers);
}

/** Whether `value` looks like a promise (any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** @internal The cache settings an operation runs with. */
export interface CacheSettings {
  readonly store: import('../cache.js').CacheStore;
  readonly ttl: number;
}

function refuseThenable(value: unknown, what: string): unknown {
  if (!isThenable(value)) return value;
  Promise.resolve(value).catch(() => {});
  throw new BlockingUnavailableError(
    `The cache store's ${what}() returned a promise, which a blocking twin cannot wait for; give blocking code a store that answers at once (createMemoryCache()), or use the async twins`,
  );
}

/** Reads the cache: at once in the blocking half, awaiting the store in the async half. */
export const cacheGet = gensync<[cache: CacheSettings, key: string], unknown>({
  sync: (cache, key) => refuseThenable(cache.store.get(key), 'get'),
  async: async (cache, key) => cache.store.get(key),
});

/** Writes the cache, like `cacheGet`. */
export const cacheSet = gensync<[cache: CacheSettings, key: string, value: unknown], void>({
  sync: (cache, key, value) => {
    refuseThenable(cache.store.set(key, value, cache.ttl), 'set');
  },
  async: async (cache, key, value) => {
    await cache.store.set(key, value, cache.ttl);
  },
});
