import gensync from 'gensync';
import pLimit, { type LimitFunction } from 'p-limit';
import {
  AbortError,
  BlockingUnavailableError,
  InvalidArgumentError,
  isAbortError,
  isRickMortyError,
} from './errors.js';
import { type RequestContext, type Send, connectionErrorFor } from './operations/request.js';
import {
  type BatchSettings,
  type CharacterFilter,
  type EpisodeFilter,
  type ListQuery,
  type LocationFilter,
  characters,
  episodes,
  getEndpoints,
  getMany,
  getOne,
  listPage,
  locations,
} from './operations/resources.js';
import {
  assertBaseUrl,
  assertOptionsObject,
  booleanOption,
  integerOption,
  signalOption,
} from './operations/validate.js';
import { type Logger, type RetryOptions, type RetryPolicy, resolveRetryPolicy } from './retry.js';
import type { Character } from './schemas/character.js';
import type { Endpoints } from './schemas/endpoints.js';
import type { Episode } from './schemas/episode.js';
import type { Location } from './schemas/location.js';
import type { Page } from './schemas/page.js';
import type { RebuildableTransport } from './make-async.js';
import { createBlockingTransport } from './transports/blocking.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, createHttpTransport } from './transports/http.js';
import {
  type AsyncTransport,
  type BlockingTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
  isAsyncTransport,
  isBlockingTransport,
} from './transports/types.js';

/** The public API's address. */
export const DEFAULT_BASE_URL = 'https://rickandmortyapi.com/api';

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
  retry?: Pick<RetryOptions, 'minDelay' | 'maxDelay' | 'factor' | 'jitter' | 'maxRetryAfter' | 'shouldRetry' | 'onRetry'>;
  /** Milliseconds before one request is aborted with a `TimeoutError`. Default: 10000. */
  timeout?: number;
  /** The largest response body accepted, in bytes. Default: 5 MiB. */
  maxResponseBytes?: number;
  /** How many redirects one request may follow. Default: 5. */
  maxRedirects?: number;
  /** Headers sent with every request (dropped when a redirect leaves the API's origin). */
  headers?: Record<string, string>;
  /** Where to log requests (`debug`) and retries (`warn`). Default: nowhere. */
  logger?: Logger;
}

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
  'logger',
] as const;
const RETRY_TUNING_KEYS = ['minDelay', 'maxDelay', 'factor', 'jitter', 'maxRetryAfter', 'shouldRetry', 'onRetry'] as const;

type Operation<A extends unknown[], R> = gensync.Gensync<[RequestContext, ...A], R>;

// gensync erases the generic record types; each twin below restores them.
const ops = {
  getOne: gensync(getOne) as Operation<[resource: unknown, id: unknown], unknown>,
  getMany: gensync(getMany) as Operation<[resource: unknown, ids: unknown, batch: BatchSettings], unknown[]>,
  listPage: gensync(listPage) as Operation<[resource: unknown, query: unknown], Page<unknown>>,
  getEndpoints: gensync(getEndpoints) as Operation<[], Endpoints>,
};

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

function checkBatch(value: unknown): BatchSettings {
  if (value === undefined || value === true) return { enabled: true, size: 100 };
  if (value === false) return { enabled: false, size: 1 };
  const o = assertOptionsObject(value, 'batch', ['size']);
  return { enabled: true, size: integerOption(o.size, 'batch.size', 100, { min: 1, max: 1000 }) };
}

/**
 * A typed client for the Rick and Morty API with two twins of every call: `getCharacter(id)`
 * blocks and returns the record, `getCharacterAsync(id)` returns a promise of it. Old code keeps
 * the blocking twin while new code moves to the async one, one call path at a time.
 *
 * Each operation is written once, free of I/O; the twins only choose how its requests are sent.
 *
 * @example
 * ```ts
 * const client = new RickMortyClient();
 * const names = (await client.getCharactersAsync([1, 10, 100])).map((c) => c.name);
 * // ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']
 * ```
 */
export class RickMortyClient {
  readonly baseUrl: string;
  readonly #context: RequestContext;
  readonly #batch: BatchSettings;
  readonly #limit: LimitFunction;
  readonly #given: Transport | undefined;
  #asyncTransport: AsyncTransport | Promise<AsyncTransport> | undefined;
  #blockingTransport: BlockingTransport | undefined;
  readonly #owned = new Set<{ close?(): void | Promise<void> }>();

  constructor(options: ClientOptions = {}) {
    const o = assertOptionsObject(options, 'options', CLIENT_KEYS);
    this.baseUrl = o.baseUrl === undefined ? DEFAULT_BASE_URL : assertBaseUrl(o.baseUrl);
    if (o.transport !== undefined && !isAsyncTransport(o.transport) && !isBlockingTransport(o.transport)) {
      throw new InvalidArgumentError(
        'Expected `transport` to have a `request` method (async) or a `requestSync` method (blocking)',
      );
    }
    this.#given = o.transport as Transport | undefined;
    this.#batch = checkBatch(o.batch);
    this.#limit = pLimit(integerOption(o.concurrency, 'concurrency', 10, { min: 1 }));
    const tuning = assertOptionsObject(o.retry, 'retry', RETRY_TUNING_KEYS);
    const logger = (o.logger as Logger | undefined) ?? null;
    const retry = resolveRetryPolicy({ ...tuning, retries: o.retries, logger }, { logger: null, name: 'retry' });
    this.#context = {
      baseUrl: this.baseUrl,
      send: this.#send,
      timeout: integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 }),
      maxResponseBytes: integerOption(o.maxResponseBytes, 'maxResponseBytes', DEFAULT_MAX_RESPONSE_BYTES, { min: 1 }),
      maxRedirects: integerOption(o.maxRedirects, 'maxRedirects', 5, { max: 20 }),
      headers: checkHeaders(o.headers),
      retry,
      signal: undefined,
      logger,
    };
  }

  // --- Characters ---------------------------------------------------------------------------

  /** Reads one character, blocking until it arrives. Async twin: `getCharacterAsync`. */
  getCharacter(id: number, options?: CallOptions): Character {
    return this.#runBlocking('getCharacterAsync', options, (context) => ops.getOne.sync(context, characters, id)) as Character;
  }

  /**
   * Reads one character.
   *
   * @example
   * ```ts
   * const rick = await client.getCharacterAsync(1); // rick.name === 'Rick Sanchez'
   * ```
   */
  getCharacterAsync(id: number, options?: CallOptions): Promise<Character> {
    return this.#runAsync(options, (context) => ops.getOne.async(context, characters, id)) as Promise<Character>;
  }

  /** Reads many characters, blocking until all arrive. Async twin: `getCharactersAsync`. */
  getCharacters(ids: readonly number[], options?: CallOptions): Character[] {
    return this.#runBlocking('getCharactersAsync', options, (context) =>
      ops.getMany.sync(context, characters, ids, this.#batch),
    ) as Character[];
  }

  /**
   * Reads many characters, in the order asked, each distinct id once: through the batch endpoint
   * in chunks (or one request per id with `batch: false`), at most `concurrency` requests at once.
   * Ids the API does not have raise one `NotFoundError` that names them.
   *
   * @example
   * ```ts
   * const trio = await client.getCharactersAsync([1, 10, 100]); // one request
   * ```
   */
  getCharactersAsync(ids: readonly number[], options?: CallOptions): Promise<Character[]> {
    return this.#runAsync(options, (context) =>
      ops.getMany.async(context, characters, ids, this.#batch),
    ) as Promise<Character[]>;
  }

  /** Reads one page of characters, blocking. Async twin: `listCharactersAsync`. */
  listCharacters(query?: ListQuery<CharacterFilter>, options?: CallOptions): Page<Character> {
    return this.#runBlocking('listCharactersAsync', options, (context) =>
      ops.listPage.sync(context, characters, query),
    ) as Page<Character>;
  }

  /**
   * Reads one page (20 records) of characters matching the filters. A filter that matches nothing
   * gives an empty page; a page past the end is a `NotFoundError`.
   *
   * @example
   * ```ts
   * const dead = await client.listCharactersAsync({ status: 'Dead', page: 2 });
   * ```
   */
  listCharactersAsync(query?: ListQuery<CharacterFilter>, options?: CallOptions): Promise<Page<Character>> {
    return this.#runAsync(options, (context) => ops.listPage.async(context, characters, query)) as Promise<Page<Character>>;
  }

  // --- Locations ----------------------------------------------------------------------------

  /** Reads one location, blocking. Async twin: `getLocationAsync`. */
  getLocation(id: number, options?: CallOptions): Location {
    return this.#runBlocking('getLocationAsync', options, (context) => ops.getOne.sync(context, locations, id)) as Location;
  }

  /** Reads one location. */
  getLocationAsync(id: number, options?: CallOptions): Promise<Location> {
    return this.#runAsync(options, (context) => ops.getOne.async(context, locations, id)) as Promise<Location>;
  }

  /** Reads many locations, blocking. Async twin: `getLocationsAsync`. */
  getLocations(ids: readonly number[], options?: CallOptions): Location[] {
    return this.#runBlocking('getLocationsAsync', options, (context) =>
      ops.getMany.sync(context, locations, ids, this.#batch),
    ) as Location[];
  }

  /** Reads many locations, in the order asked; see `getCharactersAsync`. */
  getLocationsAsync(ids: readonly number[], options?: CallOptions): Promise<Location[]> {
    return this.#runAsync(options, (context) =>
      ops.getMany.async(context, locations, ids, this.#batch),
    ) as Promise<Location[]>;
  }

  /** Reads one page of locations, blocking. Async twin: `listLocationsAsync`. */
  listLocations(query?: ListQuery<LocationFilter>, options?: CallOptions): Page<Location> {
    return this.#runBlocking('listLocationsAsync', options, (context) =>
      ops.listPage.sync(context, locations, query),
    ) as Page<Location>;
  }

  /** Reads one page of locations matching the filters; see `listCharactersAsync`. */
  listLocationsAsync(query?: ListQuery<LocationFilter>, options?: CallOptions): Promise<Page<Location>> {
    return this.#runAsync(options, (context) => ops.listPage.async(context, locations, query)) as Promise<Page<Location>>;
  }

  // --- Episodes -----------------------------------------------------------------------------

  /** Reads one episode, blocking. Async twin: `getEpisodeAsync`. */
  getEpisode(id: number, options?: CallOptions): Episode {
    return this.#runBlocking('getEpisodeAsync', options, (context) => ops.getOne.sync(context, episodes, id)) as Episode;
  }

  /** Reads one episode. */
  getEpisodeAsync(id: number, options?: CallOptions): Promise<Episode> {
    return this.#runAsync(options, (context) => ops.getOne.async(context, episodes, id)) as Promise<Episode>;
  }

  /** Reads many episodes, blocking. Async twin: `getEpisodesAsync`. */
  getEpisodes(ids: readonly number[], options?: CallOptions): Episode[] {
    return this.#runBlocking('getEpisodesAsync', options, (context) =>
      ops.getMany.sync(context, episodes, ids, this.#batch),
    ) as Episode[];
  }

  /** Reads many episodes, in the order asked; see `getCharactersAsync`. */
  getEpisodesAsync(ids: readonly number[], options?: CallOptions): Promise<Episode[]> {
    return this.#runAsync(options, (context) =>
      ops.getMany.async(context, episodes, ids, this.#batch),
    ) as Promise<Episode[]>;
  }

  /** Reads one page of episodes, blocking. Async twin: `listEpisodesAsync`. */
  listEpisodes(query?: ListQuery<EpisodeFilter>, options?: CallOptions): Page<Episode> {
    return this.#runBlocking('listEpisodesAsync', options, (context) =>
      ops.listPage.sync(context, episodes, query),
    ) as Page<Episode>;
  }

  /** Reads one page of episodes matching the filters; see `listCharactersAsync`. */
  listEpisodesAsync(query?: ListQuery<EpisodeFilter>, options?: CallOptions): Promise<Page<Episode>> {
    return this.#runAsync(options, (context) => ops.listPage.async(context, episodes, query)) as Promise<Page<Episode>>;
  }

  // --- Root -----------------------------------------------------------------------------------

  /** Reads the root endpoint map, blocking. Async twin: `getEndpointsAsync`. */
  getEndpoints(options?: CallOptions): Endpoints {
    return this.#runBlocking('getEndpointsAsync', options, (context) => ops.getEndpoints.sync(context));
  }

  /** Reads the root endpoint map: the URLs of the three resources. */
  getEndpointsAsync(options?: CallOptions): Promise<Endpoints> {
    return this.#runAsync(options, (context) => ops.getEndpoints.async(context));
  }

  // --- Lifetime -------------------------------------------------------------------------------

  /**
   * Releases what the client created: the blocking transport's worker thread and the worker pool
   * behind an async twin that runs a blocking transport. Transports given to the client are left
   * open for their owner. The client can be used again afterwards; it starts what it needs anew.
   */
  async close(): Promise<void> {
    const owned = [...this.#owned];
    this.#owned.clear();
    this.#asyncTransport = undefined;
    this.#blockingTransport = undefined;
    await Promise.all(owned.map((transport) => transport.close?.()));
  }

  /** `await using client = new RickMortyClient()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- The two drivers ------------------------------------------------------------------------

  /** The one transport call both halves make; gensync picks the side. */
  readonly #send: Send = gensync({
    sync: (request: TransportRequest): TransportResponse => {
      const transport = this.#blockingTransport;
      if (!transport) throw new BlockingUnavailableError('No blocking transport');
      return guard(request, () => transport.requestSync(request));
    },
    async: (request: TransportRequest): Promise<TransportResponse> =>
      this.#limit(async () => {
        if (request.signal?.aborted) throw new AbortError(request.signal.reason);
        const transport = await this.#getAsyncTransport();
        return guardAsync(request, () => transport.request(request));
      }),
  });

  #callContext(options: CallOptions | undefined, signal: AbortSignal | undefined): RequestContext {
    const o = assertOptionsObject(options, 'options', ['signal', 'timeout']);
    signalOption(o.signal);
    const timeout = integerOption(o.timeout, 'timeout', this.#context.timeout, { min: 1 });
    const retry: RetryPolicy = signal ? { ...this.#context.retry, signal } : this.#context.retry;
    return { ...this.#context, timeout, retry, signal };
  }

  #runBlocking<R>(asyncTwin: string, options: CallOptions | undefined, run: (context: RequestContext) => R): R {
    const context = this.#callContext(options, options?.signal);
    this.#blockingTransport ??= this.#pickBlocking(asyncTwin);
    return run(context);
  }

  #runAsync<R>(options: CallOptions | undefined, run: (context: RequestContext) => Promise<R>): Promise<R> {
    // One controller per call: when the call settles, whatever it still has in flight (the other
    // requests of a batch that failed) is aborted rather than left running.
    const controller = new AbortController();
    let context: RequestContext;
    try {
      const user = signalOption(options?.signal, 'options.signal');
      const signal = user ? AbortSignal.any([user, controller.signal]) : controller.signal;
      context = this.#callContext(options, signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return run(context).finally(() => controller.abort());
  }

  #pickBlocking(asyncTwin: string): BlockingTransport {
    if (this.#given === undefined) {
      const created = createBlockingTransport({ timeout: this.#context.timeout });
      this.#owned.add(created);
      return created;
    }
    if (isBlockingTransport(this.#given)) return this.#given;
    throw new BlockingUnavailableError(
      `This client was given only an async transport, so its blocking twins cannot run. Call ${asyncTwin}() instead, or give the client a transport with requestSync (createBlockingTransport(), or the mock transport)`,
    );
  }

  #getAsyncTransport(): AsyncTransport | Promise<AsyncTransport> {
    this.#asyncTransport ??= this.#pickAsync();
    return this.#asyncTransport;
  }

  #pickAsync(): AsyncTransport | Promise<AsyncTransport> {
    const given = this.#given;
    if (given === undefined) return createHttpTransport({ maxResponseBytes: this.#context.maxResponseBytes });
    if (isAsyncTransport(given)) return given;
    // Only a blocking transport: run it on a worker pool. Loaded on demand, so that programs that
    // never need the pool (and browser bundles) do not carry it.
    const blocking = given;
    return import('./make-async.js').then(({ makeAsync }) => {
      if (!('rebuild' in blocking)) {
        throw new BlockingUnavailableError(
          'This client was given only a blocking transport that cannot rebuild itself on a worker thread, so its async twins cannot run it. Give it an async transport, or a blocking one from createBlockingTransport()',
        );
      }
      const pooled = makeAsync(blocking as RebuildableTransport);
      this.#owned.add(pooled);
      return pooled;
    });
  }
}

function wrapTransportError(request: TransportRequest, error: unknown): unknown {
  if (isRickMortyError(error)) return error;
  if (isAbortError(error)) return new AbortError(request.signal?.reason ?? error);
  // A transport written by a user may throw anything; report it with the request it was for.
  return connectionErrorFor(request, error);
}

function guard(request: TransportRequest, call: () => TransportResponse): TransportResponse {
  try {
    return call();
  } catch (error) {
    throw wrapTransportError(request, error);
  }
}

async function guardAsync(request: TransportRequest, call: () => Promise<TransportResponse>): Promise<TransportResponse> {
  try {
    return await call();
  } catch (error) {
    throw wrapTransportError(request, error);
  }
}

