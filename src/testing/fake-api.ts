import { DEFAULT_BASE_URL, PAGE_SIZE } from '../internal/constants.js';
import { type Identified, RESOURCE_NAMES, RESOURCES } from '../resources/registry.js';
import type { TransportResponse } from '../transports/types.js';
import { type Dataset, generateDataset } from './dataset.js';

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
  404: 'Not Found',
  500: 'Internal Server Error',
};

const DIGITS = /^\d+$/;

function respond(status: number, body: string): TransportResponse {
  return {
    status,
    statusText: STATUS_TEXT[status] ?? '',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
  };
}

/** A collection of the registry, with the indexes the fake API answers from. */
function buildCollection(
  path: string,
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
  return { path, filterKeys, notFoundBody, json, indexById, fields };
}

/** Every collection of the registry, by path, over the records of `data`. */
function buildCollections(data: Dataset): Map<string, Collection> {
  return new Map(
    RESOURCE_NAMES.map((name) => {
      const resource = RESOURCES[name];
      const records: readonly Identified[] = data[resource.collection];
      const filters = Object.keys(resource.filters);
      return [name, buildCollection(resource.path, records, filters, resource.notFound)];
    }),
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Parses the id part of `/character/{ids}` the way the server does. Returns a single id, a list
 * of ids for the batch forms (`1,2`, `[1,2]`, `[1]`, `1,`), or the error body to answer with.
 */
function parseIds(raw: string): number | number[] | { error: string } {
  const text = raw.trim();
  const bracketed = text.startsWith('[');
  if (!bracketed && !text.includes(',')) {
    return DIGITS.test(text) ? Number(text) : { error: /[[\]]/.test(text) ? BAD_ARRAY : BAD_ID };
  }
  if (bracketed && !text.endsWith(']')) return { error: BAD_ARRAY };
  const inner = bracketed ? text.slice(1, -1) : text;
  if (/[[\]]/.test(inner)) return { error: BAD_ARRAY };
  const ids: number[] = [];
  for (const part of inner.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    if (!DIGITS.test(item)) return { error: BAD_ARRAY };
    ids.push(Number(item));
  }
  // `[]` is not a JSON array of ids to the server's parser either.
  if (bracketed && ids.length === 0) return { error: BAD_ARRAY };
  return ids;
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
  const data = options?.data ?? generateDataset();
  const baseUrl = (options?.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');

  const collections = buildCollections(data);
  const endpointsBody = JSON.stringify(
    Object.fromEntries(
      RESOURCE_NAMES.map((name) => [RESOURCES[name].collection, `${baseUrl}/${name}`]),
    ),
  );

  function byIds(collection: Collection, raw: string): TransportResponse {
    const ids = parseIds(decodeSegment(raw));
    if (typeof ids === 'number') {
      const index = collection.indexById.get(ids);
      return index === undefined
        ? respond(404, collection.notFoundBody)
        : respond(200, collection.json[index] ?? '');
    }
    if (!Array.isArray(ids)) return respond(500, ids.error);
    const indexes = new Set<number>();
    for (const id of ids) {
      const index = collection.indexById.get(id);
      if (index !== undefined) indexes.add(index);
    }
    // Storage order, not request order: clients must not rely on the order they asked for.
    const sorted = [...indexes].sort((a, b) => a - b);
    return respond(200, `[${sorted.map((index) => collection.json[index]).join(',')}]`);
  }

  function list(collection: Collection, url: URL): TransportResponse {
    const params = url.searchParams;
    let page = Number(params.get('page') ?? '');
    // As the server does: 0, negatives and non-numbers mean page 1; fractions give odd offsets.
    if (!page || page < 0) page = 1;
    const skip = Math.floor((page - 1) * PAGE_SIZE);

    const filters: { values: readonly string[]; needle: string; anchored: boolean }[] = [];
    for (const key of collection.filterKeys) {
      const needle = params.get(key)?.trim().toLowerCase();
      if (!needle) continue;
      filters.push({
        values: collection.fields.get(key) ?? [],
        needle,
        // The server anchors a gender that starts with "male", so "male" does not find "Female".
        anchored: key === 'gender' && needle.startsWith('male'),
      });
    }
    let matches: number[] | undefined;
    if (filters.length > 0) {
      matches = [];
      for (let index = 0; index < collection.json.length; index++) {
        const ok = filters.every(({ values, needle, anchored }) => {
          const value = values[index] ?? '';
          return anchored ? value.startsWith(needle) : value.includes(needle);
        });
        if (ok) matches.push(index);
      }
    }
    const count = matches ? matches.length : collection.json.length;
    if (count === 0 || !(skip < count)) return respond(404, NOTHING_HERE);

    const pages = Math.ceil(count / PAGE_SIZE);
    const current = Math.floor(skip / PAGE_SIZE) + 1;
    // Filters are kept in the links, their values not encoded, as the server writes them.
    let query = '';
    const seen = new Set<string>();
    for (const [key, value] of params) {
      if (seen.has(key) || !collection.filterKeys.includes(key)) continue;
      seen.add(key);
      query += `&${key}=${value}`;
    }
    const link = (target: number) => `${baseUrl}/${collection.path}?page=${target}${query}`;
    const info = {
      count,
      pages,
      next: current < pages ? link(current + 1) : null,
      prev: current > 1 ? link(current - 1) : null,
    };
    const end = Math.min(skip + PAGE_SIZE, count);
    const results: string[] = [];
    for (let i = skip; i < end; i++) {
      const index = matches ? (matches[i] ?? 0) : i;
      results.push(collection.json[index] ?? '');
    }
    return respond(200, `{"info":${JSON.stringify(info)},"results":[${results.join(',')}]}`);
  }

  function handle(request: FakeApiRequest): TransportResponse {
    if (request.method !== 'GET') return respond(404, UNKNOWN_PATH);
    let url: URL;
    try {
      url = new URL(request.url, `${baseUrl}/`);
    } catch {
      return respond(404, UNKNOWN_PATH);
    }
    const path = url.pathname;
    if (!path.startsWith(basePath)) return respond(404, UNKNOWN_PATH);
    const rest = path.slice(basePath.length);
    if (rest === '' || rest === '/') return respond(200, endpointsBody);
    // ['', resource, id?, ''?]: a trailing slash is allowed, as the server's router allows it.
    const segments = rest.split('/');
    if (segments[0] !== '') return respond(404, UNKNOWN_PATH);
    if (segments.length > 2 && segments[segments.length - 1] === '') segments.pop();
    const collection = collections.get(segments[1] ?? '');
    if (!collection) return respond(404, UNKNOWN_PATH);
    if (segments.length === 2) return list(collection, url);
    if (segments.length === 3) return byIds(collection, segments[2] ?? '');
    return respond(404, UNKNOWN_PATH);
  }

  return { handle, data, baseUrl };
}
