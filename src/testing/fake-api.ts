import { assertBaseUrl, assertOptionsObject } from '../internal/checks.js';
import { DEFAULT_BASE_URL, PAGE_SIZE } from '../internal/constants.js';
import { type Identified, RESOURCE_NAMES, RESOURCES } from '../resources/registry.js';
import type { TransportResponse } from '../transports/types.js';
import { checkDataset, type Dataset, generateDataset } from './dataset.js';

/** The part of a request the fake API looks at. */
export interface FakeApiRequest {
  readonly method: string;
  /** An absolute URL, or a path that is resolved against the API's base URL. */
  readonly url: string;
}

/** Options of `createFakeApi`. */
export interface FakeApiOptions {
  /** The records to serve; defaults to `generateDataset()`. */
  data?: Dataset;
  /**
   * Where the API lives, `https://rickandmortyapi.com/api` by default. Routes are matched on the
   * path below it (the origin is not checked), and page links and the endpoint map are written
   * under it. Record URLs are served as stored.
   */
  baseUrl?: string;
}

/** The API's behaviour as a pure function from request to response. */
export interface FakeApi {
  /** Answers one request, synchronously and without I/O. */
  handle(request: FakeApiRequest): TransportResponse;
  /** The records being served. */
  readonly data: Dataset;
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
}

interface Collection {
  /** The resource's path segment: `character`. */
  readonly path: string;
  /** The server's model name, which its cast errors name: `Character`. */
  readonly model: string;
  readonly filterKeys: readonly string[];
  /** Ready-made 404 body for an unknown id. */
  readonly notFoundBody: string;
  /** `JSON.stringify` of each record, in storage order. */
  readonly json: readonly string[];
  /** Storage index of each id. */
  readonly indexById: ReadonlyMap<number, number>;
  /** Lower-cased value of each filter field, by filter key, in storage order. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

const NOTHING_HERE = JSON.stringify({ error: 'There is nothing here' });
const UNKNOWN_PATH = JSON.stringify({ error: 'There is nothing here.' });
const BAD_ID = JSON.stringify({ error: 'Hey! you must provide an id' });
const BAD_ARRAY = JSON.stringify({ error: 'Bad... bad array :/' });

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
};

function respond(status: number, body: string): TransportResponse {
  return {
    status,
    statusText: STATUS_TEXT[status] ?? '',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
  };
}

/** A 500 with `message` as its error body, as the server's error handler answers a failure. */
function failure(message: string): TransportResponse {
  return respond(500, JSON.stringify({ error: message }));
}

/** A collection of the registry, with the indexes the fake API answers from. */
function buildCollection(
  path: string,
  model: string,
  records: readonly Identified[],
  filterKeys: readonly string[],
  notFound: string,
): Collection {
  const indexById = new Map<number, number>();
  const json: string[] = [];
  const fields = new Map<string, string[]>(filterKeys.map((key) => [key, []]));
  records.forEach((record, index) => {
    if (!indexById.has(record.id)) indexById.set(record.id, index);
    json.push(JSON.stringify(record));
    for (const key of filterKeys) {
      const value = (record as unknown as Record<string, unknown>)[key];
      fields.get(key)?.push(String(value ?? '').toLowerCase());
    }
  });
  const notFoundBody = JSON.stringify({ error: notFound });
  return { path, model, filterKeys, notFoundBody, json, indexById, fields };
}

/** Every collection of the registry, by path, over the records of `data`. */
function buildCollections(data: Dataset): Map<string, Collection> {
  return new Map(
    RESOURCE_NAMES.map((name) => {
      const resource = RESOURCES[name];
      const records: readonly Identified[] = data[resource.collection];
      const filters = Object.keys(resource.filters);
      return [
        name,
        buildCollection(resource.path, resource.singular, records, filters, resource.notFound),
      ];
    }),
  );
}

/** What the id part of `/character/{ids}` asks for: one id, a list of ids, or an error answer. */
type IdQuery =
  | { readonly one: number }
  | { readonly many: readonly (number | null)[] }
  | { readonly answer: TransportResponse };

/** The database's cast error, as its message reads: the server answers it as a 500. */
function castError(value: unknown, model: string): TransportResponse {
  const shown =
    typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  return failure(`Cast to number failed for value "${shown}" at path "id" for model "${model}"`);
}

/**
 * What the database makes of one value of `id: { $in: [...] }` (Mongoose's number cast): a
 * number, `null` (matches nothing), or undefined when the value does not cast (a 500).
 */
function castId(value: unknown): number | null | undefined {
  if (value === null || value === '') return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && !Number.isNaN(number) ? number : undefined;
}

function castIds(values: readonly unknown[], model: string): IdQuery {
  const ids: (number | null)[] = [];
  for (const value of values) {
    const id = castId(value);
    if (id === undefined) return { answer: castError(value, model) };
    ids.push(id);
  }
  return { many: ids };
}

/**
 * Reads the id part of `/character/{ids}` (already percent-decoded) as the server's
 * `validateArrayParams` and `queryById` do, in their order:
 *
 * 1. ending in `[...]` with something inside: parsed as JSON (`[1,2]`, `[1]`, `["1"]`); JSON that
 *    does not parse (`[1,2,]`, `[,1]`, `[1,asd]`) is 500 `Bad... bad array :/`;
 * 2. a comma, no bracket, more than one character: split on commas, each part cast to a number,
 *    an empty part being 0 (`1,` asks for 1 and 0; `1,x` is a cast error, a 500);
 * 3. any other bracket (`[]`, `[1,2`, `1,2]`): 500 `Bad... bad array :/`;
 * 4. one id: 500 `Hey! you must provide an id` when it does not start like a number (`abc`, `,`),
 *    a cast error when it starts like one but is not one (`1abc`), else the number it is (`1.5`
 *    and `-1` simply find nothing, `1e1` is 10).
 */
function parseIds(text: string, model: string): IdQuery {
  if (/\[.+\]$/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { answer: respond(500, BAD_ARRAY) };
    }
    return castIds(Array.isArray(parsed) ? parsed : [parsed], model);
  }
  const bracket = /[[\]]/.test(text);
  if (text.includes(',') && !bracket && text.length > 1) {
    return castIds(text.split(',').map(Number), model);
  }
  if (bracket) return { answer: respond(500, BAD_ARRAY) };
  if (Number.isNaN(Number.parseInt(text, 10))) return { answer: respond(500, BAD_ID) };
  const id = castId(text);
  return typeof id === 'number' ? { one: id } : { answer: castError(text, model) };
}

/**
 * The page the server reads from `?page=`: the first value, when it is above 0 (`'0.5'`, `'2'`,
 * `'1e1'` as written), else 1. Offsets come from its number, links from its `parseInt`.
 */
function pageOf(params: URLSearchParams): { number: number; link: number } {
  const raw = params.get('page');
  const given = raw === null ? Number.NaN : Number(raw);
  if (!(given > 0) || raw === null) return { number: 1, link: 1 };
  return { number: given, link: Number.parseInt(raw, 10) };
}

/** A filter's value as the server reads it (`name`, or `name[]`), trimmed; undefined when empty. */
function filterValue(params: URLSearchParams, key: string): string | undefined {
  const value = (params.get(key) ?? params.get(`${key}[]`))?.trim();
  return value ? value : undefined;
}

/** `/character/{ids}`: one record, a batch in storage order, or the server's error answer. */
function byIds(collection: Collection, text: string): TransportResponse {
  const query = parseIds(text, collection.model);
  if ('answer' in query) return query.answer;
  if ('one' in query) {
    const index = collection.indexById.get(query.one);
    return index === undefined
      ? respond(404, collection.notFoundBody)
      : respond(200, collection.json[index] ?? '');
  }
  const indexes = new Set<number>();
  for (const id of query.many) {
    const index = id === null ? undefined : collection.indexById.get(id);
    if (index !== undefined) indexes.add(index);
  }
  // Storage order, not request order: clients must not rely on the order they asked for.
  const sorted = [...indexes].sort((a, b) => a - b);
  return respond(200, `[${sorted.map((index) => collection.json[index]).join(',')}]`);
}

/** `/character?page=…&name=…`: one page of the records the filters match. */
function list(collection: Collection, url: URL, baseUrl: string): TransportResponse {
  const params = url.searchParams;
  const page = pageOf(params);
  const skip = page.number * PAGE_SIZE - PAGE_SIZE;
  // The database refuses a negative offset (a page between 0 and 1): the server answers 500.
  if (skip < 0) {
    return failure(`BSON field 'skip' value must be >= 0, actual value '${skip}'`);
  }
  const matches = matching(collection, params);
  const count = matches ? matches.length : collection.json.length;
  const pages = Math.ceil(count / PAGE_SIZE);
  if (page.number > pages) return respond(404, NOTHING_HERE);

  // Filters are kept in the links, trimmed, their values not encoded, as the server writes them.
  let query = '';
  const seen = new Set<string>();
  for (const [name] of params) {
    const key = name.endsWith('[]') ? name.slice(0, -2) : name;
    const value = filterValue(params, key);
    if (seen.has(key) || !collection.filterKeys.includes(key) || value === undefined) continue;
    seen.add(key);
    query += `&${key}=${value}`;
  }
  const link = (target: number) => `${baseUrl}/${collection.path}?page=${target}${query}`;
  const info = {
    count,
    pages,
    next: page.number >= pages ? null : link(page.link + 1),
    prev: page.number < 2 ? null : link(page.link - 1),
  };
  // A fractional page gives an offset between two pages, as the server's does.
  const start = Math.floor(skip);
  const end = Math.min(start + PAGE_SIZE, count);
  const results: string[] = [];
  for (let i = start; i < end; i++) {
    const index = matches ? (matches[i] ?? 0) : i;
    results.push(collection.json[index] ?? '');
  }
  return respond(200, `{"info":${JSON.stringify(info)},"results":[${results.join(',')}]}`);
}

/** A resource's routes: its list, or records by id. */
function route(
  collection: Collection,
  segments: string[],
  url: URL,
  baseUrl: string,
): TransportResponse {
  // The router ignores case (`/Character/1` takes the route), but the server then looks its
  // model up by the path as written, finds none, and fails: a 500 with the TypeError's text.
  const broken = segments[1] !== collection.path;
  const noModel = (method: string) =>
    failure(`Cannot read properties of undefined (reading '${method}')`);
  if (segments.length === 2) {
    return broken ? noModel('findAndCount') : list(collection, url, baseUrl);
  }
  let text: string;
  try {
    text = decodeURIComponent(segments[2] ?? '');
  } catch {
    return respond(400, JSON.stringify({ error: `Failed to decode param '${segments[2]}'` }));
  }
  if (!broken) return byIds(collection, text);
  const query = parseIds(text, collection.model);
  if ('answer' in query) return query.answer;
  return noModel('one' in query ? 'findOne' : 'find');
}

/**
 * Creates the Rick and Morty API as a pure function: routes, pagination, filters, batch quirks
 * and error bodies exactly as the live server has them (see the API contract), over a dataset
 * held in memory. The mock transport and the replica server both answer through it, so they
 * cannot disagree about the API. Indexes and the JSON text of every record are computed once
 * here, so that `handle` is cheap.
 *
 * @example
 * ```ts
 * const api = createFakeApi();
 * const response = api.handle({ method: 'GET', url: 'https://rickandmortyapi.com/api/character/1' });
 * JSON.parse(response.body).name; // 'Rick Sanchez'
 * api.handle({ method: 'GET', url: '/api/character/abc' }).status; // 500, as the real API does
 * ```
 */
export function createFakeApi(options?: FakeApiOptions): FakeApi {
  const o = assertOptionsObject(options, 'options', ['data', 'baseUrl']);
  const data = o.data === undefined ? generateDataset() : checkDataset(o.data);
  const baseUrl = o.baseUrl === undefined ? DEFAULT_BASE_URL : assertBaseUrl(o.baseUrl);
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '').toLowerCase();

  const collections = buildCollections(data);
  const endpointsBody = JSON.stringify(
    Object.fromEntries(
      RESOURCE_NAMES.map((name) => [RESOURCES[name].collection, `${baseUrl}/${name}`]),
    ),
  );

  function handle(request: FakeApiRequest): TransportResponse {
    // HEAD answers as GET does (an HTTP server then sends no body); anything else is unknown.
    if (request.method !== 'GET' && request.method !== 'HEAD') return respond(404, UNKNOWN_PATH);
    let url: URL;
    try {
      url = new URL(request.url, `${baseUrl}/`);
    } catch {
      return respond(404, UNKNOWN_PATH);
    }
    const path = url.pathname;
    // The API is mounted at its base path without regard to case, as Express mounts it.
    if (!path.toLowerCase().startsWith(basePath)) return respond(404, UNKNOWN_PATH);
    const rest = path.slice(basePath.length);
    if (rest === '' || rest === '/') return respond(200, endpointsBody);
    // ['', resource, id?, ''?]: one trailing slash is allowed, as the server's router allows it;
    // any other empty segment (`/character//1`, `/character//`) matches no route.
    const segments = rest.split('/');
    if (segments.length > 2 && segments[segments.length - 1] === '') segments.pop();
    if (segments[0] !== '' || segments.length > 3 || segments.slice(1).includes('')) {
      return respond(404, UNKNOWN_PATH);
    }
    const name = (segments[1] ?? '').toLowerCase();
    // `/character/avatar` is a route of its own: its images live below it.
    if (segments.length === 3 && name === 'character' && segments[2]?.toLowerCase() === 'avatar') {
      return respond(404, NOTHING_HERE);
    }
    const collection = collections.get(name);
    return collection ? route(collection, segments, url, baseUrl) : respond(404, UNKNOWN_PATH);
  }

  return { handle, data, baseUrl };
}

/** The storage indexes of the records the filters of `params` match, or undefined for none. */
function matching(collection: Collection, params: URLSearchParams): number[] | undefined {
  const filters: { values: readonly string[]; needle: string; anchored: boolean }[] = [];
  for (const key of collection.filterKeys) {
    const needle = filterValue(params, key)?.toLowerCase();
    if (needle === undefined) continue;
    filters.push({
      values: collection.fields.get(key) ?? [],
      needle,
      // The server anchors a gender that starts with "male", so "male" does not find "Female".
      anchored: key === 'gender' && needle.startsWith('male'),
    });
  }
  if (filters.length === 0) return undefined;
  const matches: number[] = [];
  for (let index = 0; index < collection.json.length; index++) {
    const ok = filters.every(({ values, needle, anchored }) => {
      const value = values[index] ?? '';
      return anchored ? value.startsWith(needle) : value.includes(needle);
    });
    if (ok) matches.push(index);
  }
  return matches;
}
