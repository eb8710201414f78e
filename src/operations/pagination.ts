import { InvalidArgumentError, ResponseError, ValidationError } from '../errors/classes.js';
import { isNotFoundError } from '../errors/guards.js';
import { functionOption } from '../internal/checks.js';
import { PAGE_SIZE } from '../internal/constants.js';
import type { Page } from '../resources/page.js';
import type { Identified, Resource, ResourceDescription } from '../resources/registry.js';
import { allWithin, type Handler } from './effects.js';
import { buildUrl, type RequestContext } from './request.js';
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

/**
 * What a walk over every page of a list goes by, from its first page once checked: how many pages
 * to read, how many records a page holds, how many records there are. Nothing a later page
 * claims makes the walk longer.
 */
export interface WalkPlan {
  readonly count: number;
  readonly pages: number;
  readonly perPage: number;
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

function inconsistent(url: string, path: PropertyKey[], message: string): ValidationError {
  return new ValidationError({ url, issues: [{ path, message, code: 'inconsistent_page' }] });
}

/**
 * Checks what the first page of a list claims against what it holds, and against `maxRecords`,
 * and returns the plan of the walk. The API serves 20 records a page, so a list of more than one
 * page has a full first page and `pages` is `ceil(count / 20)`; a page that claims otherwise is a
 * `ValidationError`, and more records than `maxRecords` a `ResponseError` `TOO_MANY_RECORDS`, before
 * any other page is asked for.
 */
export function planWalk(
  context: RequestContext,
  resource: ResourceDescription<Identified, unknown>,
  first: Page<unknown>,
  url: string,
): WalkPlan {
  const { count, pages } = first.info;
  const held = first.results.length;
  if (held === 0) {
    if (count !== 0 || pages !== 0) {
      throw inconsistent(url, ['results'], `page 1 is empty but info claims ${count} records`);
    }
    return { count: 0, pages: 0, perPage: PAGE_SIZE };
  }
  if (count > context.maxRecords) {
    throw new ResponseError({
      method: 'GET',
      url,
      status: 200,
      code: 'TOO_MANY_RECORDS',
      detail: `The ${resource.path} list claims ${count} records, more than \`maxRecords\` (${context.maxRecords}); raise \`maxRecords\` to read them all`,
    });
  }
  const perPage = pages > 1 ? PAGE_SIZE : held;
  if (held > PAGE_SIZE || (pages > 1 && held !== PAGE_SIZE)) {
    throw inconsistent(
      url,
      ['results'],
      `page 1 of ${pages} holds ${held} records, not ${PAGE_SIZE}`,
    );
  }
  if (count < held || pages !== Math.ceil(count / perPage)) {
    throw inconsistent(
      url,
      ['info'],
      `info claims ${count} records on ${pages} pages, but ${PAGE_SIZE} a page make ${Math.ceil(count / PAGE_SIZE)} pages and page 1 holds ${held}`,
    );
  }
  return { count, pages, perPage };
}

/** Checks a later page of a walk against its plan: never more records than a page holds. */
export function checkWalkPage(plan: WalkPlan, page: Page<unknown>, number: number, url: string) {
  if (page.results.length > plan.perPage) {
    throw inconsistent(
      url,
      ['results'],
      `page ${number} holds ${page.results.length} records, more than the ${plan.perPage} a page holds`,
    );
  }
}

/** Whether a walk goes on after page `number`: never past the first page's `pages`. */
export function walkGoesOn(plan: WalkPlan, page: Page<unknown>, number: number): boolean {
  return number < plan.pages && page.info.next !== null && page.results.length > 0;
}

/**
 * Adds the ids of `records` to `seen`, or throws a `ValidationError` when one came before: a walk
 * reads each record once. `seen` grows with the walk, which `maxRecords` bounds.
 */
function noneSeen(records: readonly Identified[], seen: Set<number>, url: string): void {
  for (const [index, record] of records.entries()) {
    if (seen.has(record.id)) {
      throw inconsistent(url, [index, 'id'], `record ${record.id} came twice in one walk`);
    }
    seen.add(record.id);
  }
}

/** The records of a walk, or a `ValidationError` when one record came twice. */
function distinct<T extends Identified>(records: T[], url: string): T[] {
  noneSeen(records, new Set(), url);
  return records;
}

/** What a walk knows between its steps: its plan, and the ids it has read. */
export interface WalkState {
  readonly plan: WalkPlan;
  readonly seen: Set<number>;
}

/** One step of a walk over the pages of a list: the page, the walk's state, and whether to go on. */
export interface WalkStep<T> {
  readonly page: Page<T>;
  readonly state: WalkState;
  readonly more: boolean;
}

/**
 * Reads page `number` of a walk (the filter already checked by `walkQuery`): the first page makes
 * the plan, every later one is checked against it, and no record may come twice. What the
 * iterators run, in both halves.
 */
export function* walkPage<T extends Identified, F>(
  context: RequestContext,
  resource: Resource<T, F>,
  filter: Record<string, string | number>,
  number: number,
  state: WalkState | undefined,
): Handler<WalkStep<T>> {
  const query = { ...filter, page: number };
  const url = buildUrl(context.baseUrl, [resource.path], query);
  const page = yield* listPage(context, resource, query);
  const plan = state?.plan ?? planWalk(context, resource, page, url);
  if (state) checkWalkPage(plan, page, number, url);
  const seen = state?.seen ?? new Set<number>();
  noneSeen(page.results, seen, url);
  return { page, state: { plan, seen }, more: walkGoesOn(plan, page, number) };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

/** The progress reporter of one `getAll` call: it never goes back, nor past the total. */
function progressReporter(total: number, onProgress: GetAllOptions['onProgress']) {
  let loaded = 0;
  let reported = 0;
  return {
    add(count: number) {
      loaded += count;
      const value = Math.min(loaded, total);
      if (value < reported) return;
      reported = value;
      onProgress?.({ loaded: value, total });
    },
    /** After a fall-back from batches to pages the count starts again from the first page. */
    restart(count: number) {
      loaded = count;
    },
  };
}

/**
 * Reads the rest of an unfiltered list through the batch endpoint, by id, when the first page
 * shows ids numbered from 1 and that takes fewer requests than the pages. Undefined when it does
 * not apply, or when the answer shows a gap in the numbering: then the pages are read instead.
 */
function* restByIds<T extends Identified>(
  context: RequestContext,
  resource: Resource<T, unknown>,
  first: Page<T>,
  plan: WalkPlan,
  progress: { add(count: number): void },
): Handler<T[] | undefined> {
  const { batch } = context;
  const contiguous = first.results.every((record, index) => record.id === index + 1);
  const batchRequests = Math.ceil((plan.count - plan.perPage) / batch.size);
  if (!batch.enabled || !contiguous || batchRequests >= plan.pages - 1) return undefined;
  const groups = chunk(range(plan.perPage + 1, plan.count), batch.size);
  const readGroup = function* (group: number[]) {
    try {
      const records = yield* getMany(context, resource, group);
      progress.add(records.length);
      return records;
    } catch (error) {
      // A gap in the ids: the count is right but the numbering is not 1..count.
      if (isNotFoundError(error)) return [];
      throw error;
    }
  };
  const rest = yield* allWithin(
    groups.map((group) => () => readGroup(group)),
    context.window,
  );
  const records = [...first.results, ...rest.flat()];
  return records.length === plan.count ? records : undefined;
}

/**
 * Reads every record that matches a filter. It reads the first page, which tells how many there
 * are (checked, and bounded by `maxRecords`), then the rest together: through the batch endpoint
 * by id when there is no filter and that takes fewer requests (the API numbers its records from 1
 * without gaps; if the answer shows a gap, the pages are read instead), otherwise page by page,
 * never more pages than the first one claims.
 */
export function* getAll<T extends Identified, F>(
  context: RequestContext,
  resource: Resource<T, F>,
  query: unknown,
  options: GetAllOptions = {},
): Handler<T[]> {
  const filter = walkQuery(resource, query);
  const onProgress = functionOption<GetAllOptions['onProgress']>(options.onProgress, 'onProgress');
  const url = buildUrl(context.baseUrl, [resource.path], filter);
  const first = yield* listPage(context, resource, filter);
  const plan = planWalk(context, resource, first, url);
  const progress = progressReporter(plan.count, onProgress);
  progress.add(first.results.length);
  if (plan.pages <= 1) return first.results;

  if (Object.keys(filter).length === 0) {
    const byIds = yield* restByIds(context, resource, first, plan, progress);
    if (byIds) return distinct(byIds, url);
    progress.restart(first.results.length);
  }
  const readPage = function* (number: number) {
    const pageQuery = { ...filter, page: number };
    const page = yield* listPage(context, resource, pageQuery);
    checkWalkPage(plan, page, number, buildUrl(context.baseUrl, [resource.path], pageQuery));
    progress.add(page.results.length);
    return page.results;
  };
  const pages = yield* allWithin(
    range(2, plan.pages).map((number) => () => readPage(number)),
    context.window,
  );
  return distinct([...first.results, ...pages.flat()], url);
}
