import { Dispatcher } from './client/dispatcher.js';
import { type CallOptions, type ClientOptions, resolveClientOptions } from './client/options.js';
import { TwinRunner } from './client/run.js';
import { endpoints, linkedRecord, linkedRecords, resourceOperations } from './operations/bound.js';
import type { GetAllOptions, IterateOptions } from './operations/pagination.js';
import type { ListQuery } from './operations/resources.js';
import { type Character, type CharacterFilter, characterSchema } from './resources/character.js';
import type { Endpoints } from './resources/endpoints.js';
import { type Episode, type EpisodeFilter, episodeSchema } from './resources/episode.js';
import { type LocationFilter, type LocationRecord, locationSchema } from './resources/location.js';
import type { Page } from './resources/page.js';
import { characters, episodes, locations } from './resources/registry.js';

// Each operation bound to its resource, so that every twin below gets its type from here.
const character = resourceOperations<Character, CharacterFilter>(characters, characterSchema);
const location = resourceOperations<LocationRecord, LocationFilter>(locations, locationSchema);
const episode = resourceOperations<Episode, EpisodeFilter>(episodes, episodeSchema);
const characterEpisodes = linkedRecords(episode.resource, 'episode');
const episodeCharacters = linkedRecords(character.resource, 'characters');
const locationResidents = linkedRecords(character.resource, 'residents');
const characterOrigin = linkedRecord(location.resource, 'origin');
const characterLocation = linkedRecord(location.resource, 'location');

/**
 * A typed client for the Rick and Morty API with two twins of every call: `getCharacter(id)`
 * blocks and returns the record, `getCharacterAsync(id)` returns a promise of it. Old code keeps
 * the blocking twin while new code moves to the async one, one call path at a time.
 *
 * @example
 * ```ts
 * const client = new RickMortyClient();
 * const names = (await client.getCharactersAsync([1, 10, 100])).map((c) => c.name);
 * // ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']
 * ```
 */
export class RickMortyClient {
  /** The API's base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #dispatcher: Dispatcher;
  readonly #run: TwinRunner;

  constructor(options: ClientOptions = {}) {
    const settings = resolveClientOptions(options);
    this.baseUrl = settings.baseUrl;
    this.#dispatcher = new Dispatcher(settings);
    this.#run = new TwinRunner(settings, this.#dispatcher);
  }

  // --- Characters ---------------------------------------------------------------------------

  /** Reads one character, blocking until it arrives. Async twin: `getCharacterAsync`. */
  getCharacter(id: number, options?: CallOptions): Character {
    return this.#run.sync('getCharacter', character.getOne, options, id);
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
    return this.#run.async(character.getOne, options, id);
  }

  /** Reads many characters, blocking until all arrive. Async twin: `getCharactersAsync`. */
  getCharacters(ids: readonly number[], options?: CallOptions): Character[] {
    return this.#run.sync('getCharacters', character.getMany, options, ids);
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
    return this.#run.async(character.getMany, options, ids);
  }

  /** Reads one page of characters, blocking. Async twin: `listCharactersAsync`. */
  listCharacters(query?: ListQuery<CharacterFilter>, options?: CallOptions): Page<Character> {
    return this.#run.sync('listCharacters', character.listPage, options, query);
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
    return this.#run.async(character.listPage, options, query);
  }

  /** Every character that matches, one at a time, blocking. Async twin: `iterateCharactersAsync`. */
  iterateCharacters(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): Generator<Character, void, undefined> {
    return this.#run.items('iterateCharacters', character, filter, options);
  }

  /**
   * Every character that matches, one at a time, a page read whenever the last one runs out; with
   * `prefetch: n`, up to `n` requests in flight ahead of the loop (an unfiltered walk reads ahead
   * by id through the batch endpoint). Leaving the loop early aborts what was read ahead.
   *
   * @example
   * ```ts
   * // Up to 8 requests ahead of the loop:
   * for await (const character of client.iterateCharactersAsync({}, { prefetch: 8 })) {
   *   if (character.name === 'Morty Smith') break; // aborts what is still in flight
   * }
   * ```
   */
  iterateCharactersAsync(
    filter?: CharacterFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<Character, void, undefined> {
    return this.#run.itemsAsync(character, filter, options);
  }

  /** Every page of characters that match, blocking. Async twin: `iterateCharacterPagesAsync`. */
  iterateCharacterPages(
    filter?: CharacterFilter,
    options?: CallOptions,
  ): Generator<Page<Character>, void, undefined> {
    return this.#run.pages('iterateCharacterPages', character, filter, options);
  }

  /** Every page of characters that match; `prefetch: n` reads up to `n` pages ahead of the loop. */
  iterateCharacterPagesAsync(
    filter?: CharacterFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<Page<Character>, void, undefined> {
    return this.#run.pagesAsync(character, filter, options);
  }

  /** Every character that matches, blocking. Async twin: `getAllCharactersAsync`. */
  getAllCharacters(filter?: CharacterFilter, options?: CallOptions & GetAllOptions): Character[] {
    return this.#run.allSync('getAllCharacters', character, filter, options);
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
    return this.#run.allAsync(character, filter, options);
  }

  // --- Locations ----------------------------------------------------------------------------

  /** Reads one location, blocking. Async twin: `getLocationAsync`. */
  getLocation(id: number, options?: CallOptions): LocationRecord {
    return this.#run.sync('getLocation', location.getOne, options, id);
  }

  /** Reads one location; see `getCharacterAsync`. */
  getLocationAsync(id: number, options?: CallOptions): Promise<LocationRecord> {
    return this.#run.async(location.getOne, options, id);
  }

  /** Reads many locations, blocking. Async twin: `getLocationsAsync`. */
  getLocations(ids: readonly number[], options?: CallOptions): LocationRecord[] {
    return this.#run.sync('getLocations', location.getMany, options, ids);
  }

  /** Reads many locations, in the order asked; see `getCharactersAsync`. */
  getLocationsAsync(ids: readonly number[], options?: CallOptions): Promise<LocationRecord[]> {
    return this.#run.async(location.getMany, options, ids);
  }

  /** Reads one page of locations, blocking. Async twin: `listLocationsAsync`. */
  listLocations(query?: ListQuery<LocationFilter>, options?: CallOptions): Page<LocationRecord> {
    return this.#run.sync('listLocations', location.listPage, options, query);
  }

  /** Reads one page of the locations that match; see `listCharactersAsync`. */
  listLocationsAsync(
    query?: ListQuery<LocationFilter>,
    options?: CallOptions,
  ): Promise<Page<LocationRecord>> {
    return this.#run.async(location.listPage, options, query);
  }

  /** Every location that matches, one at a time, blocking. Async twin: `iterateLocationsAsync`. */
  iterateLocations(
    filter?: LocationFilter,
    options?: CallOptions,
  ): Generator<LocationRecord, void, undefined> {
    return this.#run.items('iterateLocations', location, filter, options);
  }

  /** Every location that matches, one at a time; see `iterateCharactersAsync`. */
  iterateLocationsAsync(
    filter?: LocationFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<LocationRecord, void, undefined> {
    return this.#run.itemsAsync(location, filter, options);
  }

  /** Every page of locations that match, blocking. Async twin: `iterateLocationPagesAsync`. */
  iterateLocationPages(
    filter?: LocationFilter,
    options?: CallOptions,
  ): Generator<Page<LocationRecord>, void, undefined> {
    return this.#run.pages('iterateLocationPages', location, filter, options);
  }

  /** Every page of locations that match. */
  iterateLocationPagesAsync(
    filter?: LocationFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<Page<LocationRecord>, void, undefined> {
    return this.#run.pagesAsync(location, filter, options);
  }

  /** Every location that matches, blocking. Async twin: `getAllLocationsAsync`. */
  getAllLocations(
    filter?: LocationFilter,
    options?: CallOptions & GetAllOptions,
  ): LocationRecord[] {
    return this.#run.allSync('getAllLocations', location, filter, options);
  }

  /** Every location that matches, read together; see `getAllCharactersAsync`. */
  getAllLocationsAsync(
    filter?: LocationFilter,
    options?: CallOptions & GetAllOptions,
  ): Promise<LocationRecord[]> {
    return this.#run.allAsync(location, filter, options);
  }

  // --- Episodes -----------------------------------------------------------------------------

  /** Reads one episode, blocking. Async twin: `getEpisodeAsync`. */
  getEpisode(id: number, options?: CallOptions): Episode {
    return this.#run.sync('getEpisode', episode.getOne, options, id);
  }

  /** Reads one episode; see `getCharacterAsync`. */
  getEpisodeAsync(id: number, options?: CallOptions): Promise<Episode> {
    return this.#run.async(episode.getOne, options, id);
  }

  /** Reads many episodes, blocking. Async twin: `getEpisodesAsync`. */
  getEpisodes(ids: readonly number[], options?: CallOptions): Episode[] {
    return this.#run.sync('getEpisodes', episode.getMany, options, ids);
  }

  /** Reads many episodes, in the order asked; see `getCharactersAsync`. */
  getEpisodesAsync(ids: readonly number[], options?: CallOptions): Promise<Episode[]> {
    return this.#run.async(episode.getMany, options, ids);
  }

  /** Reads one page of episodes, blocking. Async twin: `listEpisodesAsync`. */
  listEpisodes(query?: ListQuery<EpisodeFilter>, options?: CallOptions): Page<Episode> {
    return this.#run.sync('listEpisodes', episode.listPage, options, query);
  }

  /** Reads one page of the episodes that match; see `listCharactersAsync`. */
  listEpisodesAsync(
    query?: ListQuery<EpisodeFilter>,
    options?: CallOptions,
  ): Promise<Page<Episode>> {
    return this.#run.async(episode.listPage, options, query);
  }

  /** Every episode that matches, one at a time, blocking. Async twin: `iterateEpisodesAsync`. */
  iterateEpisodes(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): Generator<Episode, void, undefined> {
    return this.#run.items('iterateEpisodes', episode, filter, options);
  }

  /** Every episode that matches, one at a time; see `iterateCharactersAsync`. */
  iterateEpisodesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<Episode, void, undefined> {
    return this.#run.itemsAsync(episode, filter, options);
  }

  /** Every page of episodes that match, blocking. Async twin: `iterateEpisodePagesAsync`. */
  iterateEpisodePages(
    filter?: EpisodeFilter,
    options?: CallOptions,
  ): Generator<Page<Episode>, void, undefined> {
    return this.#run.pages('iterateEpisodePages', episode, filter, options);
  }

  /** Every page of episodes that match. */
  iterateEpisodePagesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions & IterateOptions,
  ): AsyncGenerator<Page<Episode>, void, undefined> {
    return this.#run.pagesAsync(episode, filter, options);
  }

  /** Every episode that matches, blocking. Async twin: `getAllEpisodesAsync`. */
  getAllEpisodes(filter?: EpisodeFilter, options?: CallOptions & GetAllOptions): Episode[] {
    return this.#run.allSync('getAllEpisodes', episode, filter, options);
  }

  /** Every episode that matches, read together; see `getAllCharactersAsync`. */
  getAllEpisodesAsync(
    filter?: EpisodeFilter,
    options?: CallOptions & GetAllOptions,
  ): Promise<Episode[]> {
    return this.#run.allAsync(episode, filter, options);
  }

  // --- Relations ----------------------------------------------------------------------------

  /** The episodes of one or many characters, blocking. Async twin: `getCharacterEpisodesAsync`. */
  getCharacterEpisodes(
    characters: Character | readonly Character[],
    options?: CallOptions,
  ): Episode[] {
    return this.#run.sync('getCharacterEpisodes', characterEpisodes, options, characters);
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
    return this.#run.async(characterEpisodes, options, characters);
  }

  /** The characters of one or many episodes, blocking. Async twin: `getEpisodeCharactersAsync`. */
  getEpisodeCharacters(episodes: Episode | readonly Episode[], options?: CallOptions): Character[] {
    return this.#run.sync('getEpisodeCharacters', episodeCharacters, options, episodes);
  }

  /** The characters of one or many episodes, each once; see `getCharacterEpisodesAsync`. */
  getEpisodeCharactersAsync(
    episodes: Episode | readonly Episode[],
    options?: CallOptions,
  ): Promise<Character[]> {
    return this.#run.async(episodeCharacters, options, episodes);
  }

  /** The residents of one or many locations, blocking. Async twin: `getLocationResidentsAsync`. */
  getLocationResidents(
    locations: LocationRecord | readonly LocationRecord[],
    options?: CallOptions,
  ): Character[] {
    return this.#run.sync('getLocationResidents', locationResidents, options, locations);
  }

  /** The residents of one or many locations, each once; see `getCharacterEpisodesAsync`. */
  getLocationResidentsAsync(
    locations: LocationRecord | readonly LocationRecord[],
    options?: CallOptions,
  ): Promise<Character[]> {
    return this.#run.async(locationResidents, options, locations);
  }

  /** A character's origin, or null when it is unknown, blocking. Async twin: `getCharacterOriginAsync`. */
  getCharacterOrigin(character: Character, options?: CallOptions): LocationRecord | null {
    return this.#run.sync('getCharacterOrigin', characterOrigin, options, character);
  }

  /** A character's origin, or null when it is unknown (the API's link is `""`). */
  getCharacterOriginAsync(
    character: Character,
    options?: CallOptions,
  ): Promise<LocationRecord | null> {
    return this.#run.async(characterOrigin, options, character);
  }

  /** Where a character was last seen, or null, blocking. Async twin: `getCharacterLocationAsync`. */
  getCharacterLocation(character: Character, options?: CallOptions): LocationRecord | null {
    return this.#run.sync('getCharacterLocation', characterLocation, options, character);
  }

  /** Where a character was last seen, or null when it is unknown. */
  getCharacterLocationAsync(
    character: Character,
    options?: CallOptions,
  ): Promise<LocationRecord | null> {
    return this.#run.async(characterLocation, options, character);
  }

  // --- Root -----------------------------------------------------------------------------------

  /** Reads the root endpoint map, blocking. Async twin: `getEndpointsAsync`. */
  getEndpoints(options?: CallOptions): Endpoints {
    return this.#run.sync('getEndpoints', endpoints, options);
  }

  /** Reads the root endpoint map: the URLs of the three resources. */
  getEndpointsAsync(options?: CallOptions): Promise<Endpoints> {
    return this.#run.async(endpoints, options);
  }

  // --- Lifetime -------------------------------------------------------------------------------

  /**
   * Releases the worker threads the client started (transports given to it are their owner's to
   * close). The client can be used again afterwards; it starts what it needs anew.
   */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** `await using client = new RickMortyClient()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
