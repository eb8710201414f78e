/**
 * Relations between records: ids from URLs, the episodes of characters, the characters of
 * episodes, the residents of locations, and a character's origin and location, in both halves,
 * counted at the mock transport.
 */
import { describe, expect, it } from 'vitest';
import { type Character, InvalidArgumentError, RickMortyClient } from '../src/index.js';
import { idFromUrl, idsFromUrls } from '../src/operations/relations.js';
import { createMockTransport, generateDataset } from '../src/testing/index.js';
import { idsOf, rejectionOf, thrownBy } from './helpers/client-fixtures.js';

const data = generateDataset();

function setup(options: ConstructorParameters<typeof RickMortyClient>[0] = {}) {
  const transport = createMockTransport();
  return { client: new RickMortyClient({ transport, ...options }), transport };
}

describe('idFromUrl and idsFromUrls', () => {
  it.each([
    ['https://rickandmortyapi.com/api/episode/28', 28],
    ['https://rickandmortyapi.com/api/character/1', 1],
    ['https://rickandmortyapi.com/api/location/20/', 20],
    ['http://127.0.0.1:4000/api/location/3', 3],
    ['', undefined],
    ['https://rickandmortyapi.com/api/character', undefined],
    ['https://rickandmortyapi.com/api/character/0', undefined],
    ['https://rickandmortyapi.com/api/character/abc', undefined],
    ['https://rickandmortyapi.com/api/character/1,2', undefined],
    ['https://rickandmortyapi.com/api/character/avatar/1.jpeg', undefined],
    ['https://example.com/api/planet/5', undefined],
    ['https://rickandmortyapi.com/api/character/99999999999999999999', undefined],
  ] as const)('idFromUrl(%j) is %j', (url, id) => {
    expect(idFromUrl(url)).toBe(id);
  });

  it('idsFromUrls gives the distinct ids in first-seen order and skips empty links', () => {
    const base = 'https://rickandmortyapi.com/api/episode';
    expect(idsFromUrls([`${base}/3`, '', `${base}/1`, `${base}/3`, `${base}/2`])).toEqual([
      3, 1, 2,
    ]);
    expect(idsFromUrls([])).toEqual([]);
    expect(idsFromUrls(new Set([`${base}/9`]))).toEqual([9]);
  });
});

describe('getCharacterEpisodes', () => {
  it('reads the episodes of a page of 20 characters in one or two requests, in both halves', async () => {
    const { client, transport } = setup();
    const page = await client.listCharactersAsync();
    expect(page.results).toHaveLength(20);
    const expected = idsFromUrls(page.results.flatMap((c) => c.episode));

    transport.reset();
    const episodes = await client.getCharacterEpisodesAsync(page.results);
    expect(transport.calls.length).toBeGreaterThanOrEqual(1);
    expect(transport.calls.length).toBeLessThanOrEqual(2);
    expect(idsOf(episodes)).toEqual(expected);
    expect(episodes).toEqual(expected.map((id) => data.episodes[id - 1]));

    transport.reset();
    expect(client.getCharacterEpisodes(page.results)).toEqual(episodes);
    expect(transport.calls.length).toBeLessThanOrEqual(2);
  });

  it('relations go through the batch endpoint even with batch: false, as getLinked intends', async () => {
    const { client, transport } = setup({ batch: false });
    const twenty = data.characters.slice(0, 20);
    await client.getCharacterEpisodesAsync(twenty);
    expect(transport.calls.length).toBeLessThanOrEqual(2);
  });

  it('takes one character as well as a list', async () => {
    const { client } = setup();
    const alan = data.characters[9]!;
    const episodes = await client.getCharacterEpisodesAsync(alan);
    expect(idsOf(episodes)).toEqual(idsFromUrls(alan.episode));
  });
});

describe('getEpisodeCharacters and getLocationResidents', () => {
  it("reads an episode's characters, in the order the episode lists them", async () => {
    const { client, transport } = setup();
    const pilot = data.episodes[0]!;
    const characters = await client.getEpisodeCharactersAsync(pilot);
    expect(idsOf(characters)).toEqual(idsFromUrls(pilot.characters));
    expect(characters.map((c) => c.name)).toContain('Rick Sanchez');
    expect(transport.calls.length).toBe(Math.ceil(pilot.characters.length / 100));
    expect(client.getEpisodeCharacters(pilot)).toEqual(characters);
  });

  it("reads a location's residents", async () => {
    const { client } = setup();
    const location = data.locations.find((l) => l.residents.length > 2)!;
    const residents = await client.getLocationResidentsAsync(location);
    expect(idsOf(residents)).toEqual(idsFromUrls(location.residents));
    expect(residents.every((c) => c.location.url === location.url)).toBe(true);
    expect(client.getLocationResidents([location])).toEqual(residents);
  });

  it('a location with no residents gives [] without a request, in both halves', async () => {
    const { client, transport } = setup();
    const empty = data.locations.find((l) => l.residents.length === 0)!;
    expect(empty).toBeDefined();
    expect(await client.getLocationResidentsAsync(empty)).toEqual([]);
    expect(client.getLocationResidents(empty)).toEqual([]);
    expect(await client.getLocationResidentsAsync([])).toEqual([]);
    expect(transport.calls).toHaveLength(0);
  });
});

describe('getCharacterOrigin and getCharacterLocation', () => {
  it("reads a character's origin and location", async () => {
    const { client, transport } = setup();
    const rick = data.characters[0]!;
    const origin = await client.getCharacterOriginAsync(rick);
    expect(origin?.name).toBe('Earth (C-137)');
    expect(origin).toEqual(data.locations[0]);
    expect(client.getCharacterOrigin(rick)).toEqual(origin);
    const location = await client.getCharacterLocationAsync(rick);
    expect(location?.url).toBe(rick.location.url);
    expect(client.getCharacterLocation(rick)).toEqual(location);
    expect(transport.calls).toHaveLength(4);
  });

  it('gives null, without a request, when the link is "" (unknown)', async () => {
    const { client, transport } = setup();
    const morty = data.characters[1]!;
    expect(morty.origin).toEqual({ name: 'unknown', url: '' });
    expect(await client.getCharacterOriginAsync(morty)).toBeNull();
    expect(client.getCharacterOrigin(morty)).toBeNull();
    const nowhere: Character = { ...morty, location: { name: 'unknown', url: '' } };
    expect(await client.getCharacterLocationAsync(nowhere)).toBeNull();
    expect(client.getCharacterLocation(nowhere)).toBeNull();
    expect(transport.calls).toHaveLength(0);
  });
});

describe('bad records', () => {
  const bad: [string, (client: RickMortyClient) => unknown][] = [
    ['getCharacterEpisodes(a number)', (c) => c.getCharacterEpisodes(1 as never)],
    ['getCharacterEpisodes(an episode)', (c) => c.getCharacterEpisodes(data.episodes[0] as never)],
    ['getCharacterEpisodes([null])', (c) => c.getCharacterEpisodes([null] as never)],
    ['getEpisodeCharacters({})', (c) => c.getEpisodeCharacters({} as never)],
    [
      'getLocationResidents(a character)',
      (c) => c.getLocationResidents(data.characters[0] as never),
    ],
    ['getCharacterOrigin(null)', (c) => c.getCharacterOrigin(null as never)],
    ['getCharacterOrigin({})', (c) => c.getCharacterOrigin({} as never)],
    [
      'getCharacterLocation(no location url)',
      (c) => c.getCharacterLocation({ ...data.characters[0], location: { name: 'x' } } as never),
    ],
  ];

  it.each(bad)(
    '%s is an InvalidArgumentError before any request, in both halves',
    async (label, call) => {
      const { client, transport } = setup();
      expect(thrownBy(() => call(client))).toBeInstanceOf(InvalidArgumentError);
      // The async twin: the same method name with Async, the same arguments.
      const asyncClient = new Proxy(client, {
        get: (target, property, receiver) => {
          const value = Reflect.get(target, property, receiver);
          if (typeof property !== 'string' || typeof value !== 'function') return value;
          const twin = Reflect.get(target, `${property}Async`, receiver) as (
            ...args: unknown[]
          ) => unknown;
          return (...args: unknown[]) => twin.apply(target, args);
        },
      });
      const error = await rejectionOf(
        (async () => call(asyncClient as RickMortyClient))() as Promise<unknown>,
      );
      expect(error, label).toBeInstanceOf(InvalidArgumentError);
      expect(transport.calls).toHaveLength(0);
    },
  );
});
