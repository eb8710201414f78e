import { InvalidArgumentError } from '../errors/classes.js';
import { isNotFoundError } from '../errors/guards.js';
import { functionOption } from '../internal/checks.js';
import type { Page } from '../resources/page.js';
import type { Identified, Resource, ResourceDescription } from '../resources/registry.js';
import { all, type Handler } from './effects.js';
import type { RequestContext } from './request.js';
import { chunk, getMany, listPage, listQuery } from './resources.js';

/** What `onProgress` is told after each request of a `getAll` call. */
export interface Progress {
  /** Records read so far. */
  readonly loaded: number;
  /** Records the API says there are. */
  readonly total: number;
}

/** Options of `getAllCharacters` and its kin. */
export interface GetAllOptions {
  /** Called after each request with the records read so far. */
  onProgress?: (progress: Progress) => void;
}

/** Options of the async iterators: `iterateCharactersAsync`, `iterateCharacterPagesAsync` and their kin. */
export interface IterateOptions {
  /**
   * How many requests to keep in flight ahead of the `for await` loop, from 0 to the client's
   * `concurrency`. A walk of pages reads pages ahead; an unfiltered walk of records reads ahead
   * by id through the batch endpoint (`batch.size` records a request, as `getAllCharacters` does).
   * Ending the loop early aborts what was read ahead: it costs at most `prefetch` requests that
   * the loop never used. Default: 0, a request only when the loop needs the next page.
   *
   * Note: the blocking iterators have no `prefetch`: they send one request at a time, so reading
   * ahead would not shorten their waits.
   */
  prefetch?: number;
}

/** The filter of a walk over every page: a list query without `page`. */
export function walkQuery<F>(
  resource: ResourceDescription<Identified, F>,
  query: unknown,
): Record<string, string | number> {
  const params = listQuery(resource, query);
  if ('page' in params) {
    throw new InvalidArgumentError(
      'Expected no `page` when reading every page; use the list method for one page',
    );
  }
  return params;
}

/** Whether `page` ends its walk: the API names no next page, or the page is empty. */
export function isLastPage(page: Page<unknown>): boolean {
  return page.info.next === null || page.results.length === 0;
}

/** The query for the page after `page` (number `current`), or undefined when it was the last. */
export function nextPageQuery<Q extends object>(
  query: Q,
  page: Page<unknown>,
  current: number,
): (Q & { page: number }) | undefined {
  return isLastPage(page) ? undefined : { ...query, page: current + 1 };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

/**
 * Reads every record that matches a filter. It reads the first page, which tells how many there
 * are, then the rest together: through the batch endpoint by id when there is no filter and that
 * takes fewer requests (the API numbers its records from 1 without gaps; if the answer shows a gap,
 * the pages are read instead), otherwise page by page.
 */
export function* getAll<T extends Identified, F>(
  context: RequestContext,
  resource: Resource<T, F>,
  query: unknown,
  options: GetAllOptions = {},
): Handler<T[]> {
  const { batch } = context;
  const filter = walkQuery(resource, query);
  const onProgress = functionOption<GetAllOptions['onProgress']>(options.onProgress, 'onProgress');
  const first = yield* listPage(context, resource, filter);
  const total = first.info.count;
  let loaded = first.results.length;
  let reported = 0;
  const report = (count: number) => {
    loaded += count;
    // After a fall-back from batches to pages the count starts again; progress never goes back.
    const value = Math.min(loaded, total);
    if (value < reported) return;
    reported = value;
    onProgress?.({ loaded: value, total });
  };
  report(0);
  if (first.info.pages <= 1) return first.results;

  const perPage = first.results.length;
  const contiguous = first.results.every((record, index) => record.id === index + 1);
  const batchRequests = Math.ceil((total - perPage) / batch.size);
  if (
    Object.keys(filter).length === 0 &&
    batch.enabled &&
    contiguous &&
    batchRequests < first.info.pages - 1
  ) {
    const groups = chunk(range(perPage + 1, total), batch.size);
    const rest = yield* all(
      groups.map(function* (group) {
        try {
          const records = yield* getMany(context, resource, group);
          report(records.length);
          return records;
        } catch (error) {
          // A gap in the ids: the count is right but the numbering is not 1..count.
          if (isNotFoundError(error)) return [];
          throw error;
        }
      }),
    );
    const records = [...first.results, ...rest.flat()];
    if (records.length === total) return records;
    loaded = perPage;
  }
  const pages = yield* all(
    range(2, first.info.pages).map(function* (number) {
      const page = yield* listPage(context, resource, { ...filter, page: number });
      report(page.results.length);
      return page.results;
    }),
  );
  return [...first.results, ...pages.flat()];
}
