/**
 * The client's options and a call's options: their types, their checks, and the settings they
 * resolve to. Checked once, when the client is made; a call checks only its own.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors/classes.js';
import {
  assertBaseUrl,
  assertOptionsObject,
  booleanOption,
  headersOption,
  integerOption,
  signalOption,
} from '../internal/checks.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT,
} from '../internal/constants.js';
import { VERSION } from '../internal/version.js';
import { type CacheStore, createMemoryCache } from '../operations/cache.js';
import type { CacheSettings } from '../operations/effects.js';
import { type Hooks, resolveHooks } from '../operations/hooks.js';
import type { BatchSettings, RequestContext } from '../operations/request.js';
import {
  type Logger,
  RETRY_KEYS,
  type RetryOptions,
  resolveRetryPolicy,
} from '../operations/retry.js';
import { isAsyncTransport, isBlockingTransport, type Transport } from '../transports/types.js';
import {
  type BlockingDetector,
  type BlockingDetectorOptions,
  createBlockingDetector,
} from './blocking-detector.js';

/** Options of `new RickMortyClient(options)`. Every one is optional. */
export interface ClientOptions {
  /** The API's base URL. Default: `https://rickandmortyapi.com/api`. */
  baseUrl?: string;
  /**
   * How requests are sent. An async transport (`request`) serves the async twins, a blocking one
   * (`requestSync`) the blocking twins; the mock transport serves both. Default: an HTTP
   * transport (ky) for the async twins and a blocking transport (a worker thread) for the
   * blocking twins. Given only a blocking transport that can rebuild itself (such as
   * `createBlockingTransport()`), the async twins run it through `makeAsync`.
   * Note: the client closes the transports it creates, not the ones it is given.
   */
  transport?: Transport;
  /** How many requests the async twins keep in flight at once. Default: 10. */
  concurrency?: number;
  /**
   * Whether `getCharacters` and its kin read through the batch endpoint (`/character/1,10,100`),
   * and how many ids go in one request. `false` sends one request per id. Default: `true`, with
   * at most 100 ids a request.
   */
  batch?: boolean | { size?: number };
  /** How many times to retry a failed request (timeouts, 429, 5xx, resets). Default: 2. */
  retries?: number;
  /** Backoff settings of the retries; see `RetryOptions`. */
  retry?: Pick<
    RetryOptions,
    'minDelay' | 'maxDelay' | 'factor' | 'jitter' | 'maxRetryAfter' | 'shouldRetry' | 'onRetry'
  >;
  /**
   * Milliseconds before one request is aborted with a `TimeoutError`. Default: the transport's own
   * `timeout` when you give one, else 10000. A call's `timeout` overrides it.
   */
  timeout?: number;
  /**
   * The largest response body accepted, in bytes. Default: the transport's own `maxResponseBytes`
   * when you give one, else 5 MiB. A call's `maxResponseBytes` overrides it.
   */
  maxResponseBytes?: number;
  /** How many redirects one request may follow. Default: 5. */
  maxRedirects?: number;
  /**
   * The most records one walk over every page (`getAllCharacters`, `iterateCharacters` and their
   * kin) may read. A list whose first page claims more fails at once with a `ResponseError` whose
   * `code` is `TOO_MANY_RECORDS`, so that a server that claims 50 million pages cannot make the
   * client ask for them. Default: 50000 (the live API has fewer than 1000 of anything).
   */
  maxRecords?: number;
  /**
   * Headers sent with every request (dropped when a redirect leaves the API's origin). On Node
   * (and Bun, Deno) the client sends `User-Agent: rickmorty-client/<version>` unless these name a
   * `User-Agent` of their own; browsers, which forbid setting it, send theirs.
   */
  headers?: Record<string, string>;
  /**
   * Functions run on every request, by both halves, with ky's names: `beforeRequest` (change the
   * headers or the query), `afterResponse` (see or replace the answer before it is checked and
   * validated) and `beforeRetry`. In the blocking half a hook must not return a promise. See
   * `Hooks` and docs/observability.md.
   */
  hooks?: Hooks;
  /** Where to log requests (`debug`) and retries (`warn`). Default: nowhere. */
  logger?: Logger;
  /**
   * Keep answers for reuse, shared by both halves: `true` for an in-memory cache (1000 entries,
   * five minutes), or settings with your own `store` (see `CacheStore`). Records read by a batch
   * are filed one by one, so `getCharacter(1)` finds what `getCharacters([1, 2])` brought.
   * Default: off.
   */
  cache?: boolean | { ttl?: number; maxEntries?: number; store?: CacheStore };
  /**
   * Share one request among async calls that ask for the same URL, with the same timeout and size
   * cap, while it is in flight, so two concurrent `getCharacterAsync(1)` make one request. Each
   * call keeps its own signal. Default: true.
   */
  dedupe?: boolean;
  /**
   * Report blocking twins called inside async code, or holding the thread longer than a threshold
   * (as asyncio's debug mode reports slow callbacks), naming the call site and the async twin to
   * use there: the to-do list of the next migration step. `true` logs with `console.warn`; pass
   * `{ thresholdMs, onReport }` to choose. Meant for development. Default: off.
   */
  detectBlocking?: boolean | BlockingDetectorOptions;
}

/** The options of `new RickMortyClient(options)`: another name for `ClientOptions`. */
export type RickMortyClientOptions = ClientOptions;

/** Options of one call. */
export interface CallOptions {
  /**
   * Aborts the call: requests in flight and waits between retries end with an `AbortError`.
   * Note: a blocking twin checks the signal only between requests; it cannot see it fire while
   * its thread waits.
   */
  signal?: AbortSignal;
  /** Milliseconds before each request of this call is aborted; overrides the client's `timeout`. */
  timeout?: number;
  /** The largest response body this call accepts, in bytes; overrides the client's. */
  maxResponseBytes?: number;
}

/** The client's settings, checked and filled in. */
export interface ClientSettings {
  readonly baseUrl: string;
  /** What every call's context starts from; the dispatcher adds `send`, each call its signal. */
  readonly request: Omit<RequestContext, 'send' | 'signal'>;
  /** The transport the client was given, if any. */
  readonly transport: Transport | undefined;
  readonly concurrency: number;
  readonly dedupe: boolean;
  readonly detector: BlockingDetector | undefined;
}

const CLIENT_KEYS = [
  'baseUrl',
  'transport',
  'concurrency',
  'batch',
  'retries',
  'retry',
  'timeout',
  'maxResponseBytes',
  'maxRedirects',
  'maxRecords',
  'headers',
  'hooks',
  'logger',
  'cache',
  'dedupe',
  'detectBlocking',
] as const;
// The backoff settings of `retry`: the retry options the client sets itself are left out.
const RETRY_TUNING_KEYS = RETRY_KEYS.filter(
  (key) => key !== 'retries' && key !== 'signal' && key !== 'logger',
);
const CALL_KEYS = ['signal', 'timeout', 'maxResponseBytes'] as const;

/** How long `cache: true` keeps an answer: five minutes. */
const DEFAULT_CACHE_TTL = 5 * 60_000;
const DEFAULT_CACHE_ENTRIES = 1000;
const DEFAULT_BATCH_SIZE = 100;
/** The fewest operations of one call the async half keeps started (see `allWithin`). */
const MIN_WINDOW = 32;
/** The most records a walk reads: sixty times the live API's largest list. */
const DEFAULT_MAX_RECORDS = 50_000;

function checkCache(value: unknown): CacheSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { store: createMemoryCache(), ttl: DEFAULT_CACHE_TTL };
  const o = assertOptionsObject(value, 'cache', ['ttl', 'maxEntries', 'store']);
  const ttl = integerOption(o.ttl, 'cache.ttl', DEFAULT_CACHE_TTL, { min: 1 });
  if (o.store !== undefined) {
    const store = o.store as Partial<CacheStore> | null;
    if (typeof store?.get !== 'function' || typeof store.set !== 'function') {
      throw new InvalidArgumentError('Expected `cache.store` to have `get` and `set` methods');
    }
    if (o.maxEntries !== undefined) {
      throw new InvalidArgumentError(
        '`cache.maxEntries` applies to the built-in store only; set it on your own store',
      );
    }
    return { store: store as CacheStore, ttl };
  }
  const maxEntries = integerOption(o.maxEntries, 'cache.maxEntries', DEFAULT_CACHE_ENTRIES, {
    min: 1,
  });
  return { store: createMemoryCache({ maxEntries }), ttl };
}

/**
 * The headers every request starts from: `User-Agent: rickmorty-client/<version>` where a program
 * may set it (not in a browser, where it is forbidden and would cost every request a CORS
 * preflight), then the user's own (checked by `headersOption`), which may replace it.
 */
function withUserAgent(headers: Record<string, string>): Record<string, string> {
  const isServer = typeof globalThis.process?.versions?.node === 'string';
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent');
  if (!isServer || named) return headers;
  // Without a prototype, as `headersOption` makes them: any header name is only a name.
  const withAgent = Object.create(null) as Record<string, string>;
  return Object.assign(withAgent, { 'user-agent': `rickmorty-client/${VERSION}` }, headers);
}

function checkBatch(value: unknown): BatchSettings {
  if (value === undefined || value === true) return { enabled: true, size: DEFAULT_BATCH_SIZE };
  if (value === false) return { enabled: false, size: DEFAULT_BATCH_SIZE };
  const o = assertOptionsObject(value, 'batch', ['size']);
  const size = integerOption(o.size, 'batch.size', DEFAULT_BATCH_SIZE, { min: 1, max: 1000 });
  return { enabled: true, size };
}

function checkTransport(value: unknown): Transport | undefined {
  if (value !== undefined && !isAsyncTransport(value) && !isBlockingTransport(value)) {
    throw new InvalidArgumentError(
      'Expected `transport` to have a `request` method (async) or a `requestSync` method (blocking)',
    );
  }
  return value as Transport | undefined;
}

/**
 * Which settings a given transport applies itself (`defaults`, read once): those the client leaves
 * to it. A transport that declares none (the mock, your own) gets the library's defaults.
 */
function transportDefaults(transport: Transport | undefined): {
  timeout: boolean;
  maxResponseBytes: boolean;
} {
  const defaults: unknown = transport?.defaults;
  if (typeof defaults !== 'object' || defaults === null) {
    return { timeout: false, maxResponseBytes: false };
  }
  const { timeout, maxResponseBytes } = defaults as Record<string, unknown>;
  return {
    timeout: typeof timeout === 'number',
    maxResponseBytes: typeof maxResponseBytes === 'number',
  };
}

function checkDetector(value: unknown): BlockingDetector | undefined {
  if (value === undefined || value === false) return undefined;
  return createBlockingDetector(value === true ? {} : (value as BlockingDetectorOptions));
}

/** Checks the client's options and fills in the defaults. */
export function resolveClientOptions(options: unknown): ClientSettings {
  const o = assertOptionsObject(options, 'options', CLIENT_KEYS);
  const baseUrl = o.baseUrl === undefined ? DEFAULT_BASE_URL : assertBaseUrl(o.baseUrl);
  const transport = checkTransport(o.transport);
  const batch = checkBatch(o.batch);
  const concurrency = integerOption(o.concurrency, 'concurrency', DEFAULT_CONCURRENCY, { min: 1 });
  const tuning = assertOptionsObject(o.retry, 'retry', RETRY_TUNING_KEYS);
  const logger = (o.logger as Logger | undefined) ?? null;
  const retry = resolveRetryPolicy(
    { ...tuning, retries: o.retries, logger },
    { logger: null, name: 'retry' },
  );
  // A transport given with settings of its own keeps them where the client's options say nothing:
  // the requests then name no timeout or size cap. See docs/errors-and-retries.md.
  const own = transportDefaults(transport);
  const request = {
    baseUrl,
    timeout: optionalInteger(o.timeout, 'timeout', own.timeout ? undefined : DEFAULT_TIMEOUT),
    maxResponseBytes: optionalInteger(
      o.maxResponseBytes,
      'maxResponseBytes',
      own.maxResponseBytes ? undefined : DEFAULT_MAX_RESPONSE_BYTES,
    ),
    maxRedirects: integerOption(o.maxRedirects, 'maxRedirects', 5, { max: 20 }),
    maxRecords: integerOption(o.maxRecords, 'maxRecords', DEFAULT_MAX_RECORDS, { min: 1 }),
    window: Math.max(MIN_WINDOW, 2 * concurrency),
    headers: withUserAgent(headersOption(o.headers)),
    retry,
    logger,
    cache: checkCache(o.cache),
    batch,
    hooks: resolveHooks(o.hooks),
  };
  const dedupe = booleanOption(o.dedupe, 'dedupe', true);
  return {
    baseUrl,
    request,
    transport,
    concurrency,
    dedupe,
    detector: checkDetector(o.detectBlocking),
  };
}

/** A positive integer option, or `fallback` (which may be undefined) when it is not given. */
function optionalInteger(value: unknown, name: string, fallback: number | undefined) {
  return value === undefined ? fallback : integerOption(value, name, 1, { min: 1 });
}

/** What a call runs with: its own settings, else the client's. */
export interface CallSettings {
  readonly timeout: number | undefined;
  readonly maxResponseBytes: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Checks a call's options against the client's settings: the call's `timeout` and
 * `maxResponseBytes` (or the client's) and its `signal`. Each option is read once.
 */
export function resolveCallOptions(options: unknown, settings: ClientSettings): CallSettings {
  const o = assertOptionsObject(options, 'options', CALL_KEYS);
  const signal = signalOption(o.signal, 'options.signal');
  const timeout = optionalInteger(o.timeout, 'timeout', settings.request.timeout);
  const maxResponseBytes = optionalInteger(
    o.maxResponseBytes,
    'maxResponseBytes',
    settings.request.maxResponseBytes,
  );
  return { timeout, maxResponseBytes, signal };
}

/**
 * A copy of a call's options, each read once, for calls that use them more than once (an
 * iterator, a request a page): what is not an object is left for `resolveCallOptions` to refuse.
 */
export function snapshotCallOptions<O extends CallOptions>(options: O | undefined): O | undefined {
  return typeof options === 'object' && options !== null && !Array.isArray(options)
    ? { ...options }
    : options;
}
