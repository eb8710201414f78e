/**
 * Type-level tests, checked by `vitest run` (typecheck is enabled in vitest.config.ts for
 * `test/**\/*.test-d.ts`): nothing here runs, tsc only checks it.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import type { AsyncTwin, BlockingTwin, TWINS } from '../src/client/twins.js';
import {
  type AbortError,
  type AsyncTransport,
  type BlockingTransport,
  type BlockingUnavailableError,
  type Character,
  type CharacterStatus,
  createBlockingTransport,
  type Endpoints,
  type Episode,
  type HttpError,
  handleError,
  handleErrorAsync,
  type InvalidArgumentError,
  isNotFoundError,
  type Location,
  makeAsync,
  type NotAPromise,
  type NotFoundError,
  type Page,
  type PooledTransport,
  type RateLimitError,
  RickMortyClient,
  type RickMortyError,
  type ServerError,
  type TimeoutError,
  type ValidationError,
} from '../src/index.js';
import type { characterSchema, episodeSchema, locationSchema } from '../src/resources/schemas.js';
import {
  createMockTransport,
  type ReplicaServer,
  type ReplicaStats,
  startReplicaServer,
} from '../src/testing/index.js';
import { makeAsync as makeAsyncInFull, type PooledFunction } from '../src/transports/make-async.js';

declare const client: RickMortyClient;
declare const character: Character;
declare const episode: Episode;
declare const location: Location;

describe('the paired methods', () => {
  it('one record: the record, or a promise of it', () => {
    expectTypeOf(client.getCharacter(1)).toEqualTypeOf<Character>();
    expectTypeOf(client.getCharacterAsync(1)).toEqualTypeOf<Promise<Character>>();
    expectTypeOf(client.getLocation(1)).toEqualTypeOf<Location>();
    expectTypeOf(client.getLocationAsync(1)).toEqualTypeOf<Promise<Location>>();
    expectTypeOf(client.getEpisode(1)).toEqualTypeOf<Episode>();
    expectTypeOf(client.getEpisodeAsync(1)).toEqualTypeOf<Promise<Episode>>();
    expectTypeOf(client.getEndpoints()).toEqualTypeOf<Endpoints>();
    expectTypeOf(client.getEndpointsAsync()).toEqualTypeOf<Promise<Endpoints>>();
  });

  it('many records: arrays', () => {
    expectTypeOf(client.getCharacters([1, 2])).toEqualTypeOf<Character[]>();
    expectTypeOf(client.getCharactersAsync([1, 2])).toEqualTypeOf<Promise<Character[]>>();
    expectTypeOf(client.getLocations([1])).toEqualTypeOf<Location[]>();
    expectTypeOf(client.getLocationsAsync([1])).toEqualTypeOf<Promise<Location[]>>();
    expectTypeOf(client.getEpisodes([1])).toEqualTypeOf<Episode[]>();
    expectTypeOf(client.getEpisodesAsync([1])).toEqualTypeOf<Promise<Episode[]>>();
  });

  it('lists: pages', () => {
    expectTypeOf(client.listCharacters()).toEqualTypeOf<Page<Character>>();
    expectTypeOf(client.listCharactersAsync({ status: 'Dead', page: 2 })).toEqualTypeOf<
      Promise<Page<Character>>
    >();
    expectTypeOf(client.listLocations()).toEqualTypeOf<Page<Location>>();
    expectTypeOf(client.listLocationsAsync()).toEqualTypeOf<Promise<Page<Location>>>();
    expectTypeOf(client.listEpisodes()).toEqualTypeOf<Page<Episode>>();
    expectTypeOf(client.listEpisodesAsync()).toEqualTypeOf<Promise<Page<Episode>>>();
    expectTypeOf<Page<Character>['results']>().toEqualTypeOf<Character[]>();
    expectTypeOf<Page<Character>['info']['next']>().toEqualTypeOf<string | null>();
  });

  it('iteration: generators, blocking or async', () => {
    expectTypeOf(client.iterateCharacters()).toEqualTypeOf<Generator<Character, void, undefined>>();
    expectTypeOf(client.iterateCharactersAsync()).toEqualTypeOf<
      AsyncGenerator<Character, void, undefined>
    >();
    expectTypeOf(client.iterateCharacterPages()).toEqualTypeOf<
      Generator<Page<Character>, void, undefined>
    >();
    expectTypeOf(client.iterateCharacterPagesAsync()).toEqualTypeOf<
      AsyncGenerator<Page<Character>, void, undefined>
    >();
    expectTypeOf(client.iterateLocations()).toEqualTypeOf<Generator<Location, void, undefined>>();
    expectTypeOf(client.iterateLocationsAsync()).toEqualTypeOf<
      AsyncGenerator<Location, void, undefined>
    >();
    expectTypeOf(client.iterateEpisodes()).toEqualTypeOf<Generator<Episode, void, undefined>>();
    expectTypeOf(client.iterateEpisodesAsync()).toEqualTypeOf<
      AsyncGenerator<Episode, void, undefined>
    >();
  });

  it('getAll: arrays', () => {
    expectTypeOf(client.getAllCharacters({ status: 'Alive' })).toEqualTypeOf<Character[]>();
    expectTypeOf(client.getAllCharactersAsync()).toEqualTypeOf<Promise<Character[]>>();
    expectTypeOf(client.getAllLocations()).toEqualTypeOf<Location[]>();
    expectTypeOf(client.getAllLocationsAsync()).toEqualTypeOf<Promise<Location[]>>();
    expectTypeOf(client.getAllEpisodes()).toEqualTypeOf<Episode[]>();
    expectTypeOf(client.getAllEpisodesAsync()).toEqualTypeOf<Promise<Episode[]>>();
  });

  it('relations: arrays, or one location that may be null', () => {
    expectTypeOf(client.getCharacterEpisodes(character)).toEqualTypeOf<Episode[]>();
    expectTypeOf(client.getCharacterEpisodesAsync([character])).toEqualTypeOf<Promise<Episode[]>>();
    expectTypeOf(client.getEpisodeCharacters(episode)).toEqualTypeOf<Character[]>();
    expectTypeOf(client.getEpisodeCharactersAsync([episode])).toEqualTypeOf<Promise<Character[]>>();
    expectTypeOf(client.getLocationResidents(location)).toEqualTypeOf<Character[]>();
    expectTypeOf(client.getLocationResidentsAsync([location])).toEqualTypeOf<
      Promise<Character[]>
    >();
    expectTypeOf(client.getCharacterOrigin(character)).toEqualTypeOf<Location | null>();
    expectTypeOf(client.getCharacterOriginAsync(character)).toEqualTypeOf<
      Promise<Location | null>
    >();
    expectTypeOf(client.getCharacterLocation(character)).toEqualTypeOf<Location | null>();
    expectTypeOf(client.getCharacterLocationAsync(character)).toEqualTypeOf<
      Promise<Location | null>
    >();
  });

  it('each blocking method has an async twin of the same parameters', () => {
    expectTypeOf(client.getCharacterAsync).parameters.toEqualTypeOf<
      Parameters<typeof client.getCharacter>
    >();
    expectTypeOf(client.listCharactersAsync).parameters.toEqualTypeOf<
      Parameters<typeof client.listCharacters>
    >();
    expectTypeOf(client.getAllEpisodesAsync).parameters.toEqualTypeOf<
      Parameters<typeof client.getAllEpisodes>
    >();
    expectTypeOf(client.getCharacterOriginAsync).parameters.toEqualTypeOf<
      Parameters<typeof client.getCharacterOrigin>
    >();
  });

  it('rejects wrong arguments and options', () => {
    // @ts-expect-error: ids are numbers
    client.getCharacter('1');
    // @ts-expect-error: not a status the API knows
    client.listCharacters({ status: 'Sleeping' });
    // @ts-expect-error: an unknown client option
    new RickMortyClient({ baseURL: 'http://127.0.0.1' });
    // @ts-expect-error: exactOptionalPropertyTypes: an optional option is left out, not undefined
    new RickMortyClient({ timeout: undefined });
    expectTypeOf(client.close()).toEqualTypeOf<Promise<void>>();
  });
});

describe('inferred schema types', () => {
  it('a character is what its schema infers', () => {
    expectTypeOf<z.infer<typeof characterSchema>>().toEqualTypeOf<Character>();
    expectTypeOf<z.infer<typeof locationSchema>>().toEqualTypeOf<Location>();
    expectTypeOf<z.infer<typeof episodeSchema>>().toEqualTypeOf<Episode>();
  });

  it('fields are precise', () => {
    expectTypeOf<Character['status']>().toEqualTypeOf<'Alive' | 'Dead' | 'unknown'>();
    expectTypeOf<CharacterStatus>().toEqualTypeOf<'Alive' | 'Dead' | 'unknown'>();
    expectTypeOf<Character['gender']>().toEqualTypeOf<
      'Female' | 'Male' | 'Genderless' | 'unknown'
    >();
    expectTypeOf<Character['id']>().toEqualTypeOf<number>();
    expectTypeOf<Character['name']>().toEqualTypeOf<string>();
    expectTypeOf<Character['episode']>().toEqualTypeOf<string[]>();
    expectTypeOf<Character['origin']>().toEqualTypeOf<{ name: string; url: string }>();
    expectTypeOf<Location['residents']>().toEqualTypeOf<string[]>();
    expectTypeOf<Episode['characters']>().toEqualTypeOf<string[]>();
    expectTypeOf<Character>().not.toBeAny();
  });
});

/** The client's methods whose name plus `Async` is a method too. */
type ClientBlockingTwin = {
  [K in keyof RickMortyClient & string]: `${K}Async` extends keyof RickMortyClient ? K : never;
}[keyof RickMortyClient & string];

describe('the table of twin pairs', () => {
  it("names exactly the client's blocking twins, and every `…Async` method as an async twin", () => {
    expectTypeOf<BlockingTwin>().toEqualTypeOf<ClientBlockingTwin>();
    expectTypeOf<AsyncTwin>().toEqualTypeOf<Extract<keyof RickMortyClient, `${string}Async`>>();
    expectTypeOf<keyof typeof TWINS>().toEqualTypeOf<BlockingTwin>();
    expectTypeOf<(typeof TWINS)['getCharacter']>().toEqualTypeOf<'getCharacterAsync'>();
  });
});

describe('error classes', () => {
  it('form one hierarchy', () => {
    expectTypeOf<NotFoundError>().toExtend<HttpError>();
    expectTypeOf<HttpError>().toExtend<RickMortyError>();
    expectTypeOf<RickMortyError>().toExtend<Error>();
    expectTypeOf<RateLimitError>().toExtend<HttpError>();
    expectTypeOf<ServerError>().toExtend<HttpError>();
    expectTypeOf<TimeoutError>().toExtend<RickMortyError>();
    expectTypeOf<ValidationError>().toExtend<RickMortyError>();
    expectTypeOf<AbortError>().toExtend<RickMortyError>();
    expectTypeOf<BlockingUnavailableError>().toExtend<RickMortyError>();
    expectTypeOf<InvalidArgumentError>().toExtend<TypeError>();
  });

  it('guards narrow', () => {
    const error: unknown = new Error('x');
    if (isNotFoundError(error)) expectTypeOf(error).toEqualTypeOf<NotFoundError>();
  });
});

describe('retry helpers', () => {
  it('take a function, and keep its result type', () => {
    expectTypeOf(handleError(() => client.getCharacter(1))).toEqualTypeOf<Character>();
    expectTypeOf(handleErrorAsync(() => client.getCharacterAsync(1))).toEqualTypeOf<
      Promise<Character>
    >();
  });

  it('refuse a promise, which cannot be retried', () => {
    // @ts-expect-error: pass `() => promise`, not the promise
    void handleErrorAsync(client.getCharacterAsync(1));
  });

  it('handleError refuses a function that returns a promise: it cannot wait for one', () => {
    // @ts-expect-error: a blocking helper cannot wait for a promise; use handleErrorAsync
    handleError(() => client.getCharacterAsync(1));
    // @ts-expect-error: an async function returns a promise too
    handleError(async () => 1);
    // @ts-expect-error: so does one that may return a promise
    handleError(() => (Math.random() > 0.5 ? 1 : Promise.resolve(1)));
    // Any value that is not a thenable is fine, `any` and `unknown` included.
    expectTypeOf(handleError(() => 1)).toEqualTypeOf<number>();
    expectTypeOf(handleError((): unknown => 1)).toEqualTypeOf<unknown>();
    expectTypeOf(handleError(() => JSON.parse('1'))).toBeAny();
  });

  it('a generic wrapper of handleError passes NotAPromise along', () => {
    function withRetries<T>(fn: (() => T) & NotAPromise<T>): T {
      return handleError(fn, { retries: 1 });
    }
    expectTypeOf(withRetries(() => 'x')).toEqualTypeOf<string>();
    // @ts-expect-error: the wrapper refuses promises as handleError does
    withRetries(() => client.getCharacterAsync(1));
  });
});

describe('transports', () => {
  it('makeAsync lifts a blocking transport into an async one', () => {
    const blocking = createBlockingTransport();
    expectTypeOf(blocking).toExtend<BlockingTransport>();
    const lifted = makeAsync(blocking);
    expectTypeOf(lifted).toEqualTypeOf<PooledTransport>();
    expectTypeOf(lifted).toExtend<AsyncTransport>();
    expectTypeOf(lifted.close()).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error: a plain blocking transport has no recipe to rebuild it on a thread
    makeAsync({ requestSync: blocking.requestSync });
  });

  it("the root's makeAsync takes transports; rickmorty-client/make-async also module functions", () => {
    // @ts-expect-error: the root entry's makeAsync lifts transports only
    makeAsync({ module: 'file:///slow.js', export: 'slowSquare' });
    expectTypeOf(
      makeAsyncInFull<(n: number) => number>({ module: 'file:///slow.js', export: 'slowSquare' }),
    ).toEqualTypeOf<PooledFunction<(n: number) => number>>();
    expectTypeOf(makeAsyncInFull(createBlockingTransport())).toEqualTypeOf<PooledTransport>();
  });

  it('the mock transport serves both halves', () => {
    const mock = createMockTransport();
    expectTypeOf(mock).toExtend<AsyncTransport>();
    expectTypeOf(mock).toExtend<BlockingTransport>();
  });

  it('the replica server', () => {
    expectTypeOf(startReplicaServer()).toEqualTypeOf<Promise<ReplicaServer>>();
    expectTypeOf<ReturnType<ReplicaServer['stats']>>().toEqualTypeOf<Promise<ReplicaStats>>();
    expectTypeOf<ReplicaServer['url']>().toEqualTypeOf<string>();
  });
});
