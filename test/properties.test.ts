/**
 * Properties that must hold for every input, checked with fast-check: which ids are accepted,
 * that URLs keep every value inside its own path segment or query parameter, that chunking and
 * re-ordering lose and invent nothing, and that getCharactersAsync returns exactly the records
 * asked for, in order, with the expected number of requests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RickMortyClient } from '../src/index.js';
import { assertId } from '../src/internal/checks.js';
import { buildUrl } from '../src/operations/request.js';
import { chunk, reorder } from '../src/operations/resources.js';
import { createMockTransport, generateDataset } from '../src/testing/index.js';
import { idsOf } from './helpers/client-fixtures.js';

const data = generateDataset();
const BASE = 'https://rickandmortyapi.com/api';

const accepts = (value: unknown) => {
  try {
    return assertId(value) === value;
  } catch {
    return false;
  }
};

describe('id validation', () => {
  const numbers = fc.oneof(
    fc.integer(),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fc.double(),
    fc.constantFrom(
      0,
      -0,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1,
      Number.MAX_SAFE_INTEGER + 2,
      Number.MIN_VALUE,
      Number.EPSILON,
      Number.NaN,
      Infinity,
      -Infinity,
    ),
  );

  it('accepts exactly the positive safe integers among numbers', () => {
    fc.assert(
      fc.property(numbers, (value) => {
        expect(accepts(value)).toBe(Number.isSafeInteger(value) && value > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts nothing that is not a number', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => typeof value !== 'number'),
        (value) => {
          expect(accepts(value)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the client accepts the same ids: a record or a NotFoundError, never a bad-argument error', () => {
    const client = new RickMortyClient({ transport: createMockTransport() });
    fc.assert(
      fc.property(numbers, (value) => {
        let failure: unknown;
        try {
          client.getCharacter(value);
        } catch (error) {
          failure = error;
        }
        const refused = failure instanceof TypeError || failure instanceof RangeError;
        expect(refused).toBe(!(Number.isSafeInteger(value) && value > 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildUrl', () => {
  /** Strings of any code points, plus the ones that try hardest to climb out. */
  const values = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme-ascii' }),
    fc.constantFrom(
      '.',
      '..',
      '../..',
      '../x',
      '%2e%2e',
      '.%2E',
      '/',
      '\\',
      '\\..',
      '?',
      '#',
      '&',
      '=',
      '%',
      '%00',
      ' ',
      '+',
      'a/../../b',
      '?page=2#x',
      '',
    ),
  );
  const bases = fc.constantFrom(BASE, 'http://127.0.0.1:4000/api', 'https://example.test');

  it('keeps any string inside its own path segment', () => {
    fc.assert(
      fc.property(bases, values, (base, value) => {
        if (value === '' || value === '.' || value === '..') {
          // Dot segments survive any encoding, so they are refused rather than sent.
          expect(() => buildUrl(base, ['character', value])).toThrow(InvalidArgumentError);
          return;
        }
        const url = new URL(buildUrl(base, ['character', value]));
        const basePath = new URL(base).pathname.replace(/\/$/, '');
        expect(url.origin).toBe(new URL(base).origin);
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
        expect(url.pathname.startsWith(`${basePath}/character/`)).toBe(true);
        const segments = url.pathname.slice(basePath.length + 1).split('/');
        expect(segments).toHaveLength(2);
        expect(decodeURIComponent(segments[1]!)).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips any filter value through the query, as one parameter', () => {
    fc.assert(
      fc.property(bases, values, values, (base, name, species) => {
        const url = new URL(buildUrl(base, ['character'], { name, species, page: 2 }));
        expect(url.pathname).toBe(`${new URL(base).pathname.replace(/\/$/, '')}/character`);
        expect([...url.searchParams.keys()]).toEqual(['name', 'species', 'page']);
        expect(url.searchParams.get('name')).toBe(name);
        expect(url.searchParams.get('species')).toBe(species);
        expect(url.searchParams.get('page')).toBe('2');
        expect(url.hash).toBe('');
      }),
      { numRuns: 1000 },
    );
  });

  it('the client sends any name filter as one query parameter of /character', async () => {
    const transport = createMockTransport();
    const client = new RickMortyClient({ transport });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (name) => {
        transport.reset();
        await client.listCharactersAsync({ name });
        expect(transport.calls).toHaveLength(1);
        const url = new URL(transport.calls[0]!.url);
        expect(url.pathname).toBe('/api/character');
        expect(url.searchParams.get('name')).toBe(name);
        expect([...url.searchParams.keys()]).toEqual(['name']);
      }),
      { numRuns: 200 },
    );
  });
});

describe('chunk and reorder', () => {
  const idLists = fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 120 });
  const sizes = fc.integer({ min: 1, max: 25 });

  it('chunks cover each distinct id once, in order, each of at most `size`', () => {
    fc.assert(
      fc.property(idLists, sizes, (ids, size) => {
        const distinct = [...new Set(ids)];
        const chunks = chunk(distinct, size);
        expect(chunks.flat()).toEqual(distinct);
        expect(chunks).toHaveLength(Math.ceil(distinct.length / size));
        for (const group of chunks) {
          expect(group.length).toBeGreaterThanOrEqual(1);
          expect(group.length).toBeLessThanOrEqual(size);
        }
      }),
    );
  });

  it('reorder puts a shuffled answer back in request order, duplicates repeated', () => {
    const cases = idLists.chain((ids) => {
      const distinct = [...new Set(ids)];
      return fc.tuple(
        fc.constant(ids),
        fc.shuffledSubarray(distinct, { minLength: distinct.length, maxLength: distinct.length }),
      );
    });
    fc.assert(
      fc.property(cases, ([ids, storageOrder]) => {
        const records = storageOrder.map((id) => ({ id, name: `#${id}` }));
        const { ordered, missing } = reorder(ids, records);
        expect(idsOf(ordered)).toEqual(ids);
        expect(ordered.map((record) => record.name)).toEqual(ids.map((id) => `#${id}`));
        expect(missing).toEqual([]);
      }),
    );
  });

  it('reorder names each missing id once, in first-asked order', () => {
    const cases = idLists.chain((ids) => {
      const distinct = [...new Set(ids)];
      return fc.tuple(fc.constant(ids), fc.shuffledSubarray(distinct));
    });
    fc.assert(
      fc.property(cases, ([ids, present]) => {
        const { ordered, missing } = reorder(
          ids,
          present.map((id) => ({ id })),
        );
        const kept = new Set(present);
        expect(idsOf(ordered)).toEqual(ids.filter((id) => kept.has(id)));
        expect(missing).toEqual([...new Set(ids.filter((id) => !kept.has(id)))]);
      }),
    );
  });
});

describe('getCharactersAsync against the mock', () => {
  it('returns exactly the records asked for, in order, in ceil(distinct / size) requests', async () => {
    const transport = createMockTransport();
    const count = data.characters.length;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: count }), { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 1, max: 60 }),
        async (ids, size) => {
          transport.reset();
          const client = new RickMortyClient({ transport, batch: { size } });
          const records = await client.getCharactersAsync(ids);
          expect(records).toEqual(ids.map((id) => data.characters[id - 1]));
          const distinct = new Set(ids).size;
          expect(transport.calls).toHaveLength(Math.ceil(distinct / size));
        },
      ),
      { numRuns: 150 },
    );
  });
});
