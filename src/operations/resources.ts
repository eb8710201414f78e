import * as z from 'zod/mini';
import {
  ArgumentRangeError,
  InvalidArgumentError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from '../errors/classes.js';
import { isNotFoundError } from '../errors/guards.js';
import { assertId, assertIds, describeValue } from '../internal/checks.js';
import { type Endpoints, endpointsSchema } from '../resources/endpoints.js';
import type { Page } from '../resources/page.js';
import type {
  FilterSpec,
  Identified,
  Resource,
  ResourceDescription,
} from '../resources/registry.js';
import { allWithin, type Handler } from './effects.js';
import { buildUrl, getJson, type RequestContext, readCache, writeCache } from './request.js';

/** A filter plus the page to read, from 1. */
export type ListQuery<F> = F & { page?: number };

/** The longest text filter accepted; the API's longest name is far shorter. */
const MAX_FILTER_LENGTH = 200;

/**
 * Checks a list query and returns it as query parameters. Unknown keys, values of the wrong type,
 * values outside an enum and bad page numbers are refused before any request.
 */
export function listQuery<F>(
  resource: ResourceDescription<Identified, F>,
  query: unknown,
): Record<string, string | number> {
  if (query === undefined) return {};
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new InvalidArgumentError(
      `Expected the ${resource.path} filter to be an object, got ${describeValue(query)}`,
    );
  }
  const params: Record<string, string | number> = {};
  const filters: Readonly<Record<string, FilterSpec>> = resource.filters;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (key === 'page') {
      params.page = assertId(value, 'page');
      continue;
    }
    if (!Object.hasOwn(filters, key)) {
      throw new InvalidArgumentError(
        `Unknown ${resource.path} filter \`${key}\`; expected one of: ${[...Object.keys(filters), 'page'].join(', ')}`,
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(
        `Expected filter \`${key}\` to be a string, got ${describeValue(value)}`,
      );
    }
    if (value.length > MAX_FILTER_LENGTH) {
      throw new ArgumentRangeError(
        `Expected filter \`${key}\` to be at most ${MAX_FILTER_LENGTH} characters`,
      );
    }
    const allowed = filters[key]?.values;
    if (allowed && !allowed.some((option) => option.toLowerCase() === value.toLowerCase())) {
      throw new ArgumentRangeError(
        `Expected filter \`${key}\` to be one of ${allowed.map((option) => `'${option}'`).join(', ')}, got ${describeValue(value)}`,
      );
    }
    params[key] = value;
  }
  return params;
}

/** Splits ids into chunks of at most `size`, keeping their order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Puts records back in the order of `ids` (duplicates repeat) and names the ids with no record. */
export function reorder<T extends Identified>(
  ids: readonly number[],
  records: Iterable<T>,
): { ordered: T[]; missing: number[] } {
  const byId = new Map<number, T>();
  for (const record of records) byId.set(record.id, record);
  const ordered: T[] = [];
  const missing: number[] = [];
  for (const id of ids) {
    const record = byId.get(id);
    if (record) ordered.push(record);
    else if (!missing.includes(id)) missing.push(id);
  }
  return { ordered, missing };
}

/** The URL of one record. */
export function recordUrl(
  context: RequestContext,
  resource: ResourceDescription<Identified, unknown>,
  id: number,
): string {
  return buildUrl(context.baseUrl, [resource.path, id]);
}

/** The batch URL for several ids: `/character/1,10,100`. Ids are checked integers: nothing to encode. */
export function batchUrl(
  context: RequestContext,
  resource: ResourceDescription<Identified, unknown>,
  ids: readonly number[],
): string {
  return `${buildUrl(context.baseUrl, [resource.path])}/${ids.join(',')}`;
}

function unexpected(url: string, issues: ValidationIssue[]): ValidationError {
  return new ValidationError({ url, issues });
}

/** Checks that the record at `/character/5` is character 5: a `ValidationError` otherwise. */
export function expectRecord(id: number): (record: Identified, url: string) => void {
  return (record, url) => {
    if (record.id !== id) {
      throw unexpected(url, [
        { path: ['id'], code: 'unexpected_id', message: `expected ${id}, got ${record.id}` },
      ]);
    }
  };
}

/**
 * Checks a batch answer against the ids asked: a record nobody asked for, or one that comes twice,
 * is a `ValidationError` (the API drops missing ids and collapses duplicates, so neither happens
 * when it answers what it was asked). Missing ids are not checked here: `getMany` names them.
 */
export function expectRecords(
  ids: readonly number[],
): (records: Identified[], url: string) => void {
  const asked = new Set(ids);
  return (records, url) => {
    const seen = new Set<number>();
    const issues: ValidationIssue[] = [];
    for (const [index, record] of records.entries()) {
      if (!asked.has(record.id)) {
        issues.push({
          path: [index, 'id'],
          code: 'unexpected_id',
          message: `${record.id} was not asked for`,
        });
      } else if (seen.has(record.id)) {
        issues.push({
          path: [index, 'id'],
          code: 'duplicate_id',
          message: `${record.id} came twice`,
        });
      }
      seen.add(record.id);
    }
    if (issues.length > 0) throw unexpected(url, issues);
  };
}

function* getOneOrNothing<T extends Identified>(
  context: RequestContext,
  resource: Resource<T, unknown>,
  id: number,
): Handler<T[]> {
  try {
    const url = recordUrl(context, resource, id);
    return [yield* getJson(context, url, resource.schema, expectRecord(id))];
  } catch (error) {
    if (isNotFoundError(error)) return [];
    throw error;
  }
}

function* getChunk<T extends Identified>(
  context: RequestContext,
  resource: Resource<T, unknown>,
  ids: readonly number[],
): Handler<T[]> {
  // `/character/5` answers an object, not an array; one id goes to the single-record URL, which
  // also shares a cache entry with `getCharacter(5)`.
  if (ids.length === 1) return yield* getOneOrNothing(context, resource, ids[0]!);
  const url = batchUrl(context, resource, ids);
  return yield* getJson(context, url, z.array(resource.schema), expectRecords(ids));
}

/** Reads one record. */
export function* getOne<T extends Identified>(
  context: RequestContext,
  resource: Resource<T, unknown>,
  id: unknown,
): Handler<T> {
  const checked = assertId(id);
  const url = recordUrl(context, resource, checked);
  try {
    return yield* getJson(context, url, resource.schema, expectRecord(checked));
  } catch (error) {
    if (isNotFoundError(error) && error.ids.length === 0) {
      throw new NotFoundError(
        {
          method: error.method,
          url,
          statusText: error.statusText,
          ...(error.serverMessage ? { serverMessage: error.serverMessage } : {}),
          ids: [checked],
        },
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Reads many records, each distinct id once, and returns them in the order asked (duplicates
 * repeat). Through the batch endpoint in chunks, or one request per id; either way the requests
 * run together in the async half. Missing ids raise one `NotFoundError` that names them all.
 */
export function* getMany<T extends Identified>(
  context: RequestContext,
  resource: Resource<T, unknown>,
  ids: unknown,
): Handler<T[]> {
  const { batch } = context;
  const wanted = assertIds(ids);
  const known: T[] = [];
  const toFetch: number[] = [];
  for (const id of new Set(wanted)) {
    const hit = yield* readCache<T>(context, recordUrl(context, resource, id));
    if (hit === undefined) toFetch.push(id);
    else known.push(hit);
  }
  const groups = batch.enabled ? chunk(toFetch, batch.size) : toFetch.map((id) => [id]);
  const reads = groups.map((group) => () => getChunk(context, resource, group));
  const fetched = (yield* allWithin(reads, context.window)).flat();
  if (batch.enabled) {
    // Filed under each record's own URL, so that getCharacter(id) finds what a batch brought.
    for (const record of fetched)
      yield* writeCache(context, recordUrl(context, resource, record.id), record);
  }
  const { ordered, missing } = reorder(wanted, [...known, ...fetched]);
  if (missing.length > 0) {
    const firstGroup = groups.find((group) => group.includes(missing[0]!)) ?? [missing[0]!];
    const url =
      firstGroup.length === 1
        ? recordUrl(context, resource, firstGroup[0]!)
        : batchUrl(context, resource, firstGroup);
    throw new NotFoundError({
      method: 'GET',
      url,
      ids: missing,
      resource: missing.length === 1 ? resource.singular : resource.plural,
    });
  }
  return ordered;
}

const NOTHING_HERE = 'There is nothing here';

/**
 * Reads one page of a list. A filter that matches nothing is an empty page (the API answers 404
 * "There is nothing here"); a page past the end is a `NotFoundError` that says so.
 */
export function* listPage<T extends Identified, F>(
  context: RequestContext,
  resource: Resource<T, F>,
  query: unknown,
): Handler<Page<T>> {
  const params = listQuery(resource, query);
  const url = buildUrl(context.baseUrl, [resource.path], params);
  try {
    return yield* getJson(context, url, resource.pageSchema);
  } catch (error) {
    if (isNotFoundError(error) && error.serverMessage === NOTHING_HERE) {
      const page = typeof params.page === 'number' ? params.page : 1;
      if (page === 1) return { info: { count: 0, pages: 0, next: null, prev: null }, results: [] };
      throw new NotFoundError(
        {
          method: 'GET',
          url,
          statusText: error.statusText,
          serverMessage: `Page ${page} is past the end of the ${resource.path} list`,
        },
        { cause: error },
      );
    }
    throw error;
  }
}

/** Reads the root endpoint map. */
export function* getEndpoints(context: RequestContext): Handler<Endpoints> {
  return yield* getJson(context, context.baseUrl, endpointsSchema);
}
