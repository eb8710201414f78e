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
import type { WalkState, WalkStep } from '../operations/pagination.js';
import type { Page } from '../resources/page.js';
import type { Identified } from '../resources/registry.js';

/**
 * Reads page `number` of a walk with `signal`: `walkPage`, which checks the page against the
 * walk's `state` (the plan the first page made, the ids already read) when there is one.
 */
export type StepReader<T> = (
  number: number,
  state: WalkState | undefined,
  signal: AbortSignal | undefined,
) => Promise<WalkStep<T>>;

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
 * Every page of a walk from `from` on (after page 1, given its `state`), a request a page, with up
 * to `prefetch` of the next ones in flight before the loop asks for them: never past the pages the
 * first page's plan counts (`walkPage` checks the rest, and ends the walk where it should).
 */
export async function* pagesAhead<T>(
  read: StepReader<T>,
  prefetch: number,
  signal: AbortSignal | undefined,
  from = 1,
  state?: WalkState,
): AsyncGenerator<Page<T>, void, undefined> {
  const ahead = new Ahead<WalkStep<T>>(signal);
  let known = state;
  try {
    for (let number = from; ; number++) {
      const before = known;
      const step = await ahead.take(number, (s) => read(number, before, s));
      const checked = step.state;
      known = checked;
      if (step.more) {
        const last = Math.min(number + prefetch, checked.plan.pages);
        for (let next = number + 1; next <= last; next++) {
          ahead.start(next, (s) => read(next, checked, s));
        }
      }
      yield step.page;
      if (!step.more) return;
    }
  } finally {
    ahead.close();
  }
}

/**
 * Every record of an unfiltered walk, reading ahead by id: page 1, then batches of `batchSize`
 * ids up to the count its plan holds (which `maxRecords` bounds); whenever one arrives, up to
 * `prefetch` batches after it are in flight. Records come in the API's order (by id) as the pages
 * would give them; a gap in the ids sends the rest of the walk through the pages.
 */
export async function* recordsAhead<T extends Identified>(
  readStep: StepReader<T>,
  readIds: IdReader<T>,
  options: { readonly prefetch: number; readonly batchSize: number; readonly signal?: AbortSignal },
): AsyncGenerator<T, void, undefined> {
  const { prefetch, signal } = options;
  const first = await readStep(1, undefined, signal);
  const { page, state } = first;
  if (!first.more || !page.results.every((record, index) => record.id === index + 1)) {
    yield* page.results;
    if (!first.more) return;
    for await (const next of pagesAhead(readStep, prefetch, signal, 2, state)) {
      yield* next.results;
    }
    return;
  }
  // Ids 1..given were all there, so they fill the first pages: after a gap the walk goes on from
  // the page that holds the record after them, skipping what was already given.
  const given = yield* byIds(page.results, state, readIds, options);
  if (given === undefined) return;
  const from = Math.floor(given / state.plan.perPage) + 1;
  for await (const next of pagesAhead(readStep, prefetch, signal, from, state)) {
    for (const record of next.results) if (record.id > given) yield record;
  }
}

/**
 * The records of page 1, then the batches after it; how many records were given when a batch
 * found a gap in the ids, or undefined when all were read.
 */
async function* byIds<T extends Identified>(
  firstResults: readonly T[],
  state: WalkState,
  readIds: IdReader<T>,
  options: { readonly prefetch: number; readonly batchSize: number; readonly signal?: AbortSignal },
): AsyncGenerator<T, number | undefined, undefined> {
  const { prefetch, batchSize, signal } = options;
  const { count, perPage } = state.plan;
  // Batch `k` holds the ids after the first page, `batchSize` at a time, made when needed.
  const batch = (k: number) => {
    const start = perPage + k * batchSize + 1;
    const length = Math.min(batchSize, count - start + 1);
    return Array.from({ length }, (_, index) => start + index);
  };
  const batches = Math.ceil((count - perPage) / batchSize);
  const ahead = new Ahead<T[]>(signal);
  // Once batch `k` is in (page 1 is batch -1), up to `prefetch` batches after it are requested.
  const readAheadOf = (k: number) => {
    for (let next = k + 1; next <= Math.min(k + prefetch, batches - 1); next++) {
      ahead.start(next, (s) => readIds(batch(next), s));
    }
  };
  let given = 0;
  try {
    readAheadOf(-1);
    yield* firstResults;
    given = firstResults.length;
    for (let k = 0; k < batches; k++) {
      const records = await ahead.take(k, (s) => readIds(batch(k), s));
      readAheadOf(k);
      yield* records;
      given += records.length;
    }
    return undefined;
  } catch (error) {
    // A gap in the ids: the count is right but the numbering is not 1..count.
    if (!isNotFoundError(error) || given === 0) throw error;
    return given;
  } finally {
    ahead.close();
  }
}
