import { assertOptionsObject, integerOption } from '../internal/checks.js';

/**
 * Where the client keeps answers it may reuse. Both halves share one store, so a record read by a
 * blocking twin is served to its async twin and the other way round.
 *
 * A store may answer with promises (a Keyv-style store over Redis, say); the async twins await them.
 * Note: the blocking twins cannot wait for a promise, so with an async store they raise a
 * `BlockingUnavailableError`; give blocking code a store that answers at once, such as
 * `createMemoryCache()`.
 */
export interface CacheStore {
  /** The value under `key`, or `undefined` when there is none (or it expired). */
  get(key: string): unknown | Promise<unknown>;
  /** Keeps `value` under `key` for `ttl` milliseconds. */
  set(key: string, value: unknown, ttl: number): void | Promise<unknown>;
  /** Forgets `key`. */
  delete?(key: string): void | Promise<unknown>;
  /** Forgets everything. */
  clear?(): void | Promise<unknown>;
}

/** Options of `createMemoryCache`. */
export interface MemoryCacheOptions {
  /** The most entries to keep; the least recently used go first. Default: 1000. */
  maxEntries?: number;
}

/**
 * An in-memory store that forgets the least recently used entry when it is full and every entry
 * when its time-to-live runs out.
 *
 * @example
 * ```ts
 * const client = new RickMortyClient({ cache: { store: createMemoryCache({ maxEntries: 500 }), ttl: 60_000 } });
 * ```
 */
export function createMemoryCache(
  options: MemoryCacheOptions = {},
): CacheStore & { readonly size: number } {
  const o = assertOptionsObject(options, 'options', ['maxEntries']);
  const maxEntries = integerOption(o.maxEntries, 'maxEntries', 1000, { min: 1 });
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    get size() {
      return entries.size;
    },
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expires <= Date.now()) return undefined;
      // Re-inserting moves the entry to the end: Map order is the recency order.
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, ttl) {
      entries.delete(key);
      entries.set(key, { value, expires: Date.now() + ttl });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}
