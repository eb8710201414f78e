/**
 * Read-ahead for the async iterators (`prefetch`): up to `prefetch` requests in flight ahead of
 * the `for await` loop, consumed in order. Whatever is still in flight when the loop ends (a
 * `break`, a `return`, an error) is aborted, so an early exit leaves nothing running.
 *
 * A walk of pages reads the pages ahead. An unfiltered walk of records reads ahead by id through
 * the batch endpoint, as `getAll` does: the first page tells how many records there are and shows
 * whether they are numbered 1, 2, 3…; if a batch then finds a gap in the ids, the walk goes on by
 * pages from where it was.
 *
 * @module
 */
import { isNotFoundError } from '../errors/guards.js';
import { isLastPage as isLast } from '../operations/pagination.js';
import type { Page } from '../resources/page.js';
import type { Identified } from '../resources/registry.js';

/** Reads page `number` of the walk with `signal`. */
export type PageReader<T> = (number: number, signal: AbortSignal | undefined) => Promise<Page<T>>;

/** Reads the records with ids `ids` (in their order) with `signal`. */
export type IdReader<T> = (ids: readonly number[], signal: AbortSignal | undefined) => Promise<T[]>;

/** The reason the reads still in flight are aborted with when the loop has ended. */
const LOOP_ENDED = new Error('The loop that read ahead has ended');

/** Reads in flight, by position, all ended by one controller (joined with the caller's signal). */
class Ahead<V> {
  readonly #controller = new AbortController();
  readonly #pending = new Map<number, Promise<V>>();
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal | undefined) {
    this.signal = signal
      ? AbortSignal.any([signal, this.#controller.signal])
      : this.#controller.signal;
  }

  /** Starts the read at `position` unless it is in flight. */
  start(position: number, read: (signal: AbortSignal) => Promise<V>): void {
    if (this.#pending.has(position)) return;
    const promise = read(this.signal);
    // Read ahead, perhaps never awaited (the loop may end first): not an unhandled rejection.
    promise.catch(() => {});
    this.#pending.set(position, promise);
  }

  /** The read at `position`: the one in flight, or a new one. */
  take(position: number, read: (signal: AbortSignal) => Promise<V>): Promise<V> {
    this.start(position, read);
    const promise = this.#pending.get(position)!;
    this.#pending.delete(position);
    return promise;
  }

  /** Aborts every read still in flight. */
  close(): void {
    this.#pending.clear();
    this.#controller.abort(LOOP_ENDED);
  }
}

/**
 * Every page from `from` on, a request a page, with up to `prefetch` of the next ones in flight
 * before the loop asks for them. A page is read ahead only up to the count of pages the last page
 * read announced; past that the walk goes on a page at a time while the API says there is a next.
 */
export async function* pagesAhead<T>(
  read: PageReader<T>,
  prefetch: number,
  signal: AbortSignal | undefined,
  from = 1,
): AsyncGenerator<Page<T>, void, undefined> {
  const ahead = new Ahead<Page<T>>(signal);
  try {
    for (let number = from; ; number++) {
      const page = await ahead.take(number, (s) => read(number, s));
      if (!isLast(page)) {
        const last = Math.min(number + prefetch, page.info.pages);
        for (let next = number + 1; next <= last; next++) ahead.start(next, (s) => read(next, s));
      }
      yield page;
      if (isLast(page)) return;
    }
  } finally {
    ahead.close();
  }
}

/**
 * Every record of an unfiltered walk, reading ahead by id: page 1, then batches of `batchSize`
 * ids; whenever one arrives, up to `prefetch` batches after it are in flight. Records come in the API's order (by id) as the pages
 * would give them; a gap in the ids sends the rest of the walk through the pages.
 */
export async function* recordsAhead<T extends Identified>(
  readPage: PageReader<T>,
  readIds: IdReader<T>,
  options: { readonly prefetch: number; readonly batchSize: number; readonly signal?: AbortSignal },
): AsyncGenerator<T, void, undefined> {
  const { prefetch, batchSize, signal } = options;
  const first = await readPage(1, signal);
  const perPage = first.results.length;
  // How many records were given; while the ids are 1, 2, 3…, also the last id given.
  let given = 0;
  if (!isLast(first) && first.results.every((record, index) => record.id === index + 1)) {
    const total = first.info.count;
    // Batch `k` holds the ids after the first page, `batchSize` at a time, made when needed.
    const batch = (k: number) => {
      const start = perPage + k * batchSize + 1;
      const length = Math.min(batchSize, total - start + 1);
      return Array.from({ length }, (_, index) => start + index);
    };
    const batches = Math.ceil((total - perPage) / batchSize);
    const ahead = new Ahead<T[]>(signal);
    // Once batch `k` is in (page 1 is batch -1), up to `prefetch` batches after it are requested.
    const readAheadOf = (k: number) => {
      for (let next = k + 1; next <= Math.min(k + prefetch, batches - 1); next++) {
        ahead.start(next, (s) => readIds(batch(next), s));
      }
    };
    try {
      readAheadOf(-1);
      yield* first.results;
      given = perPage;
      for (let k = 0; k < batches; k++) {
        const records = await ahead.take(k, (s) => readIds(batch(k), s));
        readAheadOf(k);
        yield* records;
        given += records.length;
      }
      return;
    } catch (error) {
      // A gap in the ids: the count is right but the numbering is not 1..count. The pages go on.
      if (!isNotFoundError(error) || given === 0) throw error;
    } finally {
      ahead.close();
    }
  } else {
    yield* first.results;
    if (isLast(first)) return;
    given = perPage;
  }
  // The records given fill the first pages: go on from the page that holds the next one,
  // skipping what of it was already given.
  const from = Math.floor(given / perPage) + 1;
  let skip = given - (from - 1) * perPage;
  for await (const page of pagesAhead(readPage, prefetch, signal, from)) {
    yield* skip > 0 ? page.results.slice(skip) : page.results;
    skip = 0;
  }
}
