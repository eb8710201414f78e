import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { characterSchema } from '../src/resources/character.js';
import { episodeSchema } from '../src/resources/episode.js';
import { locationSchema } from '../src/resources/location.js';
import { type Dataset, loadDatasetFromDirectory } from '../src/testing/dataset.js';

const SNAPSHOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../shared/data/rickandmorty-2018',
);
const exists = existsSync(join(SNAPSHOT, 'characters.json'));
if (!exists) {
  console.warn(`[snapshot-schemas.test] 2018 snapshot not found at ${SNAPSHOT}: skipped`);
}

/** The issues of every record that fails its schema, named by the record's id. */
function failures(
  records: readonly { id: number }[],
  schema: {
    safeParse(value: unknown): { success: boolean; error?: { issues: readonly unknown[] } };
  },
): { id: number; issues: readonly unknown[] }[] {
  return records.flatMap((record) => {
    const result = schema.safeParse(record);
    return result.success ? [] : [{ id: record.id, issues: result.error?.issues ?? [] }];
  });
}

describe.skipIf(!exists)('the 2018 snapshot of the real data', () => {
  const data: Dataset = exists
    ? loadDatasetFromDirectory(SNAPSHOT)
    : { characters: [], locations: [], episodes: [] };

  it('has the documented counts, ids 1..n in storage order', () => {
    expect(data.characters).toHaveLength(493);
    expect(data.locations).toHaveLength(76);
    expect(data.episodes).toHaveLength(31);
    for (const list of [data.characters, data.locations, data.episodes]) {
      expect(list.map((record) => record.id)).toEqual(list.map((_, index) => index + 1));
    }
  });

  it('validates against the character schema, record by record', () => {
    expect(failures(data.characters, characterSchema)).toEqual([]);
  });

  it('validates against the location schema, record by record', () => {
    expect(failures(data.locations, locationSchema)).toEqual([]);
  });

  it('validates against the episode schema, record by record', () => {
    expect(failures(data.episodes, episodeSchema)).toEqual([]);
  });

  it('keeps the known facts the fixtures rely on', () => {
    expect(data.characters.map((c) => c.name).filter((_, i) => [0, 1, 9, 99].includes(i))).toEqual([
      'Rick Sanchez',
      'Morty Smith',
      'Alan Rails',
      'Bubonic Plague',
    ]);
    expect(data.episodes[0]).toMatchObject({
      name: 'Pilot',
      episode: 'S01E01',
      air_date: 'December 2, 2013',
    });
    expect(data.locations[0]).toMatchObject({
      name: 'Earth (C-137)',
      type: 'Planet',
      dimension: 'Dimension C-137',
    });
  });
});
