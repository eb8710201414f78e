import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterSchema } from '../src/resources/character.js';
import { episodeSchema } from '../src/resources/episode.js';
import { locationSchema } from '../src/resources/location.js';
import { type Dataset, generateDataset, loadDatasetFromDirectory } from '../src/testing/dataset.js';

const BASE = 'https://rickandmortyapi.com/api';
const AIR_DATE =
  /^(January|February|March|April|May|June|July|August|September|October|November|December) [1-9]\d?, \d{4}$/;

/** Every problem with the links between records; empty when they agree both ways. */
function linkProblems(data: Dataset): string[] {
  const problems: string[] = [];
  const characters = new Map(data.characters.map((c) => [c.url, c]));
  const locations = new Map(data.locations.map((l) => [l.url, l]));
  const episodes = new Map(data.episodes.map((e) => [e.url, e]));
  for (const character of data.characters) {
    for (const url of character.episode) {
      if (!episodes.get(url)?.characters.includes(character.url)) {
        problems.push(`${character.url} lists ${url}, which does not list it back`);
      }
    }
    for (const link of [character.origin, character.location]) {
      if (link.name === 'unknown' ? link.url !== '' : locations.get(link.url)?.name !== link.name) {
        problems.push(`${character.url} links to ${link.name} at "${link.url}"`);
      }
    }
  }
  for (const episode of data.episodes) {
    for (const url of episode.characters) {
      if (!characters.get(url)?.episode.includes(episode.url)) {
        problems.push(`${episode.url} lists ${url}, which does not list it back`);
      }
    }
  }
  for (const location of data.locations) {
    const expected = data.characters
      .filter((c) => c.location.url === location.url)
      .map((c) => c.url);
    if (JSON.stringify(location.residents) !== JSON.stringify(expected)) {
      problems.push(`${location.url} residents differ from the characters located there`);
    }
  }
  return problems;
}

function schemaProblems(data: Dataset): string[] {
  const problems: string[] = [];
  const check = (
    schema: { safeParse(value: unknown): { success: boolean } },
    record: { url: string },
  ) => {
    if (!schema.safeParse(record).success) problems.push(record.url);
  };
  for (const record of data.characters) check(characterSchema, record);
  for (const record of data.locations) check(locationSchema, record);
  for (const record of data.episodes) check(episodeSchema, record);
  return problems;
}

describe('generateDataset', () => {
  const data = generateDataset();

  it('has the live API counts by default, with ids 1..n in storage order', () => {
    expect(data.characters).toHaveLength(826);
    expect(data.locations).toHaveLength(126);
    expect(data.episodes).toHaveLength(51);
    for (const list of [data.characters, data.locations, data.episodes]) {
      expect(list.map((record) => record.id)).toEqual(list.map((_, index) => index + 1));
    }
  });

  it('is deterministic: the same seed gives byte-identical output', () => {
    const a = JSON.stringify(generateDataset({ seed: 99 }));
    const b = JSON.stringify(generateDataset({ seed: 99 }));
    expect(a).toBe(b);
    expect(JSON.stringify(generateDataset({ seed: 100 }))).not.toBe(a);
    expect(JSON.stringify(generateDataset({ seed: 99, counts: {} }))).toBe(a);
  });

  it('memoizes the default dataset and freezes it, and hands out fresh ones for options', () => {
    expect(generateDataset()).toBe(data);
    expect(Object.isFrozen(data.characters[0]?.episode)).toBe(true);
    expect(() => {
      (data.characters as unknown[]).push({});
    }).toThrow(TypeError);
    const fresh = generateDataset({ seed: 5 });
    expect(fresh).not.toBe(generateDataset({ seed: 5 }));
    expect(Object.isFrozen(fresh.characters)).toBe(false);
  });

  it('keeps the known facts', () => {
    const [rick, morty] = data.characters;
    expect(rick).toMatchObject({
      id: 1,
      name: 'Rick Sanchez',
      status: 'Alive',
      species: 'Human',
      gender: 'Male',
      origin: { name: 'Earth (C-137)', url: `${BASE}/location/1` },
      location: { name: 'Citadel of Ricks', url: `${BASE}/location/3` },
      image: `${BASE}/character/avatar/1.jpeg`,
      url: `${BASE}/character/1`,
      created: '2017-11-04T18:48:46.250Z',
    });
    expect(morty?.name).toBe('Morty Smith');
    expect(data.characters[9]?.name).toBe('Alan Rails');
    expect(data.characters[99]?.name).toBe('Bubonic Plague');
    expect(data.episodes[0]).toMatchObject({
      id: 1,
      name: 'Pilot',
      episode: 'S01E01',
      air_date: 'December 2, 2013',
      url: `${BASE}/episode/1`,
    });
    expect(data.locations[0]).toMatchObject({
      id: 1,
      name: 'Earth (C-137)',
      type: 'Planet',
      dimension: 'Dimension C-137',
      url: `${BASE}/location/1`,
    });
  });

  it('passes the schemas, record by record', () => {
    expect(schemaProblems(data)).toEqual([]);
  });

  it('links records consistently both ways', () => {
    expect(linkProblems(data)).toEqual([]);
    expect(data.episodes[0]?.characters).toContain(`${BASE}/character/1`);
    expect(data.characters.every((c) => c.episode.length > 0)).toBe(true);
  });

  it('writes absolute URLs under the API base', () => {
    for (const c of data.characters) {
      expect(c.url).toBe(`${BASE}/character/${c.id}`);
      expect(c.image).toBe(`${BASE}/character/avatar/${c.id}.jpeg`);
      for (const url of c.episode)
        expect(url).toMatch(/^https:\/\/rickandmortyapi\.com\/api\/episode\/\d+$/);
    }
    for (const l of data.locations) expect(l.url).toBe(`${BASE}/location/${l.id}`);
    for (const e of data.episodes) expect(e.url).toBe(`${BASE}/episode/${e.id}`);
  });

  it('writes the formats the API uses for codes and dates', () => {
    const seasons = new Map<string, number[]>();
    for (const episode of data.episodes) {
      const match = /^S(\d{2})E(\d{2})$/.exec(episode.episode);
      expect(match, episode.episode).not.toBeNull();
      const [, season = '', number = ''] = match ?? [];
      seasons.set(season, [...(seasons.get(season) ?? []), Number(number)]);
      expect(episode.air_date).toMatch(AIR_DATE);
    }
    for (const numbers of seasons.values()) {
      expect(numbers).toEqual(numbers.map((_, index) => index + 1));
      expect(numbers.length === 10 || numbers.length === 11).toBe(true);
    }
    const airDates = data.episodes.map((e) => Date.parse(e.air_date));
    expect(airDates).toEqual([...airDates].sort((a, b) => a - b));
    for (const record of [...data.characters, ...data.locations, ...data.episodes]) {
      expect(new Date(record.created).toISOString()).toBe(record.created);
    }
  });

  it('varies the synthetic records the way the real data does', () => {
    const values = (pick: (c: Dataset['characters'][number]) => string) =>
      new Set(data.characters.map(pick));
    expect(values((c) => c.status)).toEqual(new Set(['Alive', 'Dead', 'unknown']));
    expect(values((c) => c.gender)).toEqual(new Set(['Female', 'Male', 'Genderless', 'unknown']));
    expect(data.characters.some((c) => c.type === '')).toBe(true);
    expect(data.characters.some((c) => c.type !== '')).toBe(true);
    expect(data.characters.some((c) => c.origin.name === 'unknown' && c.origin.url === '')).toBe(
      true,
    );
    expect(data.locations.some((l) => l.residents.length === 0)).toBe(true);
    expect(data.locations.some((l) => l.dimension === 'unknown')).toBe(true);
    expect(new Set(data.locations.map((l) => l.name)).size).toBe(data.locations.length);
    expect(new Set(data.episodes.map((e) => e.name)).size).toBe(data.episodes.length);
  });

  it('takes custom counts, including zero', () => {
    const small = generateDataset({ counts: { characters: 3, locations: 2, episodes: 1 } });
    expect(small.characters.map((c) => c.name)).toEqual([
      'Rick Sanchez',
      'Morty Smith',
      expect.any(String),
    ]);
    expect(small.locations).toHaveLength(2);
    expect(small.characters[0]?.location.url).toBe(`${BASE}/location/1`);
    expect(linkProblems(small)).toEqual([]);
    const empty = generateDataset({ counts: { characters: 0, locations: 0, episodes: 0 } });
    expect(empty).toEqual({ characters: [], locations: [], episodes: [] });
    const noPlaces = generateDataset({ counts: { characters: 5, locations: 0, episodes: 0 } });
    expect(noPlaces.characters[0]?.origin).toEqual({ name: 'unknown', url: '' });
    expect(noPlaces.characters[0]?.episode).toEqual([]);
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => generateDataset({ counts: { characters: -1 } })).toThrow(RangeError);
    expect(() => generateDataset({ counts: { episodes: 1.5 } })).toThrow(RangeError);
    expect(() => generateDataset({ counts: { characters: 10_000_000 } })).toThrow(RangeError);
    expect(() => generateDataset({ counts: { people: 5 } as never })).toThrow(
      /Unknown option `people`/,
    );
    expect(() => generateDataset({ seed: 'x' as never })).toThrow(TypeError);
  });

  it('holds its invariants for any seed and counts (property)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.nat(150),
        fc.nat(30),
        fc.nat(40),
        (seed, characters, locations, episodes) => {
          const generated = generateDataset({ seed, counts: { characters, locations, episodes } });
          expect(generated.characters).toHaveLength(characters);
          expect(linkProblems(generated)).toEqual([]);
          expect(schemaProblems(generated)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('loadDatasetFromDirectory', () => {
  it('reads the three files back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rickmorty-dataset-'));
    try {
      const data = generateDataset({
        seed: 3,
        counts: { characters: 25, locations: 5, episodes: 4 },
      });
      writeFileSync(join(dir, 'characters.json'), JSON.stringify(data.characters));
      writeFileSync(join(dir, 'locations.json'), JSON.stringify(data.locations));
      writeFileSync(join(dir, 'episodes.json'), JSON.stringify(data.episodes));
      expect(loadDatasetFromDirectory(dir)).toEqual(data);
      writeFileSync(join(dir, 'episodes.json'), '{"not":"an array"}');
      expect(() => loadDatasetFromDirectory(dir)).toThrow(
        /episodes\.json does not hold a JSON array/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly when a file is missing', () => {
    expect(() => loadDatasetFromDirectory(join(tmpdir(), 'no-such-rickmorty-dir'))).toThrow(
      /ENOENT/,
    );
  });
});
