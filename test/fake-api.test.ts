import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dataset, generateDataset } from '../src/testing/dataset.js';
import { createFakeApi } from '../src/testing/fake-api.js';

const BASE = 'https://rickandmortyapi.com/api';
const data = generateDataset();
const api = createFakeApi({ data });

interface Page {
  info: { count: number; pages: number; next: string | null; prev: string | null };
  results: { id: number; [key: string]: unknown }[];
}

function get(path: string, method = 'GET') {
  const response = api.handle({ method, url: `${BASE}${path}` });
  return { ...response, json: JSON.parse(response.body) as unknown };
}

function page(path: string): Page {
  const response = get(path);
  expect(response.status, path).toBe(200);
  return response.json as Page;
}

function ids(value: unknown): number[] {
  return (value as { id: number }[]).map((record) => record.id);
}

describe('createFakeApi: the root', () => {
  it('answers the endpoint map, with or without a trailing slash', () => {
    const expected = {
      characters: `${BASE}/character`,
      locations: `${BASE}/location`,
      episodes: `${BASE}/episode`,
    };
    expect(get('').json).toEqual(expected);
    expect(get('/').json).toEqual(expected);
  });

  it('writes the endpoint map and page links under its own base URL', () => {
    const local = createFakeApi({ data, baseUrl: 'http://127.0.0.1:8123/api/' });
    expect(local.baseUrl).toBe('http://127.0.0.1:8123/api');
    const root = JSON.parse(local.handle({ method: 'GET', url: 'http://127.0.0.1:8123/api' }).body);
    expect(root.characters).toBe('http://127.0.0.1:8123/api/character');
    const first = JSON.parse(
      local.handle({ method: 'GET', url: 'http://127.0.0.1:8123/api/episode' }).body,
    );
    expect(first.info.next).toBe('http://127.0.0.1:8123/api/episode?page=2');
    // Records keep the URLs they were stored with.
    expect(first.results[0].url).toBe(`${BASE}/episode/1`);
  });

  it('does not check the origin, and resolves bare paths against the base', () => {
    const other = api.handle({ method: 'GET', url: 'http://localhost:9/api/character/2' });
    expect(JSON.parse(other.body).name).toBe('Morty Smith');
    expect(JSON.parse(api.handle({ method: 'GET', url: '/api/episode/1' }).body).name).toBe(
      'Pilot',
    );
  });

  it('answers JSON with the content type the API sends', () => {
    const response = get('/character/1');
    expect(response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(response.statusText).toBe('OK');
    expect(response.body).toBe(JSON.stringify(data.characters[0]));
  });
});

describe('createFakeApi: pages', () => {
  it('serves 20 records a page with absolute next and prev links', () => {
    const first = page('/character');
    expect(first.info).toEqual({
      count: 826,
      pages: 42,
      next: `${BASE}/character?page=2`,
      prev: null,
    });
    expect(ids(first.results)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const second = page('/character?page=2');
    expect(second.info.prev).toBe(`${BASE}/character?page=1`);
    expect(second.info.next).toBe(`${BASE}/character?page=3`);
    expect(second.results[0]?.id).toBe(21);
    const last = page('/character?page=42');
    expect(last.info.next).toBeNull();
    expect(ids(last.results)).toEqual([821, 822, 823, 824, 825, 826]);
  });

  it('serves a list at a trailing slash too', () => {
    expect(page('/character/').info.count).toBe(826);
  });

  it('counts every collection', () => {
    expect(page('/location').info).toMatchObject({ count: 126, pages: 7 });
    expect(page('/episode').info).toMatchObject({ count: 51, pages: 3 });
    expect(page('/episode?page=3').results).toHaveLength(11);
  });

  it('answers 404 past the last page', () => {
    for (const path of ['/character?page=43', '/episode?page=4', '/location?page=1000']) {
      expect(get(path)).toMatchObject({ status: 404, json: { error: 'There is nothing here' } });
    }
  });

  it('treats a page <= 0 or not a number as page 1, as the server does', () => {
    for (const value of ['0', '-3', 'abc', '', 'NaN']) {
      const result = page(`/character?page=${value}`);
      expect(result.results[0]?.id, value).toBe(1);
      expect(result.info.prev).toBeNull();
    }
  });

  it('gives odd offsets for fractional pages, as the server does', () => {
    const result = page('/character?page=1.5');
    expect(result.results[0]?.id).toBe(11);
    expect(result.info.next).toBe(`${BASE}/character?page=2`);
  });
});

describe('createFakeApi: filters', () => {
  const matching = (test: (c: Dataset['characters'][number]) => boolean) =>
    data.characters.filter(test).map((c) => c.id);

  /** Every id a filtered list finds, across all its pages. */
  function allIds(path: string): number[] {
    const found: number[] = [];
    let url: string | null = `${BASE}${path}`;
    while (url) {
      const response = api.handle({ method: 'GET', url });
      if (response.status === 404) break;
      const result = JSON.parse(response.body) as Page;
      found.push(...ids(result.results));
      url = result.info.next;
    }
    return found;
  }

  it('matches a case-insensitive substring of the name', () => {
    const expected = matching((c) => c.name.toLowerCase().includes('rick'));
    expect(expected.length).toBeGreaterThan(20);
    expect(allIds('/character?name=RiCk')).toEqual(expected);
    expect(page('/character?name=rick').info.count).toBe(expected.length);
  });

  it('filters on status, species and type', () => {
    expect(allIds('/character?status=alive')).toEqual(matching((c) => c.status === 'Alive'));
    expect(allIds('/character?species=human')).toEqual(
      matching((c) => c.species.toLowerCase().includes('human')),
    );
    expect(allIds('/character?type=person')).toEqual(
      matching((c) => c.type.toLowerCase().includes('person')),
    );
  });

  it('anchors a gender that starts with "male", so that it does not match Female', () => {
    const male = matching((c) => c.gender === 'Male');
    expect(allIds('/character?gender=male')).toEqual(male);
    expect(allIds('/character?gender=MALE')).toEqual(male);
    expect(allIds('/character?gender=female')).toEqual(matching((c) => c.gender === 'Female'));
    // Not anchored: "ale" is a plain substring, found in both.
    expect(allIds('/character?gender=ale')).toEqual(
      matching((c) => c.gender === 'Male' || c.gender === 'Female'),
    );
  });

  it('combines filters and ignores unknown parameters, also in the links', () => {
    const expected = matching((c) => c.status === 'Dead' && c.gender === 'Male');
    expect(allIds('/character?status=dead&gender=male&colour=green')).toEqual(expected);
    const first = page('/character?colour=green&status=dead&gender=male');
    expect(first.info.next).toBe(`${BASE}/character?page=2&status=dead&gender=male`);
    expect(page('/character?colour=green').info.count).toBe(826);
  });

  it('keeps filter values unencoded in the links, as the server writes them', () => {
    const named = structuredClone(generateDataset({ seed: 1, counts: { characters: 45 } }));
    for (const c of named.characters) c.name = `Rick Sanchez #${c.id}`;
    const local = createFakeApi({ data: named });
    const response = local.handle({
      method: 'GET',
      url: `${BASE}/character?name=rick%20sanchez&page=2`,
    });
    const result = JSON.parse(response.body) as Page;
    expect(result.info.next).toBe(`${BASE}/character?page=3&name=rick sanchez`);
    expect(result.info.prev).toBe(`${BASE}/character?page=1&name=rick sanchez`);
  });

  it('answers 404 "There is nothing here" when nothing matches', () => {
    expect(get('/character?name=zzzzzz')).toMatchObject({
      status: 404,
      json: { error: 'There is nothing here' },
    });
  });

  it('treats a blank filter as no filter', () => {
    expect(page('/character?name=%20').info.count).toBe(826);
  });

  it('filters locations on name, type and dimension', () => {
    const planets = data.locations.filter((l) => l.type.toLowerCase().includes('planet'));
    expect(page('/location?type=planet').info.count).toBe(planets.length);
    expect(ids(page('/location?name=earth (c-137)').results)).toEqual([1]);
    const c137 = data.locations.filter((l) => l.dimension.toLowerCase().includes('c-137'));
    expect(page('/location?dimension=C-137').info.count).toBe(c137.length);
  });

  it('filters episodes on name and code', () => {
    expect(ids(page('/episode?episode=S01').results)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
    expect(ids(page('/episode?name=pilot').results)).toEqual([1]);
    expect(ids(page('/episode?episode=s01e01').results)).toEqual([1]);
  });

  it('matches the same records as a plain filter for any value (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('name', 'status', 'species', 'type', 'gender'),
        fc.string({ maxLength: 4 }),
        (key, raw) => {
          const value = raw.trim().toLowerCase();
          const expected = data.characters
            .filter((c) => {
              const field = String(c[key]).toLowerCase();
              if (key === 'gender' && value.startsWith('male')) return field.startsWith(value);
              return field.includes(value);
            })
            .map((c) => c.id);
          const response = api.handle({
            method: 'GET',
            url: `${BASE}/character?${new URLSearchParams({ [key]: raw })}`,
          });
          if (expected.length === 0) {
            expect(response.status).toBe(404);
          } else {
            const result = JSON.parse(response.body) as Page;
            expect(result.info.count).toBe(expected.length);
            expect(ids(result.results)).toEqual(expected.slice(0, 20));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('createFakeApi: single records', () => {
  it('answers one object for one id', () => {
    expect(get('/character/1').json).toMatchObject({ id: 1, name: 'Rick Sanchez' });
    expect(get('/character/100').json).toMatchObject({ name: 'Bubonic Plague' });
    expect(get('/location/1').json).toMatchObject({ name: 'Earth (C-137)' });
    expect(get('/episode/1').json).toMatchObject({ name: 'Pilot', episode: 'S01E01' });
    expect(get('/episode/1/').json).toMatchObject({ name: 'Pilot' });
  });

  it('answers 404 with the resource name for an unknown id', () => {
    expect(get('/character/9999')).toMatchObject({
      status: 404,
      json: { error: 'Character not found' },
    });
    expect(get('/character/0')).toMatchObject({
      status: 404,
      json: { error: 'Character not found' },
    });
    expect(get('/location/9999')).toMatchObject({
      status: 404,
      json: { error: 'Location not found' },
    });
    expect(get('/episode/9999')).toMatchObject({
      status: 404,
      json: { error: 'Episode not found' },
    });
  });

  it('answers 500 (not 400) for an id that does not start like a number', () => {
    for (const id of ['abc', ',', 'Infinity', '%20']) {
      expect(get(`/character/${id}`), id).toMatchObject({
        status: 500,
        statusText: 'Internal Server Error',
        json: { error: 'Hey! you must provide an id' },
      });
    }
  });

  it('reads an id that starts like a number as the database casts it, as the server does', () => {
    // parseInt finds a number, the database's cast does not: its message, as a 500.
    expect(get('/character/1abc')).toMatchObject({
      status: 500,
      json: { error: 'Cast to number failed for value "1abc" at path "id" for model "Character"' },
    });
    // Numbers no record has.
    for (const id of ['-1', '1.5', '0']) {
      expect(get(`/character/${id}`), id).toMatchObject({
        status: 404,
        json: { error: 'Character not found' },
      });
    }
    // Numbers in other spellings.
    expect(get('/character/1e1').json).toMatchObject({ id: 10 });
    expect(get('/character/010').json).toMatchObject({ id: 10 });
  });
});

describe('createFakeApi: batches', () => {
  it('answers records in storage order, not request order', () => {
    expect(ids(get('/character/3,1,2').json)).toEqual([1, 2, 3]);
    expect(ids(get('/character/[100,10,1]').json)).toEqual([1, 10, 100]);
    expect(ids(get('/character/%5B2,1%5D').json)).toEqual([1, 2]);
  });

  it('follows the array order of the data, whatever the ids', () => {
    const reversed = structuredClone(generateDataset({ counts: { characters: 5 } }));
    reversed.characters.reverse();
    const local = createFakeApi({ data: reversed });
    const response = local.handle({ method: 'GET', url: `${BASE}/character/1,3,5` });
    expect(ids(JSON.parse(response.body))).toEqual([5, 3, 1]);
  });

  it('collapses duplicates and drops missing ids', () => {
    expect(ids(get('/character/1,1,2,2,1').json)).toEqual([1, 2]);
    expect(ids(get('/character/1,99999').json)).toEqual([1]);
    expect(get('/character/99998,99999')).toMatchObject({ status: 200, json: [] });
    expect(get('/episode/[99999]')).toMatchObject({ status: 200, json: [] });
  });

  it('answers an array for [1] and 1,', () => {
    expect(get('/character/[1]').json).toEqual([data.characters[0]]);
    expect(get('/character/1,').json).toEqual([data.characters[0]]);
    expect(get('/location/1,2').json).toEqual(data.locations.slice(0, 2));
  });

  it('answers 500 "Bad... bad array :/" for a malformed array', () => {
    for (const id of ['[1,x]', '[1,2', '1,2]', '[]', '[1,2,]', '[,1]', '1]', '[1]x']) {
      expect(get(`/character/${id}`), id).toMatchObject({
        status: 500,
        json: { error: 'Bad... bad array :/' },
      });
    }
  });

  it('casts each part of a comma list to a number, as the database does', () => {
    // An empty part is 0, which no record has; a part that is not a number fails the cast.
    expect(ids(get('/character/,1').json)).toEqual([1]);
    expect(ids(get('/character/1,,2').json)).toEqual([1, 2]);
    expect(ids(get('/character/1,-2').json)).toEqual([1]);
    expect(get('/character/,,').json).toEqual([]);
    expect(get('/character/1,x')).toMatchObject({
      status: 500,
      json: { error: 'Cast to number failed for value "NaN" at path "id" for model "Character"' },
    });
    // The JSON form: strings that are numbers cast, anything else fails the cast.
    expect(ids(get('/character/["2",1]').json)).toEqual([1, 2]);
    expect(get('/character/[[1]]')).toMatchObject({
      status: 500,
      json: { error: 'Cast to number failed for value "[1]" at path "id" for model "Character"' },
    });
  });

  it('answers exactly the existing ids, sorted and unique, for any list (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        (list, bracketed) => {
          // A trailing comma keeps a one-id list a batch in the comma form.
          const raw = bracketed ? `[${list.join(',')}]` : `${list.join(',')},`;
          const expected = [...new Set(list)].filter((id) => id <= 826).sort((a, b) => a - b);
          expect(ids(get(`/character/${raw}`).json)).toEqual(expected);
        },
      ),
    );
  });
});

describe('createFakeApi: everything else', () => {
  it('answers 404 "There is nothing here." for unknown paths', () => {
    for (const url of [
      `${BASE}/characters`,
      `${BASE}/character/1/episode`,
      `${BASE}x/character`,
      'https://rickandmortyapi.com/character/1',
      'https://rickandmortyapi.com/',
      `${BASE}/character/avatar/1.jpeg`,
    ]) {
      const response = api.handle({ method: 'GET', url });
      expect(response.status, url).toBe(404);
      expect(JSON.parse(response.body), url).toEqual({ error: 'There is nothing here.' });
    }
  });

  it('answers HEAD as GET, as Express does', () => {
    expect(get('/character/1', 'HEAD')).toMatchObject({ status: 200, json: { id: 1 } });
  });

  it('answers 404 "There is nothing here." to methods other than GET and HEAD', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect(get('/character/1', method)).toMatchObject({
        status: 404,
        json: { error: 'There is nothing here.' },
      });
    }
  });

  it('uses the generated default dataset when given none', () => {
    const fallback = createFakeApi();
    expect(fallback.data).toBe(generateDataset());
  });
});

describe('createFakeApi: odd requests, answered as the real server answers them', () => {
  it('answers a page between 0 and 1 with a JSON 500, never a broken body', () => {
    const response = get('/character?page=0.5');
    expect(response).toMatchObject({
      status: 500,
      json: { error: "BSON field 'skip' value must be >= 0, actual value '-10'" },
    });
  });

  it('answers 404 for a page above the last, fractions included', () => {
    expect(get('/character?page=42.1')).toMatchObject({
      status: 404,
      json: { error: 'There is nothing here' },
    });
    expect(page('/character?page=42').results).toHaveLength(6);
  });

  it('takes the offset from the page number and the links from its parseInt', () => {
    const tenth = page('/character?page=1e1');
    expect(ids(tenth.results)[0]).toBe(181);
    expect(tenth.info.next).toBe(`${BASE}/character?page=2`);
    expect(tenth.info.prev).toBe(`${BASE}/character?page=0`);
    // The first value of a repeated page, as the contract says.
    expect(ids(page('/character?page=2&page=3').results)[0]).toBe(21);
  });

  it('answers 404 "There is nothing here." for doubled slashes', () => {
    for (const path of ['/character//?page=2', '/character//1', '/character//', '//character']) {
      expect(get(path), path).toMatchObject({
        status: 404,
        json: { error: 'There is nothing here.' },
      });
    }
    // One trailing slash is allowed.
    expect(get('/character/1/').json).toMatchObject({ id: 1 });
  });

  it('trims filters, leaves empty ones out, and reads name[] as name', () => {
    const trimmed = page('/character?name=%20rick%20&status=&page=1');
    expect(trimmed.results.every((record) => /rick/i.test(String(record.name)))).toBe(true);
    expect(page('/character?name[]=rick').info.count).toBe(trimmed.info.count);
    if (trimmed.info.next) expect(trimmed.info.next).toBe(`${BASE}/character?page=2&name=rick`);
  });

  it('mounts the API without regard to case, but finds no model for a resource in another case', () => {
    const api2 = createFakeApi({ data });
    expect(
      JSON.parse(
        api2.handle({ method: 'GET', url: 'https://rickandmortyapi.com/API/character/1' }).body,
      ).id,
    ).toBe(1);
    expect(get('/Character/1')).toMatchObject({
      status: 500,
      json: { error: "Cannot read properties of undefined (reading 'findOne')" },
    });
    expect(get('/CHARACTER')).toMatchObject({
      status: 500,
      json: { error: "Cannot read properties of undefined (reading 'findAndCount')" },
    });
  });

  it('answers a bad escape in an id with 400, and /character/avatar with 404', () => {
    expect(get('/character/%E0%A4%A')).toMatchObject({
      status: 400,
      json: { error: "Failed to decode param '%E0%A4%A'" },
    });
    expect(get('/character/avatar')).toMatchObject({
      status: 404,
      json: { error: 'There is nothing here' },
    });
  });

  it('checks its options from plain JavaScript', () => {
    for (const options of [
      { data: [] },
      { data: { characters: [] } },
      { data: { characters: [{ id: 'x' }], locations: [], episodes: [] } },
      { baseUrl: 'ftp://x' },
      { constructor: 1 },
    ]) {
      expect(() => createFakeApi(options as never), JSON.stringify(options)).toThrow(TypeError);
    }
  });
});
