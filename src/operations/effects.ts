import gensync from 'gensync';
import { BlockingUnavailableError } from '../errors/classes.js';
import {
  blockingWait,
  isThenable,
  raceAbort,
  sharedCell,
  throwIfAborted,
} from '../internal/async.js';
import { MAX_TIMER_DELAY } from '../internal/constants.js';
import type { CacheStore } from './cache.js';

/**
 * The few effects an operation may ask for. Each is one `gensync` leaf with a blocking and an async
 * implementation; every operation is a generator written once against these leaves, and
 * `gensync` derives its blocking (`.sync`) and async (`.async`) twins. The transport call, `send`,
 * is the dispatcher's leaf (src/client/dispatcher.ts), handed to operations in their context.
 */
export type Handler<T> = gensync.Handler<T>;

let sleepCell: Int32Array | undefined;

function sleepBlocking(ms: number, signal?: AbortSignal): void {
  throwIfAborted(signal);
  if (ms <= 0) return;
  sleepCell ??= sharedCell();
  // Nobody ever notifies this cell, so the wait always runs to its timeout: a sleep that does not
  // burn CPU and works on any thread where blocking is allowed.
  blockingWait(sleepCell, 0, ms);
  throwIfAborted(signal);
}

function sleepAsync(ms: number, signal?: AbortSignal): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // An endless wait (an `Infinity` delay) ends only by abort; a finite one longer than a timer can
  // hold is cut to the longest it can.
  const elapsed = new Promise<void>((resolve) => {
    if (Number.isFinite(ms) && !signal?.aborted) {
      timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_DELAY));
    }
  });
  return raceAbort(elapsed, signal, { onAbort: () => clearTimeout(timer) });
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

/** Runs the handler `make` makes, in the half its caller runs in. */
const runMade = gensync(function* (make: () => Handler<unknown>): Handler<unknown> {
  return yield* make();
});

/**
 * Runs `makes.length` handlers at most `window` at a time in the async half, starting the next as
 * one ends, in order of `makes`; in the blocking half one after another. Resolves with their
 * results in order; on the first failure it starts no more and fails with it.
 */
const windowed = gensync<[makes: readonly (() => Handler<unknown>)[], window: number], unknown[]>({
  sync: (makes) => makes.map((make) => runMade.sync(make)),
  async: (makes, window) =>
    new Promise<unknown[]>((resolve, reject) => {
      const results: unknown[] = new Array(makes.length);
      let started = 0;
      let finished = 0;
      let failed = false;
      const startNext = () => {
        if (failed || started >= makes.length) return;
        const index = started++;
        runMade.async(makes[index]!).then(
          (value) => {
            results[index] = value;
            if (++finished === makes.length) resolve(results);
            else startNext();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      };
      if (makes.length === 0) resolve(results);
      for (let slot = 0; slot < Math.min(window, makes.length); slot++) startNext();
    }),
});

/**
 * Runs the handlers `makes` make, like `all`, but in the async half at most `window` at a time:
 * a call of 8,000 requests starts a few dozen operations at once and the next as one ends, rather
 * than 8,000 in one turn of the event loop, which would hold it for as long as starting them takes.
 * The dispatcher's `concurrency` still caps the requests in flight.
 */
export function allWithin<T>(makes: readonly (() => Handler<T>)[], window: number): Handler<T[]> {
  return windowed(makes, window) as Handler<T[]>;
}

/** @internal The cache settings an operation runs with. */
export interface CacheSettings {
  readonly store: CacheStore;
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
