/**
 * The twin runners: how a public twin runs its operation. Each call gets its own context (the
 * client's settings, the dispatcher's `send`, the call's timeout and signal); the blocking runner
 * runs the operation's `.sync` (through the blocking detector when there is one) and names the
 * async twin when blocking is impossible; the async runner runs `.async` and rejects rather than
 * throws. The iterators are the one place where the twins are two loops rather than one
 * operation: a generator cannot be derived by gensync; both loops step with `walkPage`, and the
 * async loops may read ahead (`read-ahead.ts`).
 *
 * @module
 */
import {
  ArgumentRangeError,
  BlockingUnavailableError,
  InvalidArgumentError,
} from '../errors/classes.js';
import { isBlockingUnavailableError } from '../errors/guards.js';
import { integerOption } from '../internal/checks.js';
import { nodeBuiltin } from '../internal/node.js';
import type { Operation, ResourceOperations } from '../operations/bound.js';
import type {
  GetAllOptions,
  IterateOptions,
  WalkState,
  WalkStep,
} from '../operations/pagination.js';
import type { RequestContext } from '../operations/request.js';
import type { Page } from '../resources/page.js';
import type { Identified } from '../resources/registry.js';
import { nameAsyncTwin } from '../transports/loopback.js';
import type { Dispatcher } from './dispatcher.js';
import {
  type CallOptions,
  type ClientSettings,
  resolveCallOptions,
  snapshotCallOptions,
} from './options.js';
import { pagesAhead, recordsAhead, type StepReader } from './read-ahead.js';
import { type BlockingTwin, TWINS } from './twins.js';

/**
 * The reason a call's own signal is aborted with once the call has settled, ending what it still
 * has in flight. One shared value: creating a DOMException for every call costs more than the call.
 */
const CALL_SETTLED = new Error('The call this request belonged to has settled');

/**
 * A call with many requests in flight adds an abort listener per request to its signal; Node warns
 * past ten listeners as if they leaked. They do not: each is removed when its request settles.
 */
function allowManyListeners(signal: AbortSignal): void {
  nodeBuiltin('node:events')?.setMaxListeners(0, signal);
}

/** A call's options with `signal` in place of its own (which `signal` already follows). */
function withSignal(call: CallOptions | undefined, signal: AbortSignal | undefined): CallOptions {
  return signal ? { ...call, signal } : { ...call };
}

/** Splits `getAll` options into the call's own and the walk's. */
function splitGetAll(
  options: (CallOptions & GetAllOptions) | undefined,
): [CallOptions | undefined, GetAllOptions] {
  if (options === undefined || typeof options !== 'object' || options === null)
    return [options, {}];
  // Checked by the operation itself, so that the async twin rejects rather than throws.
  const { onProgress, ...call } = options;
  return [call, onProgress === undefined ? {} : { onProgress }];
}

/** Splits an async iterator's options into the call's own and its read-ahead, checked. */
function splitIterate(
  options: (CallOptions & IterateOptions) | undefined,
  concurrency: number,
): [CallOptions | undefined, number] {
  if (options === undefined || typeof options !== 'object' || options === null) return [options, 0];
  const { prefetch, ...call } = options;
  const pages = integerOption(prefetch, 'prefetch', 0);
  if (pages > concurrency) {
    throw new ArgumentRangeError(
      `Expected \`prefetch\` to be at most the client's \`concurrency\` (${concurrency}), got ${pages}`,
    );
  }
  return [call, pages];
}

/** Refuses the async iterators' `prefetch` in the options of a blocking iterator. */
function refusePrefetch(options: CallOptions | undefined, twin: BlockingTwin): void {
  if (typeof options === 'object' && options !== null && 'prefetch' in options) {
    throw new InvalidArgumentError(
      `\`prefetch\` reads ahead in the async iterators only: a blocking iterator sends one request at a time, so reading ahead would not shorten its waits; use ${TWINS[twin]}() to read ahead`,
    );
  }
}

/** Runs the client's twins: one runner per client. */
export class TwinRunner {
  readonly #settings: ClientSettings;
  readonly #dispatcher: Dispatcher;

  constructor(settings: ClientSettings, dispatcher: Dispatcher) {
    this.#settings = settings;
    this.#dispatcher = dispatcher;
  }

  /** Runs `op` blocking, as the blocking twin `twin`. */
  sync<A extends unknown[], R>(
    twin: BlockingTwin,
    op: Operation<A, R>,
    options: CallOptions | undefined,
    ...args: A
  ): R {
    const context = this.#context(options, undefined);
    const asyncTwin = TWINS[twin];
    const detector = this.#settings.detector;
    const run = () => op.sync(context, ...args);
    try {
      this.#dispatcher.blockingTransport();
      return detector ? detector.run(twin, asyncTwin, run) : run();
    } catch (error) {
      // Whatever found blocking impossible cannot know which twin was called; the runner does.
      if (isBlockingUnavailableError(error) && error.asyncTwin === undefined) {
        throw new BlockingUnavailableError(error.message, {
          cause: error,
          twin: { method: twin, asyncTwin },
        });
      }
      throw nameAsyncTwin(error, asyncTwin);
    }
  }

  /** Runs `op` as an async twin: a promise, which rejects (never throws) on bad arguments. */
  async<A extends unknown[], R>(
    op: Operation<A, R>,
    options: CallOptions | undefined,
    ...args: A
  ): Promise<R> {
    // One controller per call: when the call settles, whatever it still has in flight (the other
    // requests of a batch that failed) is aborted rather than left running.
    const controller = new AbortController();
    let context: RequestContext;
    try {
      context = this.#context(options, controller);
    } catch (error) {
      return Promise.reject(error);
    }
    return op.async(context, ...args).finally(() => controller.abort(CALL_SETTLED));
  }

  /** `getAllCharacters` and its kin, blocking: the call's options and the walk's in one object. */
  allSync<T extends Identified, F>(
    twin: BlockingTwin,
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: (CallOptions & GetAllOptions) | undefined,
  ): T[] {
    const [call, walk] = splitGetAll(options);
    return this.sync(twin, ops.getAll, call, filter, walk);
  }

  /** `getAllCharactersAsync` and its kin. */
  allAsync<T extends Identified, F>(
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: (CallOptions & GetAllOptions) | undefined,
  ): Promise<T[]> {
    const [call, walk] = splitGetAll(options);
    return this.async(ops.getAll, call, filter, walk);
  }

  /**
   * Every page of a list, blocking, a request a page as the loop asks for them: never past the
   * pages the first one claims (`walkPage` checks each against that plan, and that no record
   * comes twice).
   */
  pages<T extends Identified, F>(
    twin: BlockingTwin,
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: CallOptions | undefined,
  ): Generator<Page<T>, void, undefined> {
    const query = ops.walkQuery(filter);
    const call = snapshotCallOptions(options);
    const self = this;
    return (function* () {
      refusePrefetch(call, twin);
      let state: WalkState | undefined;
      for (let number = 1; ; number++) {
        const step: WalkStep<T> = self.sync(twin, ops.walkPage, call, query, number, state);
        state = step.state;
        yield step.page;
        if (!step.more) return;
      }
    })();
  }

  /**
   * Every page of a list, a request a page as the `for await` loop asks for them, and up to
   * `prefetch` more in flight ahead of it (`read-ahead.ts`); see `pages`.
   */
  pagesAsync<T extends Identified, F>(
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: (CallOptions & IterateOptions) | undefined,
  ): AsyncGenerator<Page<T>, void, undefined> {
    const query = ops.walkQuery(filter);
    const call = snapshotCallOptions(options);
    const self = this;
    return (async function* () {
      const [own, prefetch] = splitIterate(call, self.#settings.concurrency);
      yield* pagesAhead(self.#stepReader(ops, own, query), prefetch, own?.signal);
    })();
  }

  /** Every record of a list, blocking, one at a time. */
  items<T extends Identified, F>(
    twin: BlockingTwin,
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: CallOptions | undefined,
  ): Generator<T, void, undefined> {
    const pages = this.pages(twin, ops, filter, options);
    return (function* () {
      for (const page of pages) yield* page.results;
    })();
  }

  /**
   * Every record of a list, one at a time. With `prefetch`, an unfiltered walk reads ahead by id
   * through the batch endpoint (unless the client's `batch` is off); any other, by pages.
   */
  itemsAsync<T extends Identified, F>(
    ops: ResourceOperations<T, F>,
    filter: F | undefined,
    options: (CallOptions & IterateOptions) | undefined,
  ): AsyncGenerator<T, void, undefined> {
    const query = ops.walkQuery(filter);
    const call = snapshotCallOptions(options);
    const self = this;
    const { batch } = this.#settings.request;
    return (async function* () {
      const [own, prefetch] = splitIterate(call, self.#settings.concurrency);
      const readStep = self.#stepReader(ops, own, query);
      if (prefetch > 0 && batch.enabled && Object.keys(query).length === 0) {
        yield* recordsAhead(
          readStep,
          (ids, signal) => self.async(ops.getMany, withSignal(own, signal), ids),
          { prefetch, batchSize: batch.size, ...(own?.signal ? { signal: own.signal } : {}) },
        );
        return;
      }
      for await (const page of pagesAhead(readStep, prefetch, own?.signal)) {
        yield* page.results;
      }
    })();
  }

  /** How an async walk reads page `number`: `walkPage`, with the call's options and `signal`. */
  #stepReader<T extends Identified, F>(
    ops: ResourceOperations<T, F>,
    call: CallOptions | undefined,
    query: Record<string, string | number>,
  ): StepReader<T> {
    return (number, state, signal) =>
      this.async(ops.walkPage, withSignal(call, signal), query, number, state);
  }

  /**
   * A call's context: the client's settings, the dispatcher's `send`, and the call's own timeout
   * and signal (for an async call, joined with `controller`'s, which ends the call's leftovers).
   */
  #context(options: CallOptions | undefined, controller: AbortController | undefined) {
    const call = resolveCallOptions(options, this.#settings);
    let signal = call.signal;
    if (controller) {
      signal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
      allowManyListeners(signal);
    }
    const context: RequestContext = {
      ...this.#settings.request,
      send: this.#dispatcher.send,
      timeout: call.timeout,
      maxResponseBytes: call.maxResponseBytes,
      signal,
    };
    return context;
  }
}
