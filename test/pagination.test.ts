/**
 * Pages, filters and walks over every page, in both halves, counted at the mock transport; and
 * the 2018 snapshot of the real data read end to end.
 */
import { describe, expect, it } from 'vitest';
import { type Character, NotFoundError, RickMortyClient } from '../src/index.js';
import {
  createMockTransport,
  generateDataset,
  loadDatasetFromDirectory,
  type MockTransport,
} from '../src/testing/index.js';
import {
  collect,
  hasSnapshot,
  idsOf,
  rejectionOf,
  SNAPSHOT_DIR,
  thrownBy,
  warnIfNoSnapshot,
} from './helpers/client-fixtures.js';

warnIfNoSnapshot('pagination.test');

const BASE = 'https://rickandmortyapi.com/api';
const data = generateDataset();
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

function setup(options: ConstructorParameters<typeof RickMortyClient>[0] = {}): {
  client: RickMortyClient;
  transport: MockTransport;
} {
  const transport = createMockTransport();
  return { client: new RickMortyClient({ transport, ...options }), transport };
}

const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);
const dead = data.characters.filter((c) => c.status === 'Dead');

describe('one page', () => {
  it('reads page 1 and page 2 of the characters, 20 each, in both halves', async () => {
    const { client, transport } = setup();
    const first = await client.listCharactersAsync();
    expect(first.info).toEqual({
      count: data.characters.length,
      pages: Math.ceil(data.characters.length / 20),
      next: `${BASE}/character?page=2`,
      prev: null,
    });
    expect(idsOf(first.results)).toEqual(range(1, 20));
    expect(first.results).toEqual(data.characters.slice(0, 20));

    const second = client.listCharacters({ page: 2 });
    expect(idsOf(second.results)).toEqual(range(21, 40));
    expect(second.info.prev).toBe(`${BASE}/character?page=1`);
    expect(second).toEqual(await client.listCharactersAsync({ page: 2 }));
    expect(transport.calls.map((call) => call.url)).toEqual([
      `${BASE}/character`,
      `${BASE}/character?page=2`,
      `${BASE}/character?page=2`,
    ]);
  });

  it('reads the last page, shorter, with no next link', async () => {
    const { client } = setup();
    const pages = Math.ceil(data.characters.length / 20);
    const last = await client.listCharactersAsync({ page: pages });
    expect(last.info.next).toBeNull();
    expect(idsOf(last.results)).toEqual(range((pages - 1) * 20 + 1, data.characters.length));
  });

  it('filters, case-insensitively: status "dead" is status "Dead"', async () => {
    const { client, transport } = setup();
    const lower = await client.listCharactersAsync({ status: 'dead' });
    expect(lower.info.count).toBe(dead.length);
    expect(lower.results).toEqual(dead.slice(0, 20));
    expect(lower.results.every((c) => c.status === 'Dead')).toBe(true);
    const capital = client.listCharacters({ status: 'Dead' });
    expect(capital.results).toEqual(lower.results);
    expect(capital.info.count).toBe(lower.info.count);
    expect(queryOf(transport.calls[0]!.url)).toEqual({ status: 'dead' });

    const ricks = await client.listCharactersAsync({ name: 'RICK', status: 'alive' });
    expect(ricks.results.length).toBeGreaterThan(0);
    for (const c of ricks.results) {
      expect(c.name.toLowerCase()).toContain('rick');
      expect(c.status).toBe('Alive');
    }
  });

  it('filters locations and episodes by their own fields', async () => {
    const { client } = setup();
    const unknown = await client.listLocationsAsync({ dimension: 'UNKNOWN' });
    expect(unknown.results.length).toBeGreaterThan(0);
    expect(unknown.results.every((l) => l.dimension.toLowerCase().includes('unknown'))).toBe(true);
    const firstSeason = client.listEpisodes({ episode: 's01' });
    expect(firstSeason.results.map((e) => e.episode).every((code) => code.startsWith('S01'))).toBe(
      true,
    );
    expect(firstSeason.results[0]?.name).toBe('Pilot');
  });

  it('gives an empty page, not an error, when a filter matches nothing', async () => {
    const { client, transport } = setup();
    const empty = {
      info: { count: 0, pages: 0, next: null, prev: null },
      results: [],
    };
    expect(await client.listCharactersAsync({ name: 'nobody is called this' })).toEqual(empty);
    expect(client.listCharacters({ name: 'nobody is called this' })).toEqual(empty);
    expect(await client.listEpisodesAsync({ episode: 'S99E99' })).toEqual(empty);
    expect(transport.calls).toHaveLength(3);
  });

  it('a page past the end is a NotFoundError that says so, in both halves', async () => {
    const { client } = setup();
    const pages = Math.ceil(data.characters.length / 20);
    const error = await rejectionOf(client.listCharactersAsync({ page: pages + 1 }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toContain(
      `Page ${pages + 1} is past the end of the character list`,
    );
    expect((error as NotFoundError).url).toBe(`${BASE}/character?page=${pages + 1}`);

    const deadPages = Math.ceil(dead.length / 20);
    const filtered = thrownBy(() => client.listCharacters({ status: 'dead', page: deadPages + 1 }));
    expect(filtered).toBeInstanceOf(NotFoundError);
    expect((filtered as Error).message).toContain(`Page ${deadPages + 1} is past the end`);
  });
});

describe('iterating', () => {
  it('yields every matching item once, in order, in both halves, one request a page', async () => {
    const { client, transport } = setup();
    const pages = Math.ceil(dead.length / 20);
    const asyncItems = await collect(client.iterateCharactersAsync({ status: 'dead' }));
    expect(asyncItems).toEqual(dead);
    expect(transport.calls).toHaveLength(pages);

    transport.reset();
    const blockingItems = [...client.iterateCharacters({ status: 'dead' })];
    expect(blockingItems).toEqual(dead);
    expect(transport.calls).toHaveLength(pages);
    expect(transport.calls.every((call) => call.mode === 'blocking')).toBe(true);
  });

  it('yields pages in both halves', async () => {
    const { client } = setup();
    const asyncPages = await collect(client.iterateLocationPagesAsync());
    const blockingPages = [...client.iterateLocationPages()];
    expect(blockingPages).toEqual(asyncPages);
    expect(asyncPages).toHaveLength(Math.ceil(data.locations.length / 20));
    expect(asyncPages.flatMap((page) => page.results)).toEqual(data.locations);
  });

  it('reads a page only when the items before it have been taken', async () => {
    const { client, transport } = setup();
    for await (const character of client.iterateCharactersAsync()) {
      expect(character.id).toBe(1);
      break;
    }
    expect(transport.calls).toHaveLength(1);
    let taken = 0;
    for (const _ of client.iterateCharacters()) if (++taken === 21) break;
    expect(transport.calls).toHaveLength(3);
  });

  it('yields nothing, after one request, when the filter matches nothing', async () => {
    const { client, transport } = setup();
    expect(await collect(client.iterateEpisodesAsync({ name: 'no such episode' }))).toEqual([]);
    expect([...client.iterateEpisodePages({ name: 'no such episode' })]).toHaveLength(1);
    expect(transport.calls).toHaveLength(2);
  });
});

describe('getAll', () => {
  function progressRecorder() {
    const seen: { loaded: number; total: number }[] = [];
    return {
      seen,
      onProgress: (progress: { loaded: number; total: number }) => seen.push(progress),
    };
  }

  function expectMonotonic(seen: readonly { loaded: number; total: number }[], total: number) {
    expect(seen.length).toBeGreaterThan(0);
    for (const [index, progress] of seen.entries()) {
      expect(progress.total).toBe(total);
      expect(progress.loaded).toBeLessThanOrEqual(total);
      if (index > 0) expect(progress.loaded).toBeGreaterThanOrEqual(seen[index - 1]!.loaded);
    }
    expect(seen.at(-1)?.loaded).toBe(total);
  }

  it('reports progress: loaded never goes down and ends at the total, in both halves', async () => {
    const { client } = setup();
    const asyncProgress = progressRecorder();
    const all = await client.getAllCharactersAsync(undefined, {
      onProgress: asyncProgress.onProgress,
    });
    expect(all).toEqual(data.characters);
    expectMonotonic(asyncProgress.seen, data.characters.length);

    const blockingProgress = progressRecorder();
    const deadOnes = client.getAllCharacters(
      { status: 'dead' },
      { onProgress: blockingProgress.onProgress },
    );
    expect(deadOnes).toEqual(dead);
    expectMonotonic(blockingProgress.seen, dead.length);
  });

  it('reads an unfiltered list through batch ids in fewer requests than there are pages', async () => {
    const { client, transport } = setup();
    const pages = Math.ceil(data.characters.length / 20);
    expect(await client.getAllCharactersAsync()).toEqual(data.characters);
    const asyncRequests = transport.calls.length;
    expect(asyncRequests).toBeLessThan(pages);
    // The first page, then the other 806 ids 100 at a time.
    expect(asyncRequests).toBe(1 + Math.ceil((data.characters.length - 20) / 100));
    expect(transport.calls.slice(1).every((call) => /\/character\/[\d,]+$/.test(call.url))).toBe(
      true,
    );

    transport.reset();
    expect(client.getAllCharacters()).toEqual(data.characters);
    expect(transport.calls).toHaveLength(asyncRequests);
  });

  it('reads a filtered list page by page', async () => {
    const { client, transport } = setup();
    expect(await client.getAllCharactersAsync({ status: 'dead' })).toEqual(dead);
    expect(transport.calls).toHaveLength(Math.ceil(dead.length / 20));
    expect(transport.calls.every((call) => call.url.includes('status=dead'))).toBe(true);
  });

  /** 99 characters whose ids skip 50: the count is right, the numbering is not 1..count. */
  function gappedData() {
    const gapped = generateDataset({ counts: { characters: 100 } });
    gapped.characters = gapped.characters.filter((c) => c.id !== 50);
    return gapped;
  }

  it('falls back to the pages when the ids have a gap, in both halves', async () => {
    const gapped = gappedData();
    const transport = createMockTransport({ data: gapped });
    const client = new RickMortyClient({ transport });
    const asyncAll = await client.getAllCharactersAsync();
    expect(asyncAll).toEqual(gapped.characters);
    expect(idsOf(asyncAll)).toContain(100);
    const pageUrls = transport.calls.map((call) => call.url).filter((url) => url.includes('page='));
    expect(pageUrls.sort()).toEqual(range(2, 5).map((page) => `${BASE}/character?page=${page}`));

    transport.reset();
    expect(client.getAllCharacters()).toEqual(gapped.characters);
  });

  it('onProgress never goes down when getAll falls back to pages after some batches were read', async () => {
    // Batches of 30: 21-50 misses id 50, but 51-80 and 81-99 arrive (and are reported) before
    // the walk falls back to the pages.
    const gapped = gappedData();
    const client = new RickMortyClient({
      transport: createMockTransport({ data: gapped }),
      batch: { size: 30 },
    });
    const progress = progressRecorder();
    expect(
      await client.getAllCharactersAsync(undefined, { onProgress: progress.onProgress }),
    ).toEqual(gapped.characters);
    expectMonotonic(progress.seen, gapped.characters.length);
  });
});

describe.skipIf(!hasSnapshot)('the 2018 snapshot of the real data', () => {
  const snapshot = hasSnapshot ? loadDatasetFromDirectory(SNAPSHOT_DIR) : undefined;
  const count = snapshot?.characters.length ?? 0;
  const client = () =>
    new RickMortyClient({ transport: createMockTransport(snapshot ? { data: snapshot } : {}) });

  it('has 493 characters', () => {
    expect(count).toBe(493);
  });

  it('iterating every character yields each once, in id order, in both halves', async () => {
    const c = client();
    const asyncItems = await collect(c.iterateCharactersAsync());
    expect(idsOf(asyncItems)).toEqual(range(1, 493));
    const blockingItems = [...c.iterateCharacters()];
    expect(idsOf(blockingItems)).toEqual(range(1, 493));
    expect(blockingItems).toEqual(asyncItems);
    expect(asyncItems).toEqual(snapshot?.characters);
  });

  it('getCharactersAsync of all 493 ids validates every record and keeps the order asked', async () => {
    const c = client();
    const ascending = await c.getCharactersAsync(range(1, 493));
    expect(ascending).toEqual(snapshot?.characters);

    // A fixed shuffle: every seventh id first, then the rest backwards.
    const shuffled = [
      ...range(1, 493).filter((id) => id % 7 === 0),
      ...range(1, 493)
        .filter((id) => id % 7 !== 0)
        .reverse(),
    ];
    const records: Character[] = await c.getCharactersAsync(shuffled);
    expect(idsOf(records)).toEqual(shuffled);
    expect(c.getCharacters(shuffled)).toEqual(records);
  });
});
