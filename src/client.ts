import gensync from 'gensync';
import pLimit, { type LimitFunction } from 'p-limit';
import {
  type BlockingDetector,
  type BlockingDetectorOptions,
  createBlockingDetector,
} from './blocking-detector.js';
import { type CacheStore, createMemoryCache } from './cache.js';
import {
  AbortError,
  BlockingUnavailableError,
  InvalidArgumentError,
  isAbortError,
  isRickMortyError,
} from './errors.js';
import type { RebuildableTransport } from './make-async.js';
import type { CacheSettings } from './operations/effects.js';
import { type GetAllOptions, getAll, nextPageQuery, walkQuery } from './operations/pagination.js';
import {
  getLinked,
  getLinkedOne,
  type LinkField,
  type LinkListField,
} from './operations/relations.js';
import { connectionErrorFor, type RequestContext, type Send } from './operations/request.js';
import {
  type BatchSettings,
  type CharacterFilter,
  characters,
  type EpisodeFilter,
  episodes,
  getEndpoints,
  getMany,
  getOne,
  type ListQuery,
  type LocationFilter,
  listPage,
  locations,
  type Resource,
} from './operations/resources.js';
import {
  assertBaseUrl,
  assertOptionsObject,
  booleanOption,
  integerOption,
  signalOption,
} from './operations/validate.js';
import {
  type Logger,
  RETRY_KEYS,
  type RetryOptions,
  type RetryPolicy,
  resolveRetryPolicy,
} from './retry.js';
import type { Character } from './schemas/character.js';
import type { Endpoints } from './schemas/endpoints.js';
import type { Episode } from './schemas/episode.js';
import type { Location } from './schemas/location.js';
import type { Page } from './schemas/page.js';
import { createBlockingTransport } from './transports/blocking.js';
import {
  createHttpTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT,
} from './transports/http.js';
import {
  type AsyncTransport,
  type BlockingTransport,
  isAsyncTransport,
  isBlockingTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transports/types.js';

/** The public API's address. */
export const DEFAULT_BASE_URL = 'https://rickandmortyapi.com/api';

/**
 * The reason a call's own signal is aborted with once the call has settled, ending what it still
 * has in flight. One shared value: creating a DOMException for every call costs more than the call.
 */
const CALL_SETTLED = new Error('The call this request belonged to has settled');

/** How long `cache: true` keeps an answer: five minutes. */
const DEFAULT_CACHE_TTL = 5 * 60_000;

interface InFlight {
  readonly promise: Promise<TransportResponse>;
  readonly controller: AbortController;
  waiters: number;
}

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
  /** Headers sent with every request (dropped when a redirect leaves the API's origin). */
  headers?: Record<string, string>;
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
  'cache',
  'dedupe',
  'detectBlocking',
] as const;
// The backoff settings of `retry`: the retry options the client sets itself are left out.
const RETRY_TUNING_KEYS = RETRY_KEYS.filter(
  (key) => key !== 'retries' && key !== 'signal' && key !== 'logger',
);

type Operation<A extends unknown[], R> = gensync.Gensync<[RequestContext, ...A], R>;

// gensync erases the generic record types; each twin below restores them.
const ops = {
  getOne: gensync(getOne) as Operation<[resource: unknown, id: unknown], unknown>,
  getMany: gensync(getMany) as Operation<
    [resource: unknown, ids: unknown, batch: BatchSettings],
    unknown[]
  >,
  listPage: gensync(listPage) as Operation<[resource: unknown, query: unknown], Page<unknown>>,
  getAll: gensync(getAll) as Operation<
    [resource: unknown, filter: unknown, batch: BatchSettings, options: GetAllOptions],
    unknown[]
  >,
  getLinked: gensync(getLinked) as Operation<
    [target: unknown, sources: unknown, field: LinkListField, batch: BatchSettings],
    unknown[]
  >,
  getLinkedOne: gensync(getLinkedOne) as Operation<
    [target: unknown, source: unknown, field: LinkField],
    unknown
  >,
  getEndpoints: gensync(getEndpoints) as Operation<[], Endpoints>,
};

/**
 * A call with many requests in flight adds an abort listener per request to its signal; Node warns
 * past ten listeners as if they leaked. They do not: each is removed when its request settles.
 */
function allowManyListeners(signal: AbortSignal): void {
  // Looked up once, on the first call, rather than on every call: this runs on the hot path.
  nodeEvents ??=
    ((
      globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined
    )?.getBuiltinModule?.('node:events') as typeof import('node:events') | undefined) ?? null;
  nodeEvents?.setMaxListeners(0, signal);
}

let nodeEvents: typeof import('node:events') | null | undefined;

/** Splits `getAll` options into the call's own and the walk's. */
function splitGetAll(
  options: (CallOptions & GetAllOptions) | undefined,
): [CallOptions | undefined, GetAllOptions] {
  if (options === undefined || typeof options !== 'object' || options === null)
    return [options, {}];
  // Checked by the operation itself, so that the async twin rejects rather than throws.
  const { onProgress, ...call } = options;
  return [call, onProgress === undefined ? {} : { onProgress }];
}

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
  const maxEntries = integerOption(o.maxEntries, 'cache.maxEntries', 1000, { min: 1 });
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

function checkBatch(value: unknown): BatchSettings {
  if (value === undefined || value === true) return { enabled: true, size: 100 };
  if (value === false) return { enabled: false, size: 100 };
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
  readonly #dedupe: boolean;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #detector: BlockingDetector | undefined;

  constructor(options: ClientOptions = {}) {
    const o = assertOptionsObject(options, 'options', CLIENT_KEYS);
    this.baseUrl = o.baseUrl === undefined ? DEFAULT_BASE_URL : assertBaseUrl(o.baseUrl);
    if (
      o.transport !== undefined &&
      !isAsyncTransport(o.transport) &&
      !isBlockingTransport(o.transport)
    ) {
      throw new InvalidArgumentError(
        'Expected `transport` to have a `request` method (async) or a `requestSync` method (blocking)',
      );
    }
    this.#given = o.transport as Transport | undefined;
    this.#batch = checkBatch(o.batch);
    this.#limit = pLimit(integerOption(o.concurrency, 'concurrency', 10, { min: 1 }));
    const tuning = assertOptionsObject(o.retry, 'retry', RETRY_TUNING_KEYS);
    const logger = (o.logger as Logger | undefined) ?? null;
    const retry = resolveRetryPolicy(
      { ...tuning, retries: o.retries, logger },
      { logger: null, name: 'retry' },
    );
    this.#context = {
      baseUrl: this.baseUrl,
      send: this.#send,
      timeout: integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 }),
      maxResponseBytes: integerOption(
        o.maxResponseBytes,
        'maxResponseBytes',
        DEFAULT_MAX_RESPONSE_BYTES,
        { min: 1 },
      ),
      maxRedirects: integerOption(o.maxRedirects, 'maxRedirects', 5, { max: 20 }),
      headers: checkHeaders(o.headers),
      retry,
      signal: undefined,
      logger,
      cache: checkCache(o.cache),
    };
    this.#dedupe = booleanOption(o.dedupe, 'dedupe', true);
    const detect = o.detectBlocking;
    this.#detector =
      detect === undefined || detect === false
        ? undefined
        : createBlockingDetector(detect === true ? {} : (detect as BlockingDetectorOptions));
  }

  // --- Characters ---------------------------------------------------------------------------

  /** Reads one character, blocking until it arrives. Async twin: `getCharacterAsync`. */
  getCharacter(id: number, options?: CallOptions): Character {
    return this.#blocking('getCharacterAsync', options, ops.getOne, characters, id) as Character;
  }

  /**
   * Reads one character. An id the API does not have is a `NotFoundError`.
   *
   * @example
   * ```ts
   * const rick = await client.getCharacterAsync(1); // rick.name === 'Rick Sanchez'
   * ```
   */
  getCharacterAsync(id: number, options?: CallOptions): Promise<Character> {
    return this.#async(options, ops.getOne, characters, id) as Promise<Character>;
  }

  /** Reads many characters, blocking until all arrive. Async twin: `getCharactersAsync`. */
  getCharacters(ids: readonly number[], options?: CallOptions): Character[] {
    return this.#blocking(
      'getCharactersAsync',
      options,
      ops.getMany,
      characters,
      ids,
      this.#batch,
    ) as Character[];
  }

  /**
   * Reads many characters, in the order asked, each distinct id once: through the batch endpoint
   * in chunks (or one request per id with `batch: false`), at most `concurrency` requests at once.
   * Ids the API does not have raise one `NotFoundError` whose `ids` names them.
   *
   * @example
   * ```ts
   * const trio = await client.getCharactersAsync([1, 10, 100]); // one request
   * ```
   */
  getCharactersAsync(ids: readonly number[], options?: CallOptions): Promise<Character[]> {
    return this.#async(options, ops.getMany, characters, ids, this.#batch) as Promise<Character[]>;
  }

  /** Reads one page of characters, blocking. Async twin: `listCharactersAsync`. */
  listCharacters(query?: ListQuery<CharacterFilter>, options?: CallOptions): Page<Character> {
    return this.#blocking(
      'listCharactersAsync',
      options,
      ops.listPage,
      characters,
      query,
    ) as Page<Character>;
  }

  /**
   * Reads one page (20 records) of the characters that match the filters. A filter that matches
   * nothing gives an empty page; a page past the end is a `NotFoundError` that says so.
   *
   * @example
   * ```ts
   * const page = await client.listCharactersAsync({ status: 'Dead', page: 2 });
   * ```
   */
  listCharactersAsync(
    query?: ListQuery<CharacterFilter>,
    options?: CallOptions,
  ): Promise<Page<Character>> {
    return this.#async(options, ops.listPage, characters, query) as Promise<Page<Character>>;
  }

  /** Every character that matches, one at a time, a page read whenever the last one runs out. */
  iterateCharacters(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): Generator<Character, void, undefined> {
    return this.#iterateItems('iterateCharactersAsync', characters, filter, options);
  }

  /**
   * Every character that matches, one at a time, a page read whenever the last one runs out.
   *
   * @example
   * ```ts
   * for await (const character of client.iterateCharactersAsync({ status: 'Dead' })) {
   *   console.log(character.name);
   * }
   * ```
   */
  iterateCharactersAsync(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): AsyncGenerator<Character, void, undefined> {
    return this.#iterateItemsAsync(characters, filter, options);
  }

  /** Every page of characters that match, blocking. Async twin: `iterateCharacterPagesAsync`. */
  iterateCharacterPages(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): Generator<Page<Character>, void, undefined> {
    return this.#iteratePages('iterateCharacterPagesAsync', characters, filter, options);
  }

  /** Every page of characters that match, one request a page. */
  iterateCharacterPagesAsync(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): AsyncGenerator<Page<Character>, void, undefined> {
    return this.#iteratePagesAsync(characters, filter, options);
  }

  /** Every character that matches, blocking. Async twin: `getAllCharactersAsync`. */
  getAllCharacters(filter?: CharacterFilter, options?: CallOptions & GetAllOptions): Character[] {
    const [call, walk] = splitGetAll(options);
    return this.#blocking(
      'getAllCharactersAsync',
      call,
      ops.getAll,
      characters,
      filter,
      this.#batch,
      walk,
    ) as Character[];
  }

  /**
   * Every character that matches, read together: the first page, then the rest through the batch
   * endpoint or the pages, whichever takes fewer requests.
   *
   * @example
   * ```ts
   * const dead = await client.getAllCharactersAsync({ status: 'Dead' }, {
   *   onProgress: ({ loaded, total }) => console.log(`${loaded}/${total}`),
   * });
   * ```
   */
  getAllCharactersAsync(
    filter?: CharacterFilter,
    options?: CallOptions & GetAllOptions,
  ): Promise<Character[]> {
    const [call, walk] = splitGetAll(options);
    return this.#async(call, ops.getAll, characters, filter, this.#batch, walk) as Promise<
      Character[]
    >;
  }

  // --- Locations ----------------------------------------------------------------------------

  /** Reads one location, blocking. Async twin: `getLocationAsync`. */
  getLocation(id: number, options?: CallOptions): Location {
    return this.#blocking('getLocationAsync', options, ops.getOne, locations, id) as Location;
  }

  /** Reads one location; see `getCharacterAsync`. */
  getLocationAsync(id: number, options?: CallOptions): Promise<Location> {
    return this.#async(options, ops.getOne, locations, id) as Promise<Location>;
  }

  /** Reads many locations, blocking. Async twin: `getLocationsAsync`. */
  getLocations(ids: readonly number[], options?: CallOptions): Location[] {
    return this.#blocking(
      'getLocationsAsync',
      options,
      ops.getMany,
      locations,
      ids,
      this.#batch,
    ) as Location[];
  }

  /** Reads many locations, in the order asked; see `getCharactersAsync`. */
  getLocationsAsync(ids: readonly number[], options?: CallOptions): Promise<Location[]> {
    return this.#async(options, ops.getMany, locations, ids, this.#batch) as Promise<Location[]>;
  }

  /** Reads one page of locations, blocking. Async twin: `listLocationsAsync`. */
  listLocations(query?: ListQuery<LocationFilter>, options?: CallOptions): Page<Location> {
    return this.#blocking(
      'listLocationsAsync',
      options,
      ops.listPage,
      locations,
      query,
    ) as Page<Location>;
  }

  /** Reads one page of the locations that match; see `listCharactersAsync`. */
  listLocationsAsync(
    query?: ListQuery<LocationFilter>,
    options?: CallOptions,
  ): Promise<Page<Location>> {
    return this.#async(options, ops.listPage, locations, query) as Promise<Page<Location>>;
  }

  /** Every location that matches, one at a time, blocking. Async twin: `iterateLocationsAsync`. */
  iterateLocations(
    filter?: LocationFilter,
    options?: CallOptions,
  ): Generator<Location, void, undefined> {
    return this.#iterateItems('iterateLocationsAsync', locations, filter, options);
  }

  /** Every location that matches, one at a time; see `iterateCharactersAsync`. */
  iterateLocationsAsync(
    filter?: LocationFilter,
    options?: CallOptions,
  ): AsyncGenerator<Location, void, undefined> {
    return this.#iterateItemsAsync(locations, filter, options);
  }

  /** Every page of locations that match, blocking. Async twin: `iterateLocationPagesAsync`. */
  iterateLocationPages(
    filter?: LocationFilter,
    options?: CallOptions,
  ): Generator<Page<Location>, void, undefined> {
    return this.#iteratePages('iterateLocationPagesAsync', locations, filter, options);
  }

  /** Every page of locations that match. */
  iterateLocationPagesAsync(
    filter?: LocationFilter,
    options?: CallOptions,
  ): AsyncGenerator<Page<Location>, void, undefined> {
    return this.#iteratePagesAsync(locations, filter, options);
  }

  /** Every location that matches, blocking. Async twin: `getAllLocationsAsync`. */
  getAllLocations(filter?: LocationFilter, options?: CallOptions & GetAllOptions): Location[] {
    const [call, walk] = splitGetAll(options);
    return this.#blocking(
      'getAllLocationsAsync',
      call,
      ops.getAll,
      locations,
      filter,
      this.#batch,
      walk,
    ) as Location[];
  }

  /** Every location that matches, read together; see `getAllCharactersAsync`. */
  getAllLocationsAsync(
    filter?: LocationFilter,
    options?: CallOptions & GetAllOptions,
  ): Promise<Location[]> {
    const [call, walk] = splitGetAll(options);
    return this.#async(call, ops.getAll, locations, filter, this.#batch, walk) as Promise<
      Location[]
    >;
  }

  // --- Episodes -----------------------------------------------------------------------------

  /** Reads one episode, blocking. Async twin: `getEpisodeAsync`. */
  getEpisode(id: number, options?: CallOptions): Episode {
    return this.#blocking('getEpisodeAsync', options, ops.getOne, episodes, id) as Episode;
  }

  /** Reads one episode; see `getCharacterAsync`. */
  getEpisodeAsync(id: number, options?: CallOptions): Promise<Episode> {
    return this.#async(options, ops.getOne, episodes, id) as Promise<Episode>;
  }

  /** Reads many episodes, blocking. Async twin: `getEpisodesAsync`. */
  getEpisodes(ids: readonly number[], options?: CallOptions): Episode[] {
    return this.#blocking(
      'getEpisodesAsync',
      options,
      ops.getMany,
      episodes,
      ids,
      this.#batch,
    ) as Episode[];
  }

  /** Reads many episodes, in the order asked; see `getCharactersAsync`. */
  getEpisodesAsync(ids: readonly number[], options?: CallOptions): Promise<Episode[]> {
    return this.#async(options, ops.getMany, episodes, ids, this.#batch) as Promise<Episode[]>;
  }

  /** Reads one page of episodes, blocking. Async twin: `listEpisodesAsync`. */
  listEpisodes(query?: ListQuery<EpisodeFilter>, options?: CallOptions): Page<Episode> {
    return this.#blocking(
      'listEpisodesAsync',
      options,
      ops.listPage,
      episodes,
      query,
    ) as Page<Episode>;
  }

  /** Reads one page of the episodes that match; see `listCharactersAsync`. */
  listEpisodesAsync(
    query?: ListQuery<EpisodeFilter>,
    options?: CallOptions,
  ): Promise<Page<Episode>> {
    return this.#async(options, ops.listPage, episodes, query) as Promise<Page<Episode>>;
  }

  /** Every episode that matches, one at a time, blocking. Async twin: `iterateEpisodesAsync`. */
  iterateEpisodes(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): Generator<Episode, void, undefined> {
    return this.#iterateItems('iterateEpisodesAsync', episodes, filter, options);
  }

  /** Every episode that matches, one at a time; see `iterateCharactersAsync`. */
  iterateEpisodesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): AsyncGenerator<Episode, void, undefined> {
    return this.#iterateItemsAsync(episodes, filter, options);
  }

  /** Every page of episodes that match, blocking. Async twin: `iterateEpisodePagesAsync`. */
  iterateEpisodePages(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): Generator<Page<Episode>, void, undefined> {
    return this.#iteratePages('iterateEpisodePagesAsync', episodes, filter, options);
  }

  /** Every page of episodes that match. */
  iterateEpisodePagesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): AsyncGenerator<Page<Episode>, void, undefined> {
    return this.#iteratePagesAsync(episodes, filter, options);
  }

  /** Every episode that matches, blocking. Async twin: `getAllEpisodesAsync`. */
  getAllEpisodes(filter?: EpisodeFilter, options?: CallOptions & GetAllOptions): Episode[] {
    const [call, walk] = splitGetAll(options);
    return this.#blocking(
      'getAllEpisodesAsync',
      call,
      ops.getAll,
      episodes,
      filter,
      this.#batch,
      walk,
    ) as Episode[];
  }

  /** Every episode that matches, read together; see `getAllCharactersAsync`. */
  getAllEpisodesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions & GetAllOptions,
  ): Promise<Episode[]> {
    const [call, walk] = splitGetAll(options);
    return this.#async(call, ops.getAll, episodes, filter, this.#batch, walk) as Promise<Episode[]>;
  }

  // --- Relations ----------------------------------------------------------------------------

  /** The episodes of one or many characters, blocking. Async twin: `getCharacterEpisodesAsync`. */
  getCharacterEpisodes(
    characters: Character | readonly Character[],
    options?: CallOptions,
  ): Episode[] {
    return this.#blocking(
      'getCharacterEpisodesAsync',
      options,
      ops.getLinked,
      episodes,
      characters,
      'episode',
      this.#batch,
    ) as Episode[];
  }

  /**
   * The episodes of one or many characters, each episode once, in the order first linked, read
   * through the batch endpoint: 20 characters' episodes cost one or two requests, not 20.
   *
   * @example
   * ```ts
   * const page = await client.listCharactersAsync();
   * const episodes = await client.getCharacterEpisodesAsync(page.results);
   * ```
   */
  getCharacterEpisodesAsync(
    characters: Character | readonly Character[],
    options?: CallOptions,
  ): Promise<Episode[]> {
    return this.#async(
      options,
      ops.getLinked,
      episodes,
      characters,
      'episode',
      this.#batch,
    ) as Promise<Episode[]>;
  }

  /** The characters of one or many episodes, blocking. Async twin: `getEpisodeCharactersAsync`. */
  getEpisodeCharacters(episodes: Episode | readonly Episode[], options?: CallOptions): Character[] {
    return this.#blocking(
      'getEpisodeCharactersAsync',
      options,
      ops.getLinked,
      characters,
      episodes,
      'characters',
      this.#batch,
    ) as Character[];
  }

  /** The characters of one or many episodes, each once; see `getCharacterEpisodesAsync`. */
  getEpisodeCharactersAsync(
    episodes: Episode | readonly Episode[],
    options?: CallOptions,
  ): Promise<Character[]> {
    return this.#async(
      options,
      ops.getLinked,
      characters,
      episodes,
      'characters',
      this.#batch,
    ) as Promise<Character[]>;
  }

  /** The residents of one or many locations, blocking. Async twin: `getLocationResidentsAsync`. */
  getLocationResidents(
    locations: Location | readonly Location[],
    options?: CallOptions,
  ): Character[] {
    return this.#blocking(
      'getLocationResidentsAsync',
      options,
      ops.getLinked,
      characters,
      locations,
      'residents',
      this.#batch,
    ) as Character[];
  }

  /** The residents of one or many locations, each once; see `getCharacterEpisodesAsync`. */
  getLocationResidentsAsync(
    locations: Location | readonly Location[],
    options?: CallOptions,
  ): Promise<Character[]> {
    return this.#async(
      options,
      ops.getLinked,
      characters,
      locations,
      'residents',
      this.#batch,
    ) as Promise<Character[]>;
  }

  /** A character's origin, or null when it is unknown, blocking. Async twin: `getCharacterOriginAsync`. */
  getCharacterOrigin(character: Character, options?: CallOptions): Location | null {
    return this.#blocking(
      'getCharacterOriginAsync',
      options,
      ops.getLinkedOne,
      locations,
      character,
      'origin',
    ) as Location | null;
  }

  /** A character's origin, or null when it is unknown (the API's link is `""`). */
  getCharacterOriginAsync(character: Character, options?: CallOptions): Promise<Location | null> {
    return this.#async(
      options,
      ops.getLinkedOne,
      locations,
      character,
      'origin',
    ) as Promise<Location | null>;
  }

  /** Where a character was last seen, or null, blocking. Async twin: `getCharacterLocationAsync`. */
  getCharacterLocation(character: Character, options?: CallOptions): Location | null {
    return this.#blocking(
      'getCharacterLocationAsync',
      options,
      ops.getLinkedOne,
      locations,
      character,
      'location',
    ) as Location | null;
  }

  /** Where a character was last seen, or null when it is unknown. */
  getCharacterLocationAsync(character: Character, options?: CallOptions): Promise<Location | null> {
    return this.#async(
      options,
      ops.getLinkedOne,
      locations,
      character,
      'location',
    ) as Promise<Location | null>;
  }

  // --- Root -----------------------------------------------------------------------------------

  /** Reads the root endpoint map, blocking. Async twin: `getEndpointsAsync`. */
  getEndpoints(options?: CallOptions): Endpoints {
    return this.#blocking('getEndpointsAsync', options, ops.getEndpoints);
  }

  /** Reads the root endpoint map: the URLs of the three resources. */
  getEndpointsAsync(options?: CallOptions): Promise<Endpoints> {
    return this.#async(options, ops.getEndpoints);
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
      this.#dedupe ? this.#shared(request) : this.#sendAsync(request),
  });

  #sendAsync(request: TransportRequest): Promise<TransportResponse> {
    return this.#limit(async () => {
      // A request that waited for a slot may no longer be wanted.
      if (request.signal?.aborted) throw new AbortError(request.signal.reason);
      const transport = await this.#getAsyncTransport();
      return guardAsync(request, () => transport.request(request));
    });
  }

  /**
   * Joins a request for the same URL already in flight, or starts one. The shared request has its
   * own signal, aborted only when every call waiting for it has given up, so that one caller's
   * abort never fails another's request.
   */
  #shared(request: TransportRequest): Promise<TransportResponse> {
    const key = `${request.url}\n${JSON.stringify(request.headers ?? {})}`;
    let entry = this.#inFlight.get(key);
    if (!entry) {
      const controller = new AbortController();
      const promise = this.#sendAsync({ ...request, signal: controller.signal }).finally(() => {
        if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      });
      entry = { promise, controller, waiters: 0 };
      this.#inFlight.set(key, entry);
    }
    const shared = entry;
    shared.waiters++;
    const signal = request.signal;
    return new Promise<TransportResponse>((resolve, reject) => {
      const onAbort = () => {
        reject(new AbortError(signal?.reason));
        if (--shared.waiters === 0) {
          if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
          shared.controller.abort(signal?.reason);
        }
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (response) => {
          signal?.removeEventListener('abort', onAbort);
          shared.waiters--;
          resolve(response);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          shared.waiters--;
          reject(error);
        },
      );
    });
  }

  #callContext(options: CallOptions | undefined, signal: AbortSignal | undefined): RequestContext {
    const o = assertOptionsObject(options, 'options', ['signal', 'timeout']);
    signalOption(o.signal);
    const timeout = integerOption(o.timeout, 'timeout', this.#context.timeout, { min: 1 });
    const retry: RetryPolicy = signal ? { ...this.#context.retry, signal } : this.#context.retry;
    return { ...this.#context, timeout, retry, signal };
  }

  #blocking<A extends unknown[], R>(
    asyncTwin: string,
    options: CallOptions | undefined,
    op: Operation<A, R>,
    ...args: A
  ): R {
    const context = this.#callContext(options, signalOption(options?.signal, 'options.signal'));
    this.#blockingTransport ??= this.#pickBlocking(asyncTwin);
    const method = asyncTwin.slice(0, -'Async'.length);
    const run = () => {
      try {
        return op.sync(context, ...args);
      } catch (error) {
        // The transport knows blocking is impossible here; only the client knows which twin to
        // point the caller to.
        if (error instanceof BlockingUnavailableError && !error.message.includes(asyncTwin)) {
          throw new BlockingUnavailableError(
            `${method}() cannot block here: ${error.message}. Call ${asyncTwin}() instead`,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
    };
    return this.#detector ? this.#detector.run(method, asyncTwin, run) : run();
  }

  #async<A extends unknown[], R>(
    options: CallOptions | undefined,
    op: Operation<A, R>,
    ...args: A
  ): Promise<R> {
    // One controller per call: when the call settles, whatever it still has in flight (the other
    // requests of a batch that failed) is aborted rather than left running.
    const controller = new AbortController();
    let context: RequestContext;
    try {
      const user = signalOption(options?.signal, 'options.signal');
      const signal = user ? AbortSignal.any([user, controller.signal]) : controller.signal;
      allowManyListeners(signal);
      context = this.#callContext(options, signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return op.async(context, ...args).finally(() => controller.abort(CALL_SETTLED));
  }

  // The iterators are the one place where the twins are two loops, not one operation: a generator
  // cannot be derived by gensync. Both loops step with the same `nextPageQuery`.

  #iteratePages<T>(
    asyncTwin: string,
    resource: unknown,
    filter: unknown,
    options: CallOptions | undefined,
  ): Generator<Page<T>, void, undefined> {
    const first = { ...walkQuery(resource as Resource<{ id: number }, unknown>, filter), page: 1 };
    const self = this;
    return (function* () {
      for (let query: typeof first | undefined = first; query; ) {
        const page = self.#blocking(asyncTwin, options, ops.listPage, resource, query) as Page<T>;
        yield page;
        query = nextPageQuery(query, page, query.page);
      }
    })();
  }

  #iteratePagesAsync<T>(
    resource: unknown,
    filter: unknown,
    options: CallOptions | undefined,
  ): AsyncGenerator<Page<T>, void, undefined> {
    const first = { ...walkQuery(resource as Resource<{ id: number }, unknown>, filter), page: 1 };
    const self = this;
    return (async function* () {
      for (let query: typeof first | undefined = first; query; ) {
        const page = (await self.#async(options, ops.listPage, resource, query)) as Page<T>;
        yield page;
        query = nextPageQuery(query, page, query.page);
      }
    })();
  }

  #iterateItems<T>(
    asyncTwin: string,
    resource: unknown,
    filter: unknown,
    options: CallOptions | undefined,
  ): Generator<T, void, undefined> {
    const pages = this.#iteratePages<T>(asyncTwin, resource, filter, options);
    return (function* () {
      for (const page of pages) yield* page.results;
    })();
  }

  #iterateItemsAsync<T>(
    resource: unknown,
    filter: unknown,
    options: CallOptions | undefined,
  ): AsyncGenerator<T, void, undefined> {
    const pages = this.#iteratePagesAsync<T>(resource, filter, options);
    return (async function* () {
      for await (const page of pages) yield* page.results;
    })();
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
    if (given === undefined)
      return createHttpTransport({ maxResponseBytes: this.#context.maxResponseBytes });
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

async function guardAsync(
  request: TransportRequest,
  call: () => Promise<TransportResponse>,
): Promise<TransportResponse> {
  try {
    return await call();
  } catch (error) {
    throw wrapTransportError(request, error);
  }
}
