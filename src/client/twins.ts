/**
 * The client's twin pairs, named once in a typed table: each blocking twin and its async twin.
 * The blocking runner's messages, the CLI's twin calls and the tests that walk the client's
 * prototype read the pairs here, rather than cutting `Async` off a name. The table's type makes it
 * name every blocking twin of `RickMortyClient`; a type test (test/types.test-d.ts) proves that its
 * async twins are every `…Async` method.
 *
 * @module
 */
import type { RickMortyClient } from '../client.js';

/** A blocking twin of the client: a method whose name plus `Async` is a method too. */
export type BlockingTwin = {
  [K in keyof RickMortyClient & string]: `${K}Async` extends keyof RickMortyClient ? K : never;
}[keyof RickMortyClient & string];

/** An async twin of the client: `getCharacterAsync` and its kin. */
export type AsyncTwin = `${BlockingTwin}Async`;

/** Each blocking twin of the client, with its async twin. */
export const TWINS: { readonly [K in BlockingTwin]: `${K}Async` } = {
  getCharacter: 'getCharacterAsync',
  getCharacters: 'getCharactersAsync',
  listCharacters: 'listCharactersAsync',
  iterateCharacters: 'iterateCharactersAsync',
  iterateCharacterPages: 'iterateCharacterPagesAsync',
  getAllCharacters: 'getAllCharactersAsync',

  getLocation: 'getLocationAsync',
  getLocations: 'getLocationsAsync',
  listLocations: 'listLocationsAsync',
  iterateLocations: 'iterateLocationsAsync',
  iterateLocationPages: 'iterateLocationPagesAsync',
  getAllLocations: 'getAllLocationsAsync',

  getEpisode: 'getEpisodeAsync',
  getEpisodes: 'getEpisodesAsync',
  listEpisodes: 'listEpisodesAsync',
  iterateEpisodes: 'iterateEpisodesAsync',
  iterateEpisodePages: 'iterateEpisodePagesAsync',
  getAllEpisodes: 'getAllEpisodesAsync',

  getCharacterEpisodes: 'getCharacterEpisodesAsync',
  getEpisodeCharacters: 'getEpisodeCharactersAsync',
  getLocationResidents: 'getLocationResidentsAsync',
  getCharacterOrigin: 'getCharacterOriginAsync',
  getCharacterLocation: 'getCharacterLocationAsync',

  getEndpoints: 'getEndpointsAsync',
};
