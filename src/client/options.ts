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
  integerOption,
  signalOption,
} from '../internal/checks.js';
import {
  DEFAULT_BASE_URL,
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
  /** Milliseconds before one request is aborted with a `TimeoutError`. Default: 10000. */
  timeout?: number;
  /** The largest response body accepted, in bytes. Default: 5 MiB. */
  maxResponseBytes?: number;
  /** How many redirects one request may follow. Default: 5. */
  maxRedirects?: number;
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
   * Share one request among async calls that ask for the same URL while it is in flight, so two
   * concurrent `getCharacterAsync(1)` make one request. Default: true.
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
const CALL_KEYS = ['signal', 'timeout'] as const;

/** How long `cache: true` keeps an answer: five minutes. */
const DEFAULT_CACHE_TTL = 5 * 60_000;
const DEFAULT_CACHE_ENTRIES = 1000;
const DEFAULT_BATCH_SIZE = 100;

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

function checkHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('Expected `headers` to be an object of strings');
  }
  for (const [name, header] of Object.entries(value)) {
    if (typeof header !== 'string') {
      throw new InvalidArgumentError(`Expected header \`${name}\` to be a string`);
    }
  }
  return { ...(value as Record<string, string>) };
}

/**
 * The headers every request starts from: `User-Agent: rickmorty-client/<version>` where a program
 * may set it (not in a browser, where it is forbidden and would cost every request a CORS
 * preflight), then the user's own, which may replace it.
 */
function withUserAgent(headers: Record<string, string>): Record<string, string> {
  const isServer = typeof globalThis.process?.versions?.node === 'string';
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent');
  return isServer && !named ? { 'user-agent': `rickmorty-client/${VERSION}`, ...headers } : headers;
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
  const concurrency = integerOption(o.concurrency, 'concurrency', 10, { min: 1 });
  const tuning = assertOptionsObject(o.retry, 'retry', RETRY_TUNING_KEYS);
  const logger = (o.logger as Logger | undefined) ?? null;
  const retry = resolveRetryPolicy(
    { ...tuning, retries: o.retries, logger },
    { logger: null, name: 'retry' },
  );
  const request = {
    baseUrl,
    timeout: integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 }),
    maxResponseBytes: integerOption(
      o.maxResponseBytes,
      'maxResponseBytes',
      DEFAULT_MAX_RESPONSE_BYTES,
      { min: 1 },
    ),
    maxRedirects: integerOption(o.maxRedirects, 'maxRedirects', 5, { max: 20 }),
    headers: withUserAgent(checkHeaders(o.headers)),
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

/**
 * Checks a call's options against the client's settings: the call's `timeout` (or the client's)
 * and its `signal`.
 */
export function resolveCallOptions(
  options: unknown,
  settings: ClientSettings,
): { readonly timeout: number; readonly signal: AbortSignal | undefined } {
  const signal = signalOption((options as CallOptions | undefined)?.signal, 'options.signal');
  const o = assertOptionsObject(options, 'options', CALL_KEYS);
  const timeout = integerOption(o.timeout, 'timeout', settings.request.timeout, { min: 1 });
  return { timeout, signal };
}
